#pragma once
/// The study as one reproducible configuration: model, data, training of both variants, PTQ, QAT and
/// measurement settings, with stage switches. Torch-free: the GUI and presets use it.

#include "phinet/data/DataConfig.h"
#include "phinet/model/PhiNetConfig.h"
#include "phinet/model/McuTarget.h"
#include "phinet/quant/QuantConfig.h"
#include "phinet/train/TrainConfig.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

struct BenchConfig {
    int runs = 100;  ///< timed runs per model, split evenly across the rounds
    int warmup = 10; ///< untimed runs at the start of every round (each round's model instance is fresh)
    int rounds = 10; ///< interleaved rounds (see compareLatency): the median's interval comes from them
    int batch = 1;
    int threads = 0; ///< 0: all cores
    bool gpu = true; ///< measure FP32 on CUDA where available
};
/// Range problems of a bench config, one per field ("runs: must be in [1, 100000] (got 0)").
Problems validateBench(const BenchConfig& b);

/// Which stages run. A switched-off stage is skipped (its models get no row).
struct StageSwitches {
    bool trainOriginal = true;
    bool trainModified = true;
    bool ptq = true;
    bool qat = true;
    bool measure = true;
};

struct ExperimentConfig {
    std::string name = "experiment";
    /// Base network; the ORIGINAL and MODIFIED models are derived from it (variant and divisor set).
    PhiNetConfig model;
    int modifiedDivisor = 8;
    DataConfig data;
    TrainConfig trainOriginal; ///< the study: lr 0.01 (first run), Adam, batch 128, 10 epochs
    TrainConfig trainModified; ///< the study: lr 0.001
    QuantConfig quant;
    BenchConfig bench;
    StageSwitches stages;
    /// Trained FP32 weights that replace a training stage: a workbench checkpoint or a safetensors
    /// file with micromind's names. The stage then loads the file (its network must be the study's
    /// ORIGINAL or MODIFIED one) and evaluates it instead of training; PTQ, QAT and the measurements
    /// run on it. Empty: train. JSON: "weights": {"original": FILE, "modified": FILE}.
    struct GivenWeights {
        std::string original;
        std::string modified;
    } weights;
    /// Train data-parallel when the process was started as one rank of several (`phinet launch`,
    /// torchrun's or Slurm's environment); one process trains alone. JSON "distributed" (written
    /// only when true).
    bool distributed = false;

    PhiNetConfig originalModel() const;
    PhiNetConfig modifiedModel() const;
    /// Problems, each naming its field (model.alpha, training_original.lr, ...); empty when valid.
    Problems validate() const;
};

nlohmann::json toJson(const ExperimentConfig& c);
/// Missing fields keep their defaults; throws ConfigError naming the field.
ExperimentConfig experimentConfigFromJson(const nlohmann::json& j);
/// Reads a JSON file; throws ConfigError naming the file on a parse error.
ExperimentConfig loadExperimentConfig(const std::filesystem::path& path);
/// Makes `which` (ORIGINAL or MODIFIED) of the study the network of a given weights file: the base
/// network takes the file's knobs (and for MODIFIED its divisor), so both variants stay one base
/// network apart only in variant and divisor.
void adoptNetwork(ExperimentConfig& c, const PhiNetConfig& fileNetwork);

/// Writes atomically.
void saveExperimentConfig(const ExperimentConfig& c, const std::filesystem::path& path);

/// The PhiNet knob a sweep varies; JSON, the CLI and SweepConfig::knob spell it "num_layers", "alpha",
/// "beta", "t0".
enum class SweepKnob { NumLayers, Alpha, Beta, T0 };
std::string toString(SweepKnob k);
/// The knob of a name ("layers" is num_layers); nullopt for any other name.
std::optional<SweepKnob> sweepKnobFromString(const std::string& s);

/// One knob varied over values, both variants at each point (the study's b.9 sweeps).
struct SweepConfig {
    std::string name = "sweep";
    std::string knob = "alpha"; ///< num_layers | alpha | beta | t0
    std::vector<double> values;
    PhiNetConfig base; ///< fixed knobs (the study: 3x224x224, alpha 3, beta 0.75, t0 6, N 7)
    int modifiedDivisor = 8;
    std::vector<Variant> variants{Variant::Original, Variant::Modified};
    BenchConfig bench;
    bool measureLatency = true; ///< FP32 and INT8 CPU latency at every point
    bool measureInt8 = true;    ///< INT8 conversion (size, latency) at every point
    int trainBatches = 0;       ///< > 0: train this many batches and report accuracy
    DataConfig data;            ///< for the optional accuracy
    /// Optional MCU target (a name from listTargets()): every row gets fits_<target>, whether its INT8
    /// flash and peak RAM fit the board less `reserve`. Empty: no fit column.
    std::string target;
    McuReserve reserve;
    Problems validate() const;
};

nlohmann::json toJson(const SweepConfig& c);
SweepConfig sweepConfigFromJson(const nlohmann::json& j);

/// A preset file: either an experiment or a sweep ("kind": "study" | "sweep").
struct Preset {
    std::string name;
    std::string description;
    std::string kind; ///< "study" or "sweep"
    std::optional<ExperimentConfig> study;
    std::optional<SweepConfig> sweep;
    std::filesystem::path path;
};
/// Presets shipped in resources/presets plus the user's own in <data>/presets (theirs win on names).
/// A file that cannot be read or holds an invalid preset is skipped and logged; its path and error
/// go to `problems` when given. The others are listed.
std::vector<Preset> listPresets(std::vector<std::string>* problems = nullptr);
/// Finds a preset by name; throws ConfigError listing the known names, or naming the file and its
/// error when the file of that name (<name>.json) is the broken one.
Preset findPreset(const std::string& name);
/// Throws ConfigError naming the file (unreadable, not JSON, invalid settings).
Preset loadPreset(const std::filesystem::path& path);
/// Saves a user preset into <data>/presets/<name>.json (atomic). Refuses (ConfigError, nothing
/// written) a name that is not a plain file name (letters, digits, '-', '_', '.'; not starting with
/// '.'), settings that do not validate, and non-finite numbers.
std::filesystem::path saveUserPreset(const Preset& p);

} // namespace phinet
