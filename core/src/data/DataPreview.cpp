#include "phinet/data/DataPreview.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"
#include "phinet/data/Dataset.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>
#include <random>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace phinet {

DataPreview previewData(const DataConfig& config, int count, std::uint64_t seed, const CancelToken* cancel)
{
    if (count < 0) throw ConfigError("preview: the sample count must be >= 0, got " + std::to_string(count));
    DataPreview p;
    p.folder = resolveDataDir(config).string();
    const auto splits = loadData(config, cancel);
    if (isCancelled(cancel)) throw Cancelled(); // a cached load returns at once
    p.info = splits.info();
    const auto& train = *splits.train;
    const std::int64_t n = train.size();
    if (n == 0 || count == 0) return p;

    // Indices per class, each list shuffled with the seed; then classes in turn.
    const auto labels = train.labels.contiguous();
    const auto* lab = labels.data_ptr<std::int64_t>();
    const std::size_t numClasses = std::max<std::size_t>(train.classes.size(), 1);
    std::vector<std::vector<std::int64_t>> byClass(numClasses);
    for (std::int64_t i = 0; i < n; ++i)
        byClass[std::size_t(lab[i]) % numClasses].push_back(i);
    std::mt19937_64 rng(seed);
    for (auto& v : byClass)
        std::shuffle(v.begin(), v.end(), rng);
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
        s.className =
            std::size_t(s.label) < train.classes.size() ? train.classes[std::size_t(s.label)] : std::to_string(s.label);
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
        throw ConfigError(
            "data.kind: a folder data set is used where it is; only mnist, fashion-mnist and cifar10 are imported");
    return userDataDir() / "data" / toString(kind);
}

namespace {

std::atomic<int> g_runsInProgress{0};

std::string sysError(int err)
{
    return std::error_code(err, std::generic_category()).message();
}

/// Flushes a file or folder to disk (so a renamed folder holds its data after a power cut). Folders
/// that refuse fsync are ignored: their files were flushed already.
void syncToDisk(const fs::path& path, bool folder)
{
    const int fd = ::open(path.c_str(), (folder ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        if (folder) return;
        throw DataError(path.string() + ": cannot open to flush (" + sysError(errno) + ")");
    }
    const int rc = ::fsync(fd), err = errno;
    ::close(fd);
    if (rc != 0 && !folder) throw DataError(path.string() + ": cannot flush to disk (" + sysError(err) + ")");
}

/// Copies the tree `from` into the new folder `to`, file by file, polling `cancel` between files;
/// then checks every copied file's size against its source and flushes the copy.
void copyTreeChecked(const fs::path& from, const fs::path& to, const CancelToken* cancel)
{
    fs::create_directory(to);
    std::vector<std::pair<fs::path, std::uintmax_t>> copied;
    for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
        if (isCancelled(cancel)) throw Cancelled();
        const auto rel = fs::relative(it->path(), from);
        const auto dst = to / rel;
        if (it->is_directory()) { // follows links, as the loaders do
            fs::create_directory(dst);
        } else {
            fs::copy_file(it->path(), dst); // a dangling link or unreadable file throws here
            copied.emplace_back(rel, fs::file_size(it->path()));
        }
    }
    for (const auto& [rel, size] : copied) {
        const auto got = fs::file_size(to / rel);
        if (got != size)
            throw DataError((from / rel).string() + ": the copy holds " + std::to_string(got) + " bytes, the source " +
                            std::to_string(size) + " (did it change during the import?)");
        syncToDisk(to / rel, false);
    }
    for (auto it = fs::recursive_directory_iterator(to); it != fs::recursive_directory_iterator(); ++it)
        if (it->is_directory()) syncToDisk(it->path(), true);
    syncToDisk(to, true);
}

/// What an import of `target` killed earlier left beside it: its temporary copies are removed; an
/// old copy set aside by the two-rename swap is put back if the target is missing (the kill fell
/// between the two renames), removed otherwise. Call only while holding the import lock.
void cleanImportLeftovers(const fs::path& target)
{
    const auto parent = target.parent_path();
    const std::string importPrefix = "." + target.filename().string() + ".import-";
    const std::string oldPrefix = "." + target.filename().string() + ".old-";
    std::error_code ec;
    std::vector<fs::path> imports, olds;
    for (const auto& e : fs::directory_iterator(parent, ec)) {
        const auto name = e.path().filename().string();
        if (name.rfind(importPrefix, 0) == 0)
            imports.push_back(e.path());
        else if (name.rfind(oldPrefix, 0) == 0)
            olds.push_back(e.path());
    }
    for (const auto& p : imports) {
        fs::remove_all(p, ec);
        logger()->info("removed {} (left by an interrupted import)", p.string());
    }
    for (const auto& p : olds) {
        if (!fs::exists(target)) {
            fs::rename(p, target, ec);
            if (!ec) {
                logger()->warn("{} was missing after an interrupted import: restored the previous copy",
                               target.string());
                continue;
            }
        }
        fs::remove_all(p, ec);
    }
}

/// Puts `staging` in the place of `target` in one step. With RENAME_EXCHANGE the two names swap
/// atomically and the old copy ends up at `staging`; without it (a file system that lacks it) the
/// old copy is renamed aside first, which leaves a moment without `target` that the next import
/// repairs (cleanImportLeftovers). Returns where the old copy is (empty if there was none).
fs::path swapIn(const fs::path& staging, const fs::path& target)
{
    if (!fs::exists(target)) {
        fs::rename(staging, target);
        return {};
    }
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) return staging;
    const int err = errno;
    if (err != EINVAL && err != ENOSYS && err != ENOTSUP)
        throw DataError(target.string() + ": cannot swap in the new copy (" + sysError(err) + ")");
    const auto old = target.parent_path() / ("." + target.filename().string() + ".old-" + std::to_string(::getpid()));
    fs::rename(target, old);
    fs::rename(staging, target);
    return old;
}

} // namespace

RunInProgress::RunInProgress()
{
    ++g_runsInProgress;
}

RunInProgress::~RunInProgress()
{
    --g_runsInProgress;
}

bool RunInProgress::active()
{
    return g_runsInProgress.load() > 0;
}

fs::path importDataset(DatasetKind kind, const fs::path& from, const CancelToken* cancel)
{
    const auto target = importTarget(kind);
    if (RunInProgress::active())
        throw ConfigError("import of " + toString(kind) +
                          " refused: a run is in progress and reads the data folder; "
                          "import when it has finished or been cancelled");
    if (!fs::is_directory(from)) throw DataError(from.string() + ": not a folder");
    std::error_code ec;
    if (fs::weakly_canonical(from, ec) == fs::weakly_canonical(target, ec))
        throw ConfigError(from.string() + ": this is already the imported " + toString(kind) + " folder");

    const auto parent = target.parent_path();
    fs::create_directories(parent);
    std::optional<FolderLock> lock;
    try {
        lock.emplace(parent);
    } catch (const DataError&) {
        throw ConfigError(parent.string() + ": another import into the data folder is in progress; try again when it "
                                            "has finished");
    }
    cleanImportLeftovers(target);

    // Validate first: both splits must load (the messages name the source's files).
    DataConfig probe;
    probe.kind = kind;
    probe.dataDir = from.string();
    loadData(probe, cancel);
    clearDataCache(); // the probe's copy in memory is not what the target will hold
    const auto staging = parent / ("." + target.filename().string() + ".import-" + std::to_string(::getpid()));
    try {
        copyTreeChecked(from, staging, cancel);
        if (isCancelled(cancel)) throw Cancelled();
    } catch (const Cancelled&) {
        fs::remove_all(staging, ec);
        throw;
    } catch (const Error&) {
        fs::remove_all(staging, ec);
        throw;
    } catch (const std::exception& e) {
        fs::remove_all(staging, ec);
        throw DataError(from.string() + ": copying into " + target.string() +
                        " failed (the previous copy is kept): " + e.what());
    }
    const auto old = swapIn(staging, target);
    syncToDisk(parent, true);
    if (!old.empty()) fs::remove_all(old, ec);
    clearDataCache();
    logger()->info("imported {} from {} into {}", toString(kind), from.string(), target.string());
    return target;
}

} // namespace phinet
