#pragma once
/// The study pipeline and sweeps: typed events, cancel, on-disk stage cache and resume, reports and
/// run history. Torch-free: the GUI's job runner calls these on a worker thread.

#include "phinet/common/Cancel.h"
#include "phinet/experiment/ExperimentConfig.h"
#include "phinet/experiment/StageCache.h"
#include "phinet/report/Results.h"

#include <filesystem>

namespace phinet {

/// One event of a running experiment or sweep.
struct ExperimentEvent {
    enum class Type {
        StageStarted,  ///< stage, model
        StageFinished, ///< stage, model, message (what it produced)
        StageSkipped,  ///< stage (switched off, or cached from an earlier run: message says which)
        StageFailed,   ///< stage, message (the error a person can act on)
        Batch,         ///< batch: training progress of `model`
        Epoch,         ///< epoch: an epoch summary of `model`
        QatEpoch,      ///< qatEpoch: fake-quant vs converted accuracy
        ModelMeasured, ///< result: a finished row (study model or sweep point row)
        Progress       ///< overall progress only
    };
    Type type = Type::Progress;
    Stage stage = Stage::Build;
    std::string model; ///< "original-fp32", ...
    std::string message;
    double overall = 0; ///< 0..1 of the whole run (stage-weighted estimate)
    double etaSeconds = -1;
    BatchProgress batch;
    EpochSummary epoch;
    QatEpoch qatEpoch;
    ModelResult result;
};

/// Receives events on the thread running the experiment (throttled: training batches every
/// TrainConfig::reportEvery). Keep handlers short; the GUI queues them to its own thread.
class ExperimentObserver {
public:
    virtual ~ExperimentObserver() = default;
    virtual void onEvent(const ExperimentEvent& e) = 0;
};

struct ExperimentResult {
    std::vector<ModelResult> models;
    Manifest manifest;
    std::filesystem::path outDir;
    std::filesystem::path csvPath, jsonPath;
    std::int64_t runId = 0;
    bool cancelled = false;
    /// Distributed studies: this process's rank. Only rank 0 writes the folder and reports; the
    /// others return an empty result after following its training stages.
    int rank = 0;
};

class ProcessGroup;

/// Runs the study: build -> train ORIGINAL -> train MODIFIED -> PTQ -> QAT -> measure -> report, into
/// `outDir` (checkpoints, INT8 files, state.json, results.csv, results.json). Finished stages are
/// cached, keyed on the inputs each reads (see planStudy()): a run into a folder holding an earlier run,
/// of this config or another, reuses every stage whose key is unchanged and re-runs the rest; a
/// cancelled or crashed run resumes where it stopped (a training stage from its last finished epoch).
/// A changed config is recorded as a new run of the history. Throws DataError if another run (this
/// process or another) is using the folder: the folder is locked (FolderLock) for the run's duration.
/// Cancel returns what finished (cancelled = true).
/// With a process group of more than one rank (config.distributed, every rank started with the same
/// config, e.g. by `phinet launch` or srun), the training stages train data-parallel on every rank:
/// rank 0 runs the pipeline and tells the others, through the group's store, which training stage
/// to join (and whether it resumes from rank 0's checkpoint); the others load the data, train their
/// shards and write nothing. PTQ, QAT, the measurements and the report run on rank 0 alone.
ExperimentResult runExperiment(const ExperimentConfig& config, const std::filesystem::path& outDir,
                               ExperimentObserver* observer = nullptr, const CancelToken* cancel = nullptr,
                               ProcessGroup* group = nullptr);

struct SweepResult {
    std::vector<ModelResult> rows;
    nlohmann::json manifest; ///< as written to results.json (null until the first point is written)
    std::filesystem::path outDir, csvPath, jsonPath;
    std::int64_t runId = 0;
    bool cancelled = false;
    int pointsDone = 0, pointsTotal = 0;
};

/// Runs a sweep point by point (each point: every variant) into `outDir`; each finished point is
/// committed to the run store and the CSV/JSON rewritten atomically, so a killed sweep started again
/// on the same folder continues at the first missing point with no duplicated or lost rows.
/// `index`/`count` runs only the points i with i % count == index (a Slurm job array or Kubernetes
/// indexed Job runs the shards); the folder records the shard, and mergeSweepShards() combines them.
struct SweepShard {
    int index = 0;
    int count = 1;
};
SweepResult runSweep(const SweepConfig& config, const std::filesystem::path& outDir,
                     ExperimentObserver* observer = nullptr, const CancelToken* cancel = nullptr,
                     const SweepShard& shard = {});
/// Combines the folders of a sharded sweep (each written by runSweep with a shard) into `outDir`:
/// sweep.csv and results.json in the unsharded sweep's point order, sweep.json, and one run-store
/// entry, as if the sweep had run in one piece. Throws ConfigError naming the folder when shards are
/// of different sweeps (configuration or shard count), repeated, missing or unfinished.
SweepResult mergeSweepShards(const std::vector<std::filesystem::path>& shardDirs, const std::filesystem::path& outDir);

/// Validates the network of every point and variant of a sweep (runSweep does, before its first
/// point); each problem is named "sweep.values[i] (knob = value, variant): field: ...".
Problems validateSweepPoints(const SweepConfig& config);

/// A default output folder for a run: <data>/runs/<name>-<date>.
std::filesystem::path defaultRunDir(const std::string& name);

} // namespace phinet
