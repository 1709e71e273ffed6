#include "phinet/data/DataPreview.h"

#include "phinet/common/Error.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"
#include "phinet/data/Dataset.h"

#include <algorithm>
#include <random>

namespace fs = std::filesystem;

namespace phinet {

DataPreview previewData(const DataConfig& config, int count, std::uint64_t seed, const CancelToken* cancel)
{
    if (count < 0) throw ConfigError("preview: the sample count must be >= 0, got " + std::to_string(count));
    DataPreview p;
    p.folder = resolveDataDir(config).string();
    const auto splits = loadData(config, cancel);
    p.info = splits.info();
    const auto& train = *splits.train;
    const std::int64_t n = train.size();
    if (n == 0 || count == 0) return p;

    // Indices per class, each list shuffled with the seed; then classes in turn.
    const auto labels = train.labels.contiguous();
    const auto* lab = labels.data_ptr<std::int64_t>();
    const std::size_t numClasses = std::max<std::size_t>(train.classes.size(), 1);
    std::vector<std::vector<std::int64_t>> byClass(numClasses);
    for (std::int64_t i = 0; i < n; ++i) byClass[std::size_t(lab[i]) % numClasses].push_back(i);
    std::mt19937_64 rng(seed);
    for (auto& v : byClass) std::shuffle(v.begin(), v.end(), rng);
    std::vector<std::int64_t> picked;
    for (std::size_t round = 0; int(picked.size()) < count; ++round) {
        bool any = false;
        for (auto& v : byClass)
            if (round < v.size() && int(picked.size()) < count) {
                picked.push_back(v[round]);
                any = true;
            }
        if (!any) break;
    }

    const auto images = train.images.contiguous();
    const int c = train.channels(), h = train.height(), w = train.width();
    const std::size_t bytes = std::size_t(c) * std::size_t(h) * std::size_t(w);
    const auto* px = images.data_ptr<std::uint8_t>();
    for (auto i : picked) {
        SampleImage s;
        s.label = int(lab[i]);
        s.className = std::size_t(s.label) < train.classes.size() ? train.classes[std::size_t(s.label)] : std::to_string(s.label);
        s.channels = c;
        s.height = h;
        s.width = w;
        s.pixels.assign(px + std::size_t(i) * bytes, px + std::size_t(i + 1) * bytes);
        p.samples.push_back(std::move(s));
    }
    return p;
}

fs::path importTarget(DatasetKind kind)
{
    if (kind == DatasetKind::Folder)
        throw ConfigError("data.kind: a folder data set is used where it is; only mnist, fashion-mnist and cifar10 are imported");
    return userDataDir() / "data" / toString(kind);
}

fs::path importDataset(DatasetKind kind, const fs::path& from, const CancelToken* cancel)
{
    const auto target = importTarget(kind);
    if (!fs::is_directory(from)) throw DataError(from.string() + ": not a folder");
    std::error_code ec;
    if (fs::weakly_canonical(from, ec) == fs::weakly_canonical(target, ec))
        throw ConfigError(from.string() + ": this is already the imported " + toString(kind) + " folder");

    // Validate first: both splits must load.
    DataConfig probe;
    probe.kind = kind;
    probe.dataDir = from.string();
    loadData(probe, cancel);

    fs::create_directories(target.parent_path());
    const auto staging = target.parent_path() / ("." + target.filename().string() + ".partial");
    const auto old = target.parent_path() / ("." + target.filename().string() + ".old");
    fs::remove_all(staging);
    try {
        fs::copy(from, staging, fs::copy_options::recursive);
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(staging, ec);
        throw DataError(from.string() + ": copying into " + target.string() + " failed: " + e.what());
    }
    fs::remove_all(old, ec);
    if (fs::exists(target)) fs::rename(target, old);
    fs::rename(staging, target);
    fs::remove_all(old, ec);
    clearDataCache();
    logger()->info("imported {} from {} into {}", toString(kind), from.string(), target.string());
    return target;
}

} // namespace phinet
