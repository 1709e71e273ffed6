// IDX files (MNIST, Fashion-MNIST): readIdx on one file, and loadIdxFolder on an image/label pair.
// Input: byte 0 selects the mode (bit 0: the pair; bit 1: the test split's names; bit 2: .gz names),
// for the pair bytes 1-2 give the label file's length, then the label file, then the image file.
// Content is raw or gzip (readIdx detects gzip by content).
#include "FuzzUtil.h"

#include "phinet/data/Dataset.h"

using namespace phinet;
using namespace phinet::fuzz;

namespace phinet::fuzz {
/// One input of fuzz_idx (also run by tests/core/tst_fuzzregress.cpp on the saved findings).
inline int idx(const std::uint8_t* data, size_t size)
{
    Input in{data, size};
    const auto mode = in.take(1);
    const std::string ext = (mode & 4) ? ".gz" : "";
    const auto dir = freshDir("idx");
    return expectCleanError([&] {
        if (!(mode & 1)) {
            const auto p = dir / ("one-idx3-ubyte" + ext);
            writeFile(p, in.rest());
            auto t = readIdx(p);
            if (t.scalar_type() != torch::kUInt8 || !t.is_contiguous())
                finding("readIdx: not a contiguous uint8 tensor");
            if (t.numel() > 0) (void)t.flatten()[t.numel() - 1].item<std::uint8_t>();
            return;
        }
        const auto labelBytes = in.take(2);
        const bool test = mode & 2;
        writeFile(dir / ((test ? "t10k-labels-idx1-ubyte" : "train-labels-idx1-ubyte") + ext),
                  in.takeBytes(labelBytes));
        writeFile(dir / ((test ? "t10k-images-idx3-ubyte" : "train-images-idx3-ubyte") + ext), in.rest());
        const auto d = loadIdxFolder(dir, test ? Split::Test : Split::Train);
        if (d.images.dim() != 4 || d.images.size(0) != d.labels.size(0) || d.images.size(1) != 1)
            finding("loadIdxFolder: images and labels disagree");
        if (d.size() > 0 && (d.labels.min().item<std::int64_t>() < 0 || d.labels.max().item<std::int64_t>() > 9))
            finding("loadIdxFolder: a label outside 0..9 was accepted");
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
    return phinet::fuzz::idx(data, size);
}
#endif
