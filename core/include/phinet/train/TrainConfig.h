#pragma once
/// Training settings and the events a training run reports. Torch-free: the GUI includes it.

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

    std::vector<std::string> validate() const;
};

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
