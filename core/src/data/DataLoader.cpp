#include "phinet/data/Dataset.h"

#include "phinet/common/Limits.h"

#include "phinet/common/Error.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

std::string toString(DatasetKind k)
{
    switch (k) {
    case DatasetKind::Mnist:
        return "mnist";
    case DatasetKind::FashionMnist:
        return "fashion-mnist";
    case DatasetKind::Cifar10:
        return "cifar10";
    case DatasetKind::Folder:
        return "folder";
    }
    return "mnist";
}

std::optional<DatasetKind> datasetKindFromString(const std::string& s)
{
    const std::string l = normalisedName(s);
    if (l == "mnist") return DatasetKind::Mnist;
    if (l == "fashion-mnist" || l == "fashionmnist") return DatasetKind::FashionMnist;
    if (l == "cifar10" || l == "cifar-10") return DatasetKind::Cifar10;
    if (l == "folder") return DatasetKind::Folder;
    return std::nullopt;
}

void defaultNormalisation(DatasetKind kind, int channels, std::vector<double>& mean, std::vector<double>& std)
{
    if ((kind == DatasetKind::Mnist || kind == DatasetKind::FashionMnist) && channels == 1) {
        mean = {0.1307};
        std = {0.3081};
    } else if (kind == DatasetKind::Cifar10 && channels == 3) {
        // The study's CIFAR-10 cells normalise with the ImageNet statistics.
        mean = {0.485, 0.456, 0.406};
        std = {0.229, 0.224, 0.225};
    } else {
        mean.assign(size_t(channels), 0.5);
        std.assign(size_t(channels), 0.5);
    }
}

Problems DataConfig::validate() const
{
    Problems e;
    if (mean.size() != std.size()) e.push_back({"data.std", "must have as many values as data.mean"});
    for (double s : std)
        if (!(s > 0)) e.push_back({"data.std", "every value must be > 0"});
    if (mean.size() > 64) e.push_back({"data.mean", "at most 64 channels"});
    for (double m : mean)
        if (!(m >= -1000 && m <= 1000)) e.push_back({"data.mean", "every value must be in [-1000, 1000]"});
    for (double s : std)
        if (!(s <= 1000)) e.push_back({"data.std", "every value must be in (0, 1000]"});
    checkRange(e, "data.validation_fraction", validationFraction, 0.0, 1.0, Bounds::OpenHigh);
    checkRange(e, "data.limit_train", limitTrain, std::int64_t(0), kMaxDatasetImages);
    checkRange(e, "data.limit_test", limitTest, std::int64_t(0), kMaxDatasetImages);
    checkRange(e, "data.crop_padding", cropPadding, 0, 16);
    // 0 = the images' own size; otherwise the size the model's input range allows.
    for (int i = 0; i < 2; ++i)
        if (imageSize[size_t(i)] != 0)
            checkRange(e, i == 0 ? "data.image_size[0]" : "data.image_size[1]", imageSize[size_t(i)], 8, 2048);
    return e;
}

json toJson(const DataConfig& c)
{
    return json{{"dataset", toString(c.kind)},
                {"data_dir", c.dataDir},
                {"mean", c.mean},
                {"std", c.std},
                {"augment", c.augment},
                {"crop_padding", c.cropPadding},
                {"horizontal_flip", c.horizontalFlip},
                {"validation_fraction", c.validationFraction},
                {"limit_train", c.limitTrain},
                {"limit_test", c.limitTest},
                {"image_size", {c.imageSize[0], c.imageSize[1]}},
                {"resize_mismatched", c.resizeMismatched}};
}

DataConfig dataConfigFromJson(const json& j, const std::string& ctx)
{
    if (!j.is_object()) throw ConfigError(ctx + ": expected an object");
    DataConfig c;
    std::string kind = toString(c.kind);
    readField(j, "dataset", kind, ctx, "a string");
    auto k = datasetKindFromString(kind);
    if (!k) throw ConfigError(ctx + ".dataset: expected mnist, fashion-mnist, cifar10 or folder, got \"" + kind + "\"");
    c.kind = *k;
    readField(j, "data_dir", c.dataDir, ctx, "a folder path");
    readField(j, "mean", c.mean, ctx, "a list of numbers");
    readField(j, "std", c.std, ctx, "a list of numbers");
    readField(j, "augment", c.augment, ctx, "true or false");
    readField(j, "crop_padding", c.cropPadding, ctx, "an integer");
    readField(j, "horizontal_flip", c.horizontalFlip, ctx, "true or false");
    readField(j, "validation_fraction", c.validationFraction, ctx, "a number");
    readField(j, "limit_train", c.limitTrain, ctx, "an integer");
    readField(j, "limit_test", c.limitTest, ctx, "an integer");
    readField(j, "image_size", c.imageSize, ctx, "[H, W]");
    readField(j, "resize_mismatched", c.resizeMismatched, ctx, "true or false");
    auto errors = c.validate();
    if (!errors.empty()) throw ConfigError(errors);
    return c;
}

namespace {

fs::path bundledMnist()
{
    return resourceDir() / "data" / "mnist-subset";
}

/// Whether an MNIST folder holds training images (what loadIdxFolder() reads first).
bool holdsIdxData(const fs::path& dir)
{
    std::error_code ec;
    return fs::is_regular_file(dir / "train-images-idx3-ubyte", ec) ||
           fs::is_regular_file(dir / "train-images-idx3-ubyte.gz", ec);
}

} // namespace

fs::path bundledFallbackFrom(const DataConfig& c)
{
    if (!c.dataDir.empty() || c.kind != DatasetKind::Mnist) return {};
    const auto user = userDataDir() / "data" / "mnist";
    return holdsIdxData(user) ? fs::path() : user;
}

std::string fallbackNote(const DatasetInfo& info)
{
    if (info.fallbackFrom.empty()) return {};
    return "bundled subset used because " + info.fallbackFrom + " has no data";
}

fs::path resolveDataDir(const DataConfig& c)
{
    if (!c.dataDir.empty()) return c.dataDir;
    const auto user = userDataDir() / "data";
    switch (c.kind) {
    case DatasetKind::Mnist:
        if (bundledFallbackFrom(c).empty()) return user / "mnist";
        return bundledMnist();
    case DatasetKind::FashionMnist:
        return user / "fashion-mnist";
    case DatasetKind::Cifar10:
        return user / "cifar10";
    case DatasetKind::Folder:
        throw ConfigError("data.data_dir: a folder data set needs its folder");
    }
    return user;
}

namespace {

std::mutex g_cacheMutex;
std::map<std::string, DatasetPtr> g_cache;

const std::vector<std::string> kFashionClasses{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                               "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

DatasetPtr loadSplit(const DataConfig& c, const fs::path& dir, Split split, const std::vector<std::string>& classes,
                     const CancelToken* cancel)
{
    std::error_code ec;
    const auto canonical = fs::weakly_canonical(dir, ec);
    const std::string key = toString(c.kind) + "|" + (ec ? dir.string() : canonical.string()) + "|" +
                            (split == Split::Train ? "train" : "test") + "|" + std::to_string(c.imageSize[0]) + "x" +
                            std::to_string(c.imageSize[1]) + (c.resizeMismatched ? "r" : "");
    {
        std::lock_guard lock(g_cacheMutex);
        if (auto it = g_cache.find(key); it != g_cache.end()) return it->second;
    }
    auto d = std::make_shared<ImageDataset>();
    switch (c.kind) {
    case DatasetKind::Mnist:
    case DatasetKind::FashionMnist:
        *d = loadIdxFolder(dir, split, cancel);
        if (c.kind == DatasetKind::FashionMnist) d->classes = kFashionClasses;
        break;
    case DatasetKind::Cifar10:
        // Official binary batches if present, else a class-per-folder image tree.
        if (fs::exists(dir / "data_batch_1.bin") || fs::exists(dir / "test_batch.bin"))
            *d = loadCifar10Binary(dir, split, cancel);
        else if (fs::exists(dir / "cifar-10-batches-bin"))
            *d = loadCifar10Binary(dir / "cifar-10-batches-bin", split, cancel);
        else if (fs::is_directory(dir / "train") || fs::is_directory(dir / "test"))
            *d = loadImageFolder(dir, split, c.imageSize[0] ? c.imageSize : std::array<int, 2>{32, 32},
                                 c.resizeMismatched, classes, cancel);
        else
            throw DataError(dir.string() + ": no CIFAR-10 data (expected data_batch_1..5.bin/test_batch.bin or "
                                           "train/<class>/ and test/<class>/ image folders; run scripts/fetch-data)");
        break;
    case DatasetKind::Folder:
        *d = loadImageFolder(dir, split, c.imageSize, c.resizeMismatched, classes, cancel);
        break;
    }
    logger()->info("loaded {} {} split: {} images {}x{}x{} from {}", toString(c.kind),
                   split == Split::Train ? "train" : "test", d->size(), d->channels(), d->height(), d->width(),
                   dir.string());
    std::lock_guard lock(g_cacheMutex);
    g_cache[key] = d;
    return d;
}

/// Rows `idx` of a data set (a new, contiguous data set).
DatasetPtr select(const DatasetPtr& d, const torch::Tensor& idx)
{
    auto out = std::make_shared<ImageDataset>();
    out->images = d->images.index_select(0, idx).contiguous();
    out->labels = d->labels.index_select(0, idx).contiguous();
    out->classes = d->classes;
    out->source = d->source;
    return out;
}

/// A reproducible subset of n rows (fixed seed, independent of the training seed), in original order.
DatasetPtr limit(const DatasetPtr& d, std::int64_t n)
{
    if (n <= 0 || n >= d->size()) return d;
    auto gen = at::detail::createCPUGenerator(20231002);
    auto idx = torch::randperm(d->size(), gen, torch::kLong).slice(0, 0, n);
    return select(d, std::get<0>(idx.sort()));
}

} // namespace

DataSplits loadData(const DataConfig& config, const CancelToken* cancel)
{
    auto errors = config.validate();
    if (!errors.empty()) throw ConfigError(errors);
    const auto dir = resolveDataDir(config);
    if (const auto missing = bundledFallbackFrom(config); !missing.empty())
        logger()->warn("{} has no MNIST data (no train-images-idx3-ubyte[.gz]): using the bundled subset {} instead "
                       "(import or download MNIST in the Data area, or run scripts/fetch-data mnist)",
                       missing.string(), dir.string());
    DataSplits s;
    s.config = config;
    auto train = loadSplit(config, dir, Split::Train, {}, cancel);
    auto test = loadSplit(config, dir, Split::Test, train->classes, cancel);
    if (test->channels() != train->channels() || test->height() != train->height() || test->width() != train->width())
        throw DataError(dir.string() + ": test images are " + std::to_string(test->height()) + "x" +
                        std::to_string(test->width()) + ", train images " + std::to_string(train->height()) + "x" +
                        std::to_string(train->width()));
    train = limit(train, config.limitTrain);
    if (config.validationFraction > 0) {
        const auto nVal = std::max<std::int64_t>(1, std::int64_t(train->size() * config.validationFraction));
        auto gen = at::detail::createCPUGenerator(7);
        auto perm = torch::randperm(train->size(), gen, torch::kLong);
        s.validation = select(train, std::get<0>(perm.slice(0, 0, nVal).sort()));
        train = select(train, std::get<0>(perm.slice(0, nVal).sort()));
    }
    s.train = train;
    s.test = limit(test, config.limitTest);
    if (s.config.mean.empty()) defaultNormalisation(config.kind, train->channels(), s.config.mean, s.config.std);
    if (int(s.config.mean.size()) != train->channels())
        throw ConfigError("data.mean: " + std::to_string(s.config.mean.size()) + " values given for " +
                          std::to_string(train->channels()) + "-channel images");
    return s;
}

void clearDataCache()
{
    std::lock_guard lock(g_cacheMutex);
    g_cache.clear();
}

DatasetInfo DataSplits::info() const
{
    DatasetInfo i;
    i.source = train->source;
    i.trainCount = train->size();
    i.validationCount = validation ? validation->size() : 0;
    i.testCount = test->size();
    i.channels = train->channels();
    i.height = train->height();
    i.width = train->width();
    i.classes = train->classes;
    auto counts = torch::bincount(train->labels, {}, int64_t(train->classes.size()));
    for (int64_t k = 0; k < counts.size(0); ++k)
        i.trainClassCounts.push_back(counts[k].item<int64_t>());
    // from what was loaded, not from the folder now: an import since then does not change this answer
    if (config.dataDir.empty() && config.kind == DatasetKind::Mnist && i.source == bundledMnist().string())
        i.fallbackFrom = (userDataDir() / "data" / "mnist").string();
    return i;
}

BatchLoader::BatchLoader(DatasetPtr data, std::vector<double> mean, std::vector<double> std, Options options)
    : data_(std::move(data)), opt_(options), gen_(at::detail::createCPUGenerator(options.seed))
{
    if (opt_.shardCount < 1 || opt_.shardIndex < 0 || opt_.shardIndex >= opt_.shardCount)
        throw ConfigError("data shard " + std::to_string(opt_.shardIndex) + " of " + std::to_string(opt_.shardCount) +
                          ": the index must be in [0, count)");
    const int c = data_->channels();
    if (int(mean.size()) != c || int(std.size()) != c)
        throw ConfigError("data.mean/std: need " + std::to_string(c) + " values for " + std::to_string(c) +
                          "-channel images");
    auto m = torch::tensor(mean, torch::kFloat) * 255.0;
    auto s = torch::tensor(std, torch::kFloat) * 255.0;
    mean_ = m.view({1, c, 1, 1});
    invStd_ = (1.0 / s).view({1, c, 1, 1});
    startEpoch(0);
}

void BatchLoader::startEpoch(int epoch)
{
    epoch_ = epoch;
    cursor_ = 0;
    if (opt_.shuffle) {
        gen_.set_current_seed(opt_.seed * 1000003ULL + std::uint64_t(epoch));
        order_ = torch::randperm(data_->size(), gen_, torch::kLong);
    } else {
        order_ = torch::Tensor();
    }
}

std::int64_t BatchLoader::batchesPerEpoch() const
{
    const auto n = data_->size();
    return opt_.dropLast ? n / opt_.batchSize : (n + opt_.batchSize - 1) / opt_.batchSize;
}

bool BatchLoader::next(Batch& out)
{
    const auto n = data_->size();
    if (cursor_ >= n) return false;
    const auto end = std::min(n, cursor_ + opt_.batchSize);
    if (opt_.dropLast && end - cursor_ < opt_.batchSize) return false;
    const auto globalSize = end - cursor_;
    // This shard's rows of the global batch (all of it when not sharded).
    const auto shardBegin = globalSize * opt_.shardIndex / opt_.shardCount;
    const auto shardEnd = globalSize * (opt_.shardIndex + 1) / opt_.shardCount;
    const auto first = cursor_ + shardBegin, last = cursor_ + shardEnd;
    torch::Tensor raw, labels;
    if (order_.defined()) {
        auto idx = order_.slice(0, first, last);
        raw = data_->images.index_select(0, idx);
        labels = data_->labels.index_select(0, idx);
    } else {
        raw = data_->images.slice(0, first, last);
        labels = data_->labels.slice(0, first, last);
    }
    cursor_ = end;
    out.globalSize = globalSize;
    auto x = raw.to(torch::kFloat);
    if (opt_.augment) {
        const auto b = x.size(0), h = x.size(2), w = x.size(3);
        const int p = opt_.cropPadding;
        if (p > 0) {
            auto padded = torch::constant_pad_nd(x, {p, p, p, p}, 0.0);
            auto offs =
                torch::randint(0, 2 * p + 1, {globalSize, 2}, gen_, torch::kLong).slice(0, shardBegin, shardEnd);
            auto acc = offs.accessor<int64_t, 2>();
            std::vector<torch::Tensor> crops;
            crops.reserve(size_t(b));
            for (int64_t i = 0; i < b; ++i)
                crops.push_back(padded[i].slice(1, acc[i][0], acc[i][0] + h).slice(2, acc[i][1], acc[i][1] + w));
            x = torch::stack(crops);
        }
        if (opt_.horizontalFlip) {
            auto flip = (torch::rand({globalSize}, gen_) < 0.5).slice(0, shardBegin, shardEnd);
            x = torch::where(flip.view({b, 1, 1, 1}), x.flip({3}), x);
        }
    }
    // Normalise in the 0..255 domain: (x/255 - mean)/std == (x - 255 mean) / (255 std).
    x = (x - mean_) * invStd_;
    if (opt_.channelsLast) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    out.images = x;
    out.labels = labels;
    return true;
}

} // namespace phinet
