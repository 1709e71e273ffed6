#pragma once
/// The study's stages as a type, and the stage cache: each cached stage's result is keyed on exactly
/// the inputs it reads, so a run into a folder holding an earlier run reuses every stage whose key is
/// unchanged and re-runs the rest. Torch-free: the GUI's Run area shows the plan before Run.

#include "phinet/experiment/ExperimentConfig.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

/// A stage of a study ("build", "train-original", ...) or of a sweep ("sweep").
enum class Stage { Build, TrainOriginal, TrainModified, Ptq, Qat, Measure, Report, Sweep };
/// "build", "train-original", "train-modified", "ptq", "qat", "measure", "report", "sweep".
std::string toString(Stage s);
std::optional<Stage> stageFromString(const std::string& s);

/// What a run into a folder does with one cached stage.
struct StagePlanEntry {
    enum class Action {
        Reuse, ///< its key is unchanged and its output files are the ones it wrote
        Run,   ///< new, changed, unfinished, or downstream of a stage that runs
        Off    ///< switched off in the config
    };
    Stage stage = Stage::TrainOriginal;
    Action action = Action::Run;
    /// Why it runs: "quantization.qat_lr changed", "after train-modified", "not finished",
    /// "no earlier run", "modified-fp32.ckpt changed on disk"; empty for Reuse and Off.
    std::string reason;
    /// True when the stage runs because of its own inputs or files, not only because a stage it
    /// reads from runs.
    bool rootCause = false;
};

/// The cached stages of a study in order: train-original, train-modified, ptq, qat, measure.
struct StudyPlan {
    std::vector<StagePlanEntry> stages;
    /// "reused: train-original, train-modified, ptq; run: qat, measure (quantization.qat_lr changed)";
    /// switched-off stages are listed as "off: ...".
    std::string summary() const;
    const StagePlanEntry* find(Stage s) const;
};

/// What a run of `config` into `outDir` would reuse and run. Reads the folder's state.json and hashes
/// the model files it names (small files: cheap); never writes. A folder without a run, or with an
/// unreadable state, plans every switched-on stage to run.
StudyPlan planStudy(const ExperimentConfig& config, const std::filesystem::path& outDir);

namespace stagecache {

/// 64-bit FNV-1a of a file's bytes as 16 hex digits; throws DataError naming an unreadable file.
std::string fileHash(const std::filesystem::path& p);
/// 64-bit FNV-1a of the canonical (sorted-key) dump of `j`, as 16 hex digits.
std::string jsonHash(const nlohmann::json& j);
/// The data a stage reads: the data config, the folder it resolves to, and that folder's entries
/// (names, sizes, modification times; sub-folders by their own entries, two levels deep).
nlohmann::json dataInputs(const DataConfig& d);
/// The inputs a stage reads, as JSON named like the config ("quantization.qat_lr"), with the hashes of
/// the files it reads from earlier stages in "upstream" (model -> file hash, null for a switched-off
/// stage). Build, Report and Sweep have no cached result: empty.
nlohmann::json stageInputs(const ExperimentConfig& c, Stage s, const nlohmann::json& data,
                           const nlohmann::json& upstream);
/// The config fields (dotted paths) whose values differ between two inputs objects.
std::vector<std::string> changedFields(const nlohmann::json& before, const nlohmann::json& after);
/// The model a stage produces ("original-fp32", ...); empty for measure and the uncached stages.
std::string stageModel(Stage s);
/// The file a stage writes into the run folder ("original-fp32.ckpt", ...); empty for none.
std::string stageFile(Stage s);
/// planStudy() on a state already read (null: no earlier run) and dataInputs() already computed.
StudyPlan planFromState(const ExperimentConfig& c, const nlohmann::json& state, const std::filesystem::path& outDir,
                        const nlohmann::json& data);

} // namespace stagecache

} // namespace phinet
