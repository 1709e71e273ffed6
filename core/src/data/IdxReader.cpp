#include "phinet/data/Dataset.h"

#include "phinet/common/Error.h"

#include <zlib.h>

#include <cstring>

namespace phinet {
namespace fs = std::filesystem;

namespace {

/// A gzFile that reads raw and gzip-compressed files alike.
struct GzReader {
    gzFile f = nullptr;
    fs::path path;
    explicit GzReader(const fs::path& p) : path(p)
    {
        f = gzopen(p.c_str(), "rb");
        if (!f) throw DataError(p.string() + ": cannot open file");
        gzbuffer(f, 1 << 20);
    }
    ~GzReader()
    {
        if (f) gzclose(f);
    }
    /// Reads up to n bytes; returns how many were read.
    std::int64_t read(void* dst, std::int64_t n)
    {
        std::int64_t total = 0;
        auto* out = static_cast<unsigned char*>(dst);
        while (total < n) {
            const unsigned chunk = unsigned(std::min<std::int64_t>(n - total, 1 << 30));
            const int got = gzread(f, out + total, chunk);
            if (got < 0) {
                int err = 0;
                throw DataError(path.string() + ": corrupt or unreadable data (" + gzerror(f, &err) + ")");
            }
            if (got == 0) break;
            total += got;
        }
        return total;
    }
};

std::uint32_t bigEndian(const unsigned char* b)
{
    return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
}

} // namespace

torch::Tensor readIdx(const fs::path& path, std::int64_t maxElements, const CancelToken* cancel)
{
    GzReader in(path);
    unsigned char magic[4];
    if (in.read(magic, 4) != 4) throw DataError(path.string() + ": truncated: no IDX header");
    if (magic[0] != 0 || magic[1] != 0 || magic[3] < 1 || magic[3] > 4) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
        throw DataError(path.string() + ": not an IDX file (magic number " + buf +
                        ", expected 0x00000801 for labels or 0x00000803 for images)");
    }
    if (magic[2] != 0x08)
        throw DataError(path.string() + ": IDX element type 0x" + std::to_string(magic[2]) +
                        " is not supported (expected 0x08, unsigned byte)");
    const int ndim = magic[3];
    std::vector<int64_t> dims(size_t(ndim), 0);
    std::int64_t count = 1;
    for (int i = 0; i < ndim; ++i) {
        unsigned char b[4];
        if (in.read(b, 4) != 4) throw DataError(path.string() + ": truncated: IDX header ends early");
        dims[size_t(i)] = bigEndian(b);
        // Each dim is below 2^32 and the bound below 2^62: checking before multiplying keeps the
        // product from overflowing.
        if (dims[size_t(i)] == 0)
            throw DataError(path.string() + ": IDX file holds no elements (dimension " + std::to_string(i) + " is 0)");
        if (dims[size_t(i)] > maxElements / count)
            throw DataError(path.string() + ": IDX dimensions ask for more than " + std::to_string(maxElements) +
                            " elements, the most a data set may hold here");
        count *= dims[size_t(i)];
    }
    // Memory follows the data actually present, never the header's claim: a short file (or a gzip
    // stream that ends early) stops the reading before the claimed size is ever allocated.
    const std::int64_t chunk = std::int64_t(16) << 20;
    std::vector<std::uint8_t> buf;
    buf.reserve(size_t(std::min(count, chunk)));
    while (std::int64_t(buf.size()) < count) {
        if (isCancelled(cancel)) throw Cancelled();
        const std::int64_t want = std::min(chunk, count - std::int64_t(buf.size()));
        const size_t at = buf.size();
        buf.resize(at + size_t(want));
        const auto got = in.read(buf.data() + at, want);
        if (got != want)
            throw DataError(path.string() + ": truncated: expected " + std::to_string(count) +
                            " bytes of data, found " + std::to_string(std::int64_t(at) + got));
    }
    // The tensor takes the buffer over (no second copy of up to a gigabyte).
    auto* owned = new std::vector<std::uint8_t>(std::move(buf));
    return torch::from_blob(
        owned->data(), dims, [owned](void*) { delete owned; }, torch::kUInt8);
}

void writeIdx(const fs::path& path, const torch::Tensor& data)
{
    auto t = data.to(torch::kUInt8).contiguous();
    const bool gz = path.extension() == ".gz";
    const auto tmp = fs::path(path.string() + ".tmp");
    gzFile f = gzopen(tmp.c_str(), gz ? "wb6" : "wbT");
    if (!f) throw DataError(path.string() + ": cannot write file");
    std::vector<unsigned char> header{0, 0, 0x08, static_cast<unsigned char>(t.dim())};
    for (auto d : t.sizes()) {
        header.push_back((d >> 24) & 0xff);
        header.push_back((d >> 16) & 0xff);
        header.push_back((d >> 8) & 0xff);
        header.push_back(d & 0xff);
    }
    bool ok = gzwrite(f, header.data(), unsigned(header.size())) == int(header.size());
    if (t.numel() > 0) ok = ok && gzwrite(f, t.data_ptr<uint8_t>(), unsigned(t.numel())) == int(t.numel());
    ok = (gzclose(f) == Z_OK) && ok;
    if (!ok) {
        fs::remove(tmp);
        throw DataError(path.string() + ": write failed");
    }
    fs::rename(tmp, path);
}

ImageDataset loadIdxFolder(const fs::path& dir, Split split, const CancelToken* cancel)
{
    const char* imgBase = split == Split::Train ? "train-images" : "t10k-images";
    const char* lblBase = split == Split::Train ? "train-labels" : "t10k-labels";
    auto find = [&](const std::string& base, const char* dimTag) -> fs::path {
        for (const std::string sep : {"-", "."})
            for (const std::string ext : {"", ".gz"}) {
                const auto p = dir / (base + sep + dimTag + "-ubyte" + ext);
                if (fs::exists(p)) return p;
            }
        throw DataError(dir.string() + ": no " + base + "-" + dimTag +
                        "-ubyte[.gz] file (expected the official MNIST file names)");
    };
    if (!fs::is_directory(dir)) throw DataError(dir.string() + ": data folder does not exist");
    const auto imgPath = find(imgBase, "idx3");
    const auto lblPath = find(lblBase, "idx1");
    auto images = readIdx(imgPath, kMaxDatasetBytes, cancel);
    auto labels = readIdx(lblPath, kMaxDatasetImages, cancel);
    if (labels.dim() != 1)
        throw DataError(lblPath.string() + ": expected a 1-dimensional label file, found " +
                        std::to_string(labels.dim()) + " dimensions");
    if (images.dim() != 3)
        throw DataError(imgPath.string() + ": expected a 3-dimensional image file (N x H x W), found " +
                        std::to_string(images.dim()) + " dimensions");
    if (images.size(0) != labels.size(0))
        throw DataError(imgPath.string() + " has " + std::to_string(images.size(0)) + " images but " +
                        lblPath.string() + " has " + std::to_string(labels.size(0)) + " labels");
    ImageDataset d;
    d.images = images.unsqueeze(1).contiguous();
    d.labels = labels.to(torch::kLong);
    const auto maxLabel = d.labels.max().item<int64_t>();
    if (maxLabel > 9) throw DataError(lblPath.string() + ": label " + std::to_string(maxLabel) + " out of range 0..9");
    d.classes = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    d.source = dir.string();
    return d;
}

} // namespace phinet
