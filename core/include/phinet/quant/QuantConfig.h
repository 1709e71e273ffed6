#pragma once
/// Quantization settings: observers, weight granularity, engine, calibration and the QAT schedule.
/// Torch-free: the GUI and experiment configs include it.

#include <optional>
#include <string>
#include <vector>

#include "phinet/common/ConfigFields.h"
#include "phinet/common/Limits.h"
#include "phinet/train/TrainConfig.h"

#include <nlohmann/json.hpp>

namespace phinet {

/// How activation ranges are estimated from calibration data.
enum class ObserverKind {
    MinMax,              ///< running min and max over every batch
    MovingAverageMinMax, ///< exponential moving average of each batch's min and max (c = 0.01)
    HistogramPercentile, ///< 2048-bin histogram; range = [100-p, p] percentiles
    HistogramMse         ///< 2048-bin histogram; range that minimises the expected quantization MSE
};
enum class WeightGranularity { PerChannel, PerTensor };
/// 7-bit activations (0..127). ONEDNN's int8 GEMM on CPUs without VNNI multiplies u8 x s8 pairs and
/// adds them with int16 saturation (255 x 127 x 2 overflows), so full-range activations give wrong
/// convolutions there; PyTorch's x86 qconfig reduces the range for the same reason.
enum class ReduceRange { Auto, On, Off };
/// Onednn and Qnnpack: LibTorch's quantized kernels, one op at a time (the reference runtime).
/// OnednnFused: the workbench's own oneDNN primitives with fused post-ops (same arithmetic, faster;
/// x86 builds with libdnnl-dev). JSON names: "onednn", "qnnpack", "onednn-fused".
enum class QuantEngine { Onednn, Qnnpack, OnednnFused };

std::string toString(ObserverKind k);
std::string toString(WeightGranularity g);
std::string toString(QuantEngine e);
std::string toString(ReduceRange r);
std::optional<ReduceRange> reduceRangeFromString(const std::string& s);
std::optional<ObserverKind> observerFromString(const std::string& s);
std::optional<WeightGranularity> granularityFromString(const std::string& s);
std::optional<QuantEngine> engineFromString(const std::string& s);
/// The fused oneDNN engine on x86-64 (ONEDNN where this build lacks oneDNN), QNNPACK on ARM.
QuantEngine defaultEngine();
/// True when the CPU has AVX512-VNNI or AVX-VNNI (int8 dot products without int16 saturation).
bool cpuHasVnni();

struct QuantConfig {
    ObserverKind observer = ObserverKind::HistogramMse;
    double percentile = 99.99;       ///< HistogramPercentile only
    double averagingConstant = 0.01; ///< MovingAverageMinMax only: weight of each new batch's min/max
    WeightGranularity weights = WeightGranularity::PerChannel; ///< per-tensor collapses depthwise layers
    QuantEngine engine = defaultEngine();
    ReduceRange reduceRange = ReduceRange::Auto; ///< Auto: on for ONEDNN without VNNI, off otherwise
    int calibrationBatches = 20;                 ///< batches of the training split used to calibrate (>= 1)
    int calibrationBatchSize = 128;
    // QAT
    int qatEpochs = 1;
    double qatLr = 1e-4;
    int freezeObserversAfter = 1; ///< epochs of QAT after which activation ranges stop moving (0: from the start)
    int freezeBnAfter = 1;        ///< epochs after which BatchNorm uses its running statistics (0: from the start)
    bool learnedScales = false;   ///< LSQ-style learned activation step sizes
    int threads = 0;              ///< 0: all cores

    Problems validate() const;
    /// The largest activation code: 127 with a reduced range, else 255.
    int activationQMax() const;
};

/// The observers, in the order the GUI offers them (the one list of their names).
inline const Choices<ObserverKind> kObserverChoices{observerFromString,
                                                    {ObserverKind::HistogramMse, ObserverKind::HistogramPercentile,
                                                     ObserverKind::MinMax, ObserverKind::MovingAverageMinMax}};
inline const Choices<WeightGranularity> kGranularityChoices{
    granularityFromString, {WeightGranularity::PerChannel, WeightGranularity::PerTensor}};
inline const Choices<QuantEngine> kEngineChoices{engineFromString,
                                                 {QuantEngine::OnednnFused, QuantEngine::Onednn, QuantEngine::Qnnpack}};
inline const Choices<ReduceRange> kReduceRangeChoices{reduceRangeFromString,
                                                      {ReduceRange::Auto, ReduceRange::On, ReduceRange::Off}};

/// Every quantization field: its JSON key, range and help, for JSON, validate() and the command
/// line (see ConfigFields.h). A new setting is its member, its line here and its GUI row.
template <class V> void visitFields(V& v, QuantConfig& c)
{
    v.choice("observer", c.observer, kObserverChoices, "activation range estimator");
    v.real("percentile", c.percentile, 50.0, 100.0, "percentile observer: the range covers [100-p, p]",
           Bounds::OpenLow);
    v.real("averaging_constant", c.averagingConstant, 0.0, 1.0,
           "moving-average observer: weight of each new batch's min and max", Bounds::OpenLow);
    v.choice("weights", c.weights, kGranularityChoices, "weight scales: one per output channel or one per tensor");
    v.choice("engine", c.engine, kEngineChoices, "INT8 runtime (default: onednn-fused on x86, qnnpack on ARM)");
    v.choice("reduce_range", c.reduceRange, kReduceRangeChoices,
             "7-bit activations: auto (on for ONEDNN on CPUs without VNNI), on, off");
    v.integer("calib_batches", c.calibrationBatches, 1, 1000000, "training batches that calibrate the observers");
    v.integer("calib_batch_size", c.calibrationBatchSize, 1, 65536, "images per calibration batch");
    v.integer("qat_epochs", c.qatEpochs, 0, 100000, "epochs of quantization-aware fine-tuning");
    v.real("qat_lr", c.qatLr, 0.0, 10.0, "QAT learning rate (Adam)", Bounds::OpenLow);
    v.integer("freeze_observers_after", c.freezeObserversAfter, 0, 100000,
              "QAT epochs before activation ranges freeze");
    v.integer("freeze_bn_after", c.freezeBnAfter, 0, 100000, "QAT epochs before BatchNorm statistics freeze");
    v.flag("learned_scales", c.learnedScales, "QAT with learned activation step sizes (LSQ)");
    v.integer("threads", c.threads, 0, maxThreads(), "compute threads (0 = all cores)");
}

nlohmann::json toJson(const QuantConfig& c);
QuantConfig quantConfigFromJson(const nlohmann::json& j, const std::string& context = "quantization");

/// Per-layer comparison of INT8 and FP32 activations on real inputs.
struct LayerError {
    std::string name;  ///< activation site, e.g. "block3.dw_act"
    double sqnrDb = 0; ///< 10 log10(sum x^2 / sum (x - x_int8)^2)
    double scale = 0;
    long zeroPoint = 0;
};

/// One QAT epoch: the fake-quantized model's and the truly converted INT8 model's test figures (their
/// gap is what users fight with).
struct QatEpoch {
    int epoch = 0;
    double trainLoss = 0;
    double trainAccuracy = 0;
    EvalResult fakeQuant;
    EvalResult int8;
    bool observersFrozen = false;
    bool bnFrozen = false;
    double seconds = 0;
};
nlohmann::json toJson(const QatEpoch& e);

} // namespace phinet
