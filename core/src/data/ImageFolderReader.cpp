#include "phinet/data/Dataset.h"

#include "phinet/common/Error.h"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <cctype>

namespace phinet {
namespace fs = std::filesystem;

namespace {
/// The largest side an image (on disk or after resizing) may have: 8192 px, four times a 2048 px
/// photo. Checked before stb allocates, and before the data set tensor is sized.
constexpr std::int64_t kMaxImageSide = 8192;
/// The largest size images are resized to: DataConfig's image_size range (what a PhiNet input may be).
/// Resizing one 2x2 image to 8192x8192 took over 10 s under the fuzzer's sanitizers.
constexpr std::int64_t kMaxResizeSide = 2048;

bool isImage(const fs::path& p)
{
    auto ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}
} // namespace

ImageDataset loadImageFolder(const fs::path& root, Split split, std::array<int, 2> size, bool resize,
                             const std::vector<std::string>& knownClasses, const CancelToken* cancel)
{
    const auto dir = root / (split == Split::Train ? "train" : "test");
    if (!fs::is_directory(dir))
        throw DataError(dir.string() + ": missing folder (expected " + (split == Split::Train ? "train" : "test") +
                        "/<class>/*.png|jpg under " + root.string() + ")");
    std::vector<std::string> classes = knownClasses;
    if (classes.empty()) {
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_directory()) classes.push_back(e.path().filename().string());
        std::sort(classes.begin(), classes.end());
    }
    if (classes.size() < 2)
        throw DataError(dir.string() + ": expected one sub-folder per class (at least 2), found " +
                        std::to_string(classes.size()));
    std::vector<std::pair<fs::path, int64_t>> files;
    for (size_t c = 0; c < classes.size(); ++c) {
        const auto cdir = dir / classes[c];
        if (!fs::is_directory(cdir)) throw DataError(cdir.string() + ": class folder missing (the train split has it)");
        std::vector<fs::path> imgs;
        for (const auto& e : fs::directory_iterator(cdir))
            if (e.is_regular_file() && isImage(e.path())) imgs.push_back(e.path());
        if (imgs.empty()) throw DataError(cdir.string() + ": empty class folder (no .png/.jpg/.jpeg/.bmp images)");
        std::sort(imgs.begin(), imgs.end());
        for (auto& p : imgs)
            files.emplace_back(std::move(p), int64_t(c));
    }
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory() &&
            std::find(classes.begin(), classes.end(), e.path().filename().string()) == classes.end())
            throw DataError(e.path().string() + ": class folder not in the train split's classes");

    // The first image fixes the channel count (1 for grey, else 3) and, unless given, the size.
    int w0 = 0, h0 = 0, c0 = 0;
    if (!stbi_info(files.front().first.c_str(), &w0, &h0, &c0))
        throw DataError(files.front().first.string() + ": unreadable image (" + stbi_failure_reason() + ")");
    const int channels = (c0 == 1 || c0 == 2) ? 1 : 3;
    if (size[0] > kMaxResizeSide || size[1] > kMaxResizeSide)
        throw DataError(dir.string() + ": image size " + std::to_string(size[0]) + "x" + std::to_string(size[1]) +
                        " is outside 8.." + std::to_string(kMaxResizeSide) + " pixels per side (data.image_size)");
    const std::int64_t H = size[0] > 0 ? size[0] : h0;
    const std::int64_t W = size[1] > 0 ? size[1] : w0;
    if (H < 1 || W < 1 || H > kMaxImageSide || W > kMaxImageSide)
        throw DataError(dir.string() + ": image size " + std::to_string(H) + "x" + std::to_string(W) +
                        " is outside 1.." + std::to_string(kMaxImageSide) + " pixels per side");
    const auto n = int64_t(files.size());
    if (n > kMaxDatasetImages)
        throw DataError(dir.string() + ": " + std::to_string(n) + " images, more than the " +
                        std::to_string(kMaxDatasetImages) + " a data set may hold here");
    // n <= 2^24 and H*W*channels <= 3 * 2^26: the product fits in 64 bits.
    if (n * channels * H * W > kMaxDatasetBytes)
        throw DataError(dir.string() + ": " + std::to_string(n) + " images of " + std::to_string(channels) + "x" +
                        std::to_string(H) + "x" + std::to_string(W) + " need " +
                        std::to_string((n * channels * H * W) >> 20) + " MiB, more than the " +
                        std::to_string(kMaxDatasetBytes >> 20) + " MiB a data set may hold here");
    ImageDataset d;
    d.images = torch::empty({n, channels, H, W}, torch::kUInt8);
    d.labels = torch::empty({n}, torch::kLong);
    auto* out = d.images.data_ptr<uint8_t>();
    auto* lbl = d.labels.data_ptr<int64_t>();
    std::vector<unsigned char> resized;
    for (int64_t i = 0; i < n; ++i) {
        if (i % 64 == 0 && isCancelled(cancel)) throw Cancelled();
        const auto& path = files[size_t(i)].first;
        int w = 0, h = 0, c = 0;
        // The header first: stb would otherwise allocate whatever a hostile header claims.
        if (!stbi_info(path.c_str(), &w, &h, &c))
            throw DataError(path.string() + ": unreadable image (" + stbi_failure_reason() + ")");
        if (w < 1 || h < 1 || w > kMaxImageSide || h > kMaxImageSide)
            throw DataError(path.string() + ": image is " + std::to_string(w) + "x" + std::to_string(h) +
                            ", outside 1.." + std::to_string(kMaxImageSide) + " pixels per side");
        unsigned char* px = stbi_load(path.c_str(), &w, &h, &c, channels);
        if (!px) throw DataError(path.string() + ": unreadable image (" + stbi_failure_reason() + ")");
        const unsigned char* src = px;
        if (w != W || h != H) {
            if (!resize) {
                stbi_image_free(px);
                throw DataError(path.string() + ": image is " + std::to_string(w) + "x" + std::to_string(h) +
                                ", expected " + std::to_string(W) + "x" + std::to_string(H) +
                                " like the others (enable resizing to accept it)");
            }
            resized.resize(size_t(W) * size_t(H) * size_t(channels));
            const int ok = stbir_resize_uint8(px, w, h, 0, resized.data(), int(W), int(H), 0, channels);
            if (!ok) {
                stbi_image_free(px);
                throw DataError(path.string() + ": cannot resize the image to " + std::to_string(W) + "x" +
                                std::to_string(H));
            }
            src = resized.data();
        }
        // HWC -> CHW
        uint8_t* dst = out + i * channels * H * W;
        for (std::int64_t y = 0; y < H; ++y)
            for (std::int64_t x = 0; x < W; ++x)
                for (std::int64_t ch = 0; ch < channels; ++ch)
                    dst[(ch * H + y) * W + x] = src[(y * W + x) * channels + ch];
        stbi_image_free(px);
        lbl[i] = files[size_t(i)].second;
    }
    d.classes = classes;
    d.source = root.string();
    return d;
}

} // namespace phinet
