#pragma once
/// Run history: every study and sweep, its config, per-epoch metrics, per-model results and sweep
/// points, in an embedded SQLite database (<data>/runs.sqlite). Each write is one transaction, so a
/// crash loses at most the point in progress. Torch-free.
///
/// A run is alive while its output folder is locked (FolderLock, held by runExperiment/runSweep for
/// the run's whole duration and released by the kernel when its process dies). list(), show() and
/// remove() mark every "running" row whose folder is not locked "interrupted": its process was
/// killed or crashed before it could record an outcome. Started again on the same folder, the run
/// becomes "running" again.

#include "phinet/report/Results.h"
#include "phinet/train/TrainConfig.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace phinet {

struct RunInfo {
    std::int64_t id = 0;
    std::string kind; ///< "study" | "sweep"
    std::string name;
    std::string status;  ///< "running" | "finished" | "cancelled" | "failed" | "interrupted"
    std::string created; ///< ISO 8601 UTC
    std::string outDir;
    int resultCount = 0;
    std::string message; ///< why it failed ("failed"), else empty
};

struct RunDetails {
    RunInfo info;
    nlohmann::json config;
    nlohmann::json manifest;
    std::vector<ModelResult> results; ///< study rows, or sweep points in order
    struct Epoch {
        std::string model;
        EpochSummary summary;
    };
    std::vector<Epoch> epochs;
};

class RunStore {
public:
    /// Opens (creating) the database; throws DataError naming the file.
    explicit RunStore(const std::filesystem::path& path = defaultPath());
    ~RunStore();
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    static std::filesystem::path defaultPath();

    std::int64_t createRun(const std::string& kind, const std::string& name, const nlohmann::json& config,
                           const nlohmann::json& manifest, const std::string& outDir);
    /// Sets the status; `message` says why a run failed (empty otherwise).
    void setStatus(std::int64_t run, const std::string& status, const std::string& message = {});
    /// Whether a run with this id is recorded (a run deleted from the history is not).
    bool exists(std::int64_t run);
    void addEpoch(std::int64_t run, const std::string& model, const EpochSummary& e);
    /// Adds (or replaces) the result of `model` in a study run.
    void putResult(std::int64_t run, const ModelResult& r);
    /// Adds the rows of sweep point `index` (all variants) in one transaction; replaces the point if present.
    void putSweepPoint(std::int64_t run, int index, const std::vector<ModelResult>& rows);
    /// Indices of the sweep points stored for a run.
    std::vector<int> sweepPoints(std::int64_t run);

    std::vector<RunInfo> list();
    /// Throws ConfigError when no run has that id.
    RunDetails show(std::int64_t run);
    /// Deletes the run and its epochs and results in one transaction. Throws ConfigError when no run
    /// has that id, or when the run is alive (its folder is locked): cancel it first.
    void remove(std::int64_t run);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace phinet
