// Image folders (train/<class>/*.png|jpg|jpeg|bmp) with a fuzzed image_size. Input: bytes 0-1 and
// 2-3 give the requested height and width (little-endian, modulo 30001: 0 means "the first image's
// size", up to 30000 exercises the bounds), byte 4 the flags (bit 0: resize; bits 1-2: extension png,
// jpg, jpeg, bmp; bit 3: the test split, with the train classes given; bit 4: the second class holds
// a small valid image instead of a copy), then the image file's bytes.
#include "FuzzUtil.h"

#include "phinet/data/Dataset.h"

using namespace phinet;
using namespace phinet::fuzz;

namespace {
// A valid 2x2 grey PNG.
const unsigned char kTinyPng[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
                                  0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00,
                                  0x00, 0x57, 0xdd, 0x52, 0xf8, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
                                  0x9c, 0x63, 0x60, 0xf8, 0x0f, 0x84, 0x00, 0x06, 0x00, 0x01, 0xff, 0x93, 0xd1, 0xe4,
                                  0x89, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
} // namespace

namespace phinet::fuzz {
/// One input of fuzz_imagefolder (also run by tests/core/tst_fuzzregress.cpp on the saved findings).
inline int imageFolder(const std::uint8_t* data, size_t size)
{
    Input in{data, size};
    const int h = int(in.take(2) % 30001), w = int(in.take(2) % 30001);
    const auto flags = in.take(1);
    const bool resize = flags & 1;
    static const char* const kExt[] = {".png", ".jpg", ".jpeg", ".bmp"};
    const std::string ext = kExt[(flags >> 1) & 3];
    const bool test = flags & 8;
    const auto image = in.rest();
    const auto root = freshDir("images");
    const auto split = root / (test ? "test" : "train");
    writeFile(split / "a" / ("img" + ext), image);
    if (flags & 16)
        writeFile(split / "b" / "img.png", std::string_view(reinterpret_cast<const char*>(kTinyPng), sizeof kTinyPng));
    else
        writeFile(split / "b" / ("img" + ext), image);
    const std::vector<std::string> classes = test ? std::vector<std::string>{"a", "b"} : std::vector<std::string>{};
    return expectCleanError([&] {
        const auto d = loadImageFolder(root, test ? Split::Test : Split::Train, {h, w}, resize, classes);
        if (d.size() != 2 || d.images.dim() != 4) finding("loadImageFolder: expected 2 images");
        if (h > 0 && d.height() != h)
            finding("loadImageFolder: height " + std::to_string(d.height()) + " asked " + std::to_string(h));
        if (w > 0 && d.width() != w)
            finding("loadImageFolder: width " + std::to_string(d.width()) + " asked " + std::to_string(w));
        if (d.channels() != 1 && d.channels() != 3)
            finding("loadImageFolder: " + std::to_string(d.channels()) + " channels");
    });
}
} // namespace phinet::fuzz

#ifndef PHINET_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size)
{
    return phinet::fuzz::imageFolder(data, size);
}
#endif
