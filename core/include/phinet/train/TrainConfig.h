#pragma once
/// Training settings and the events a training run reports. Torch-free: the GUI includes it.

#include "phinet/common/ConfigFields.h"
#include "phinet/common/Limits.h"

#include <limits>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

enum class OptimizerKind { Adam, AdamW, Sgd };
enum class ScheduleKind { Constant, Step, Cosine };
std::string toString(OptimizerKind k);
std::string toString(ScheduleKind k);
std::optional<OptimizerKind> optimizerFromString(const std::string& s);
std::optional<ScheduleKind> scheduleFromString(const std::string& s);

struct TrainConfig {
    OptimizerKind optimizer = OptimizerKind::Adam;
    double lr = 1e-3;
    double momentum = 0.9;    ///< SGD only
    double weightDecay = 0.0; ///< L2 for Adam/SGD, decoupled for AdamW
    ScheduleKind schedule = ScheduleKind::Constant;
    int stepEpochs = 1; ///< Step: multiply lr by stepGamma every stepEpochs epochs
    double stepGamma = 0.1;
    double labelSmoothing = 0.0;
    double gradClipNorm = 0.0; ///< clip the global gradient norm to this (0 = off)
    int epochs = 10;
    int batchSize = 128;
    int evalBatchSize = 256;
    std::uint64_t seed = 1;
    int threads = 0;          ///< intra-op (and OpenBLAS) threads; 0 = all cores
    int reportEvery = 10;     ///< batches between BatchProgress events
    bool channelsLast = true; ///< NHWC tensors: oneDNN's fast path for depthwise/1x1 convs (~1.4x)
    bool evaluateEachEpoch = true;

    Problems validate() const;
};

inline const Choices<OptimizerKind> kOptimizerChoices{optimizerFromString,
                                                      {OptimizerKind::Adam, OptimizerKind::AdamW, OptimizerKind::Sgd}};
inline const Choices<ScheduleKind> kScheduleChoices{scheduleFromString,
                                                    {ScheduleKind::Constant, ScheduleKind::Step, ScheduleKind::Cosine}};

/// Every training field: its JSON key, range and help, for JSON, validate() and the command line
/// (see ConfigFields.h).
template <class V> void visitFields(V& v, TrainConfig& c)
{
    v.choice("optimizer", c.optimizer, kOptimizerChoices, "optimizer");
    v.real("lr", c.lr, 0.0, 1e6, "learning rate", Bounds::OpenLow);
    v.real("momentum", c.momentum, 0.0, 1.0, "SGD momentum", Bounds::OpenHigh);
    v.real("weight_decay", c.weightDecay, 0.0, 1.0, "weight decay: L2 for Adam and SGD, decoupled for AdamW");
    v.choice("schedule", c.schedule, kScheduleChoices, "learning-rate schedule");
    v.integer("step_epochs", c.stepEpochs, 1, 100000, "step schedule: epochs between decays");
    v.real("step_gamma", c.stepGamma, 0.0, 1.0, "step schedule: factor applied at each decay", Bounds::OpenLow);
    v.real("label_smoothing", c.labelSmoothing, 0.0, 1.0, "cross-entropy label smoothing", Bounds::OpenHigh);
    v.real("grad_clip", c.gradClipNorm, 0.0, 1e6, "clip the global gradient norm to this (0 = off)");
    v.integer("epochs", c.epochs, 0, 100000, "training epochs");
    v.integer("batch_size", c.batchSize, 1, 65536, "training batch size");
    v.integer("eval_batch_size", c.evalBatchSize, 1, 65536, "evaluation batch size");
    v.integer("seed", c.seed, std::uint64_t(0), std::numeric_limits<std::uint64_t>::max(),
              "random seed (weights, shuffling, augmentation)");
    v.integer("threads", c.threads, 0, maxThreads(), "compute threads (0 = all cores)");
    v.integer("report_every", c.reportEvery, 1, 1000000, "batches between live loss points");
    v.flag("channels_last", c.channelsLast, "channels-last (NHWC) tensors: oneDNN's fast path");
    v.flag("evaluate_each_epoch", c.evaluateEachEpoch, "evaluate on the test split after every epoch");
}

nlohmann::json toJson(const TrainConfig& c);
TrainConfig trainConfigFromJson(const nlohmann::json& j, const std::string& context = "training");

/// Sent every TrainConfig::reportEvery batches, on the training thread.
struct BatchProgress {
    int epoch = 0; ///< 1-based
    int epochs = 0;
    std::int64_t batch = 0; ///< 1-based within the epoch
    std::int64_t batchesPerEpoch = 0;
    std::int64_t globalBatch = 0; ///< 1-based over the whole run
    double loss = 0;              ///< mean loss of the batches since the last event
    double lr = 0;
    double imagesPerSecond = 0;
    double elapsedSeconds = 0;
    double etaSeconds = 0;
};

/// Loss, top-1 accuracy and confusion matrix of one pass over a data set.
struct EvalResult {
    double loss = 0;
    double accuracy = 0; ///< percent
    std::int64_t count = 0;
    int numClasses = 0;
    std::vector<std::int64_t> confusion; ///< row = true class, column = predicted; numClasses^2
    double seconds = 0;
    double imagesPerSecond = 0;
};

/// Sent after every epoch, on the training thread.
struct EpochSummary {
    int epoch = 0; ///< 1-based
    int epochs = 0;
    double trainLoss = 0;
    double trainAccuracy = 0; ///< percent, on the training batches as seen (train mode)
    std::optional<EvalResult> validation;
    std::optional<EvalResult> test;
    double epochSeconds = 0; ///< the epoch's loop (data loading included, evaluation excluded)
    double imagesPerSecond = 0;
    double lr = 0;
    double elapsedSeconds = 0;
    double etaSeconds = 0;
};

nlohmann::json toJson(const EvalResult& r, bool withConfusion = true);
nlohmann::json toJson(const EpochSummary& e);
/// Reads what toJson(EpochSummary) wrote (missing fields stay 0; test/validation when present).
EpochSummary epochSummaryFromJson(const nlohmann::json& j);

/// Receives training events. Called on the thread that runs the training, synchronously: keep
/// handlers short (the GUI queues them to its own thread). Default handlers ignore the event.
class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    virtual void onBatch(const BatchProgress&) {}
    virtual void onEpoch(const EpochSummary&) {}
};

} // namespace phinet
