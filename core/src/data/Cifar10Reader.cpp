#include "phinet/data/Dataset.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"

#include <cstring>
#include <sstream>

namespace phinet {
namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kRecord = 1 + 3 * 32 * 32;

const std::vector<std::string> kCifarClasses{"airplane", "automobile", "bird",  "cat",  "deer",
                                             "dog",      "frog",       "horse", "ship", "truck"};
} // namespace

ImageDataset loadCifar10Binary(const fs::path& dir, Split split, const CancelToken* cancel)
{
    if (!fs::is_directory(dir)) throw DataError(dir.string() + ": data folder does not exist");
    std::vector<fs::path> files;
    if (split == Split::Train)
        for (int i = 1; i <= 5; ++i)
            files.push_back(dir / ("data_batch_" + std::to_string(i) + ".bin"));
    else
        files.push_back(dir / "test_batch.bin");
    // Each file is read once, in bounded chunks, and the tensor is sized from the bytes actually
    // read: a file that changes while it is read (an import into the same folder) cannot make the
    // copy overrun what was allocated.
    std::vector<std::string> contents;
    std::int64_t total = 0;
    for (const auto& f : files) {
        if (isCancelled(cancel)) throw Cancelled();
        if (!fs::exists(f)) throw DataError(f.string() + ": missing CIFAR-10 binary batch");
        contents.push_back(readFileBounded(f, kMaxDatasetBytes - total * kRecord));
        const auto size = std::int64_t(contents.back().size());
        if (size == 0 || size % kRecord != 0)
            throw DataError(f.string() + ": truncated or not a CIFAR-10 binary batch (" + std::to_string(size) +
                            " bytes is not a multiple of the 3073-byte record)");
        total += size / kRecord;
    }
    ImageDataset d;
    d.images = torch::empty({total, 3, 32, 32}, torch::kUInt8);
    d.labels = torch::empty({total}, torch::kLong);
    auto* img = d.images.data_ptr<uint8_t>();
    auto* lbl = d.labels.data_ptr<int64_t>();
    std::int64_t n = 0;
    for (size_t fi = 0; fi < files.size(); ++fi) {
        const auto& f = files[fi];
        const auto& buf = contents[fi];
        const auto records = std::int64_t(buf.size()) / kRecord;
        for (std::int64_t r = 0; r < records; ++r, ++n) {
            if (r % 4096 == 0 && isCancelled(cancel)) throw Cancelled();
            const auto* rec = reinterpret_cast<const unsigned char*>(buf.data() + r * kRecord);
            if (rec[0] > 9)
                throw DataError(f.string() + ": record " + std::to_string(r) + " has label " + std::to_string(rec[0]) +
                                " (expected 0..9)");
            lbl[n] = rec[0];
            std::memcpy(img + n * 3072, rec + 1, 3072); // R, G, B planes: already C x H x W
        }
        std::string().swap(contents[fi]);
    }
    d.classes = kCifarClasses;
    const auto meta = dir / "batches.meta.txt";
    if (fs::exists(meta)) {
        std::istringstream in(readFileBounded(meta, 1 << 16));
        std::vector<std::string> names;
        for (std::string line; std::getline(in, line);) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
                line.pop_back();
            if (!line.empty()) names.push_back(line);
        }
        if (names.size() == 10) d.classes = names;
    }
    d.source = dir.string();
    return d;
}

} // namespace phinet
