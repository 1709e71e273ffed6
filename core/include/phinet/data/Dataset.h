#pragma once
/// Data sets decoded once into contiguous uint8 tensors, readers for IDX, CIFAR-10 binary batches
/// and image folders, and the batch loader (normalisation, augmentation, seeded shuffling).
/// Includes Torch: not for GUI translation units.

#include "phinet/common/Cancel.h"
#include "phinet/data/DataConfig.h"

#include <torch/torch.h>

#include <filesystem>
#include <memory>

namespace phinet {

enum class Split { Train, Test };

/// The most decoded image bytes one split may hold (1 GiB: MNIST's training split is 47 MiB,
/// CIFAR-10's 150 MiB) and the most images (16 Mi, so widened labels stay under 128 MiB). Every
/// reader checks what a header asks for against these before allocating, so a hostile or damaged
/// file gets a clear error instead of an allocation.
constexpr std::int64_t kMaxDatasetBytes = 1LL << 30;
constexpr std::int64_t kMaxDatasetImages = 1LL << 24;

/// Images N x C x H x W (uint8, contiguous) and labels N (int64).
struct ImageDataset {
    torch::Tensor images;
    torch::Tensor labels;
    std::vector<std::string> classes;
    std::string source;
    std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
    int channels() const { return int(images.size(1)); }
    int height() const { return int(images.size(2)); }
    int width() const { return int(images.size(3)); }
};
using DatasetPtr = std::shared_ptr<const ImageDataset>;

/// Reads one IDX file (raw or gzip-compressed, detected by content) as a uint8 tensor with the
/// file's dimensions. Throws DataError naming the file on a bad magic number, an element type other
/// than unsigned byte, truncated data, or dimensions whose product exceeds `maxElements` (checked
/// before anything is allocated). Polls `cancel` while decoding.
torch::Tensor readIdx(const std::filesystem::path& path, std::int64_t maxElements = kMaxDatasetBytes,
                      const CancelToken* cancel = nullptr);
/// Writes an IDX file of unsigned bytes (dims from the tensor), gzip-compressed if the name ends in .gz.
void writeIdx(const std::filesystem::path& path, const torch::Tensor& data);

/// MNIST/Fashion-MNIST from a folder with the official file names (train-images-idx3-ubyte[.gz], ...).
ImageDataset loadIdxFolder(const std::filesystem::path& dir, Split split, const CancelToken* cancel = nullptr);
/// CIFAR-10 binary batches (data_batch_1..5.bin or test_batch.bin, batches.meta.txt).
ImageDataset loadCifar10Binary(const std::filesystem::path& dir, Split split, const CancelToken* cancel = nullptr);
/// train/<class>/*.{png,jpg,jpeg,bmp} or test/<class>/*; classes sorted by name. Images of another
/// size are resized to `size` (or rejected when !resize). The train split defines the classes.
ImageDataset loadImageFolder(const std::filesystem::path& dir, Split split, std::array<int, 2> size, bool resize,
                             const std::vector<std::string>& classes = {}, const CancelToken* cancel = nullptr);

/// Train/validation/test splits ready for training.
struct DataSplits {
    DatasetPtr train, validation, test;
    DataConfig config; ///< with the normalisation filled in
    DatasetInfo info() const;
};

/// Loads (through an in-memory cache keyed by kind, folder and split) and splits the data of a
/// config. Resolves an empty dataDir as DataConfig says. Throws DataError / ConfigError.
DataSplits loadData(const DataConfig& config, const CancelToken* cancel = nullptr);

/// One batch: normalised float images (channels-last when asked) and int64 labels.
struct Batch {
    torch::Tensor images;
    torch::Tensor labels;
    /// Images in the whole (global) batch across shards; labels.size(0) when not sharded.
    std::int64_t globalSize = 0;
};

/// Iterates a data set in batches. Shuffling uses its own generator seeded with (seed, epoch), so an
/// epoch's order is reproducible and a resumed run sees the same batches.
class BatchLoader {
public:
    struct Options {
        std::int64_t batchSize = 128;
        bool shuffle = false;
        bool augment = false;
        bool dropLast = false;
        std::uint64_t seed = 1;
        bool channelsLast = false;
        int cropPadding = 4;
        bool horizontalFlip = true;
        /// Data-parallel shard: every batch is the same global batch of batchSize images on every
        /// rank (same seed, same order); rank shardIndex gets rows [g*i/n, g*(i+1)/n) of it, and the
        /// augmentation draws are made for the whole global batch, so n shards see exactly what one
        /// process would. A shard may be empty in a last, short batch.
        int shardIndex = 0;
        int shardCount = 1;
    };
    BatchLoader(DatasetPtr data, std::vector<double> mean, std::vector<double> std, Options options);

    /// Starts an epoch: reshuffles (when shuffling) with the epoch's seed.
    void startEpoch(int epoch);
    std::int64_t batchesPerEpoch() const;
    /// Next batch of the epoch; false when the epoch is done.
    bool next(Batch& out);
    const ImageDataset& dataset() const { return *data_; }

private:
    DatasetPtr data_;
    torch::Tensor mean_, invStd_;
    Options opt_;
    torch::Tensor order_;
    std::int64_t cursor_ = 0;
    int epoch_ = 0;
    torch::Generator gen_;
};

} // namespace phinet
