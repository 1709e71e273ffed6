#pragma once
/// What the workbench's Data area needs without Torch: a data set's summary with a few sample
/// images as plain bytes, and importing a data set folder into the user's data folder.

#include "phinet/common/Cancel.h"
#include "phinet/data/DataConfig.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace phinet {

/// One image as stored (before normalisation): channels x height x width bytes.
struct SampleImage {
    int label = 0;
    std::string className;
    int channels = 0, height = 0, width = 0;
    std::vector<std::uint8_t> pixels; ///< CHW, uint8
};

struct DataPreview {
    std::string folder; ///< the folder the data came from
    DatasetInfo info;
    std::vector<SampleImage> samples; ///< training images, evenly spread over the classes
};

/// Loads the data of `config` (through loadData()'s cache) and picks `count` training images, the
/// same ones for the same seed, taking classes in turn. Throws DataError / ConfigError naming the
/// folder or field.
DataPreview previewData(const DataConfig& config, int count, std::uint64_t seed = 1,
                        const CancelToken* cancel = nullptr);

/// Where importDataset() puts a data set of this kind: <data>/data/<mnist|fashion-mnist|cifar10>.
std::filesystem::path importTarget(DatasetKind kind);

/// Checks that `from` holds a readable data set of `kind` (both splits load), copies its files into a
/// temporary folder beside importTarget(kind), checks the copy (every file, its size), flushes it to
/// disk, and only then swaps it in with one atomic rename (RENAME_EXCHANGE where the file system has
/// it). A kill at any moment leaves the old or the new complete copy; what a killed import left is
/// cleaned (or restored) by the next one. Returns the target. Polls `cancel` while loading and
/// between files (Cancelled; the old copy stays). Refused with ConfigError while a study or sweep
/// runs in this process (RunInProgress) or another import holds the data folder. Folder data sets are
/// used in place, so `kind` must be MNIST, Fashion-MNIST or CIFAR-10; ConfigError / DataError otherwise.
std::filesystem::path importDataset(DatasetKind kind, const std::filesystem::path& from,
                                    const CancelToken* cancel = nullptr);

/// Marks a study or sweep as running in this process for the object's life; importDataset() refuses
/// while any is alive, since the run reads the data folder. runExperiment() and runSweep() hold one.
class RunInProgress {
public:
    RunInProgress();
    ~RunInProgress();
    RunInProgress(const RunInProgress&) = delete;
    RunInProgress& operator=(const RunInProgress&) = delete;
    /// Whether any RunInProgress is alive in this process.
    static bool active();
};

} // namespace phinet
