#pragma once
/// FP32 training, evaluation and checkpoints. Includes Torch: not for GUI translation units.

#include "phinet/common/Cancel.h"
#include "phinet/data/Dataset.h"
#include "phinet/model/PhiNet.h"
#include "phinet/train/TrainConfig.h"

#include <filesystem>
#include <functional>

namespace phinet {

class ProcessGroup;

/// Raised when the loss becomes NaN or infinite; the message names the epoch and batch.
class TrainingDiverged : public Error {
public:
    using Error::Error;
};

/// Everything a checkpoint records besides the tensors.
struct CheckpointMeta {
    PhiNetConfig model;
    TrainConfig training;
    DataConfig data; ///< with the normalisation used
    int epochsDone = 0;
    double trainSeconds = 0; ///< sum of the finished epochs' loops
    std::vector<EpochSummary> history;
    std::string kind = "fp32";
};

/// A checkpoint read back.
struct LoadedCheckpoint {
    PhiNet model{nullptr};
    CheckpointMeta meta;
    std::filesystem::path path;
    bool hasOptimizerState = false;
};

/// Writes model weights and buffers, the optimizer state (if given) and the metadata to `path`,
/// atomically (a temporary file renamed over the target).
void saveCheckpoint(const std::filesystem::path& path, PhiNet& model, const CheckpointMeta& meta,
                    torch::optim::Optimizer* optimizer = nullptr);
/// Reads a checkpoint and builds its model. Throws DataError naming the file if it is missing,
/// corrupt or not a PhiNet checkpoint.
LoadedCheckpoint loadCheckpoint(const std::filesystem::path& path);
/// Restores the optimizer state saved in `path` (after loadCheckpoint said it has one).
void loadOptimizerState(const std::filesystem::path& path, torch::optim::Optimizer& optimizer);

/// Evaluates `forward` (eval mode, no grad) on a data set: loss, accuracy, confusion matrix.
using ForwardFn = std::function<torch::Tensor(const torch::Tensor&)>;
EvalResult evaluate(const ForwardFn& forward, const DatasetPtr& data, const DataConfig& normalisation, int batchSize,
                    bool channelsLast, int numClasses, const CancelToken* cancel = nullptr);
/// Evaluates a PhiNet (switches it to eval mode and back).
EvalResult evaluate(PhiNet& model, const DatasetPtr& data, const DataConfig& normalisation, int batchSize,
                    bool channelsLast = true, const CancelToken* cancel = nullptr);

/// Converts 4-D parameters and buffers to channels-last (or back).
void setChannelsLast(PhiNet& model, bool channelsLast);

struct TrainResult {
    std::vector<EpochSummary> epochs; ///< the epochs of this run and of any resumed-from checkpoint
    int epochsDone = 0;
    bool cancelled = false;
    double trainSeconds = 0;    ///< sum over finished epochs' loops (resumed ones included)
    double imagesPerSecond = 0; ///< over this run's finished epochs
    std::optional<EvalResult> finalTest;
    std::filesystem::path checkpoint;       ///< last written checkpoint (empty if none)
    int worldSize = 1;                      ///< ranks that trained (data parallel)
    double commSecondsPerStep = 0;          ///< distributed: waiting for all-reduces after backward, per step
    std::int64_t allreduceBytesPerStep = 0; ///< distributed: gradient bytes each rank all-reduces per step
};

struct TrainRequest {
    TrainConfig config;
    /// Where to write a checkpoint after every epoch (atomic). Empty: no checkpoints.
    std::filesystem::path checkpointPath;
    /// Resume from this checkpoint (model weights, optimizer state, epochs done, history).
    std::filesystem::path resumeFrom;
    /// Data-parallel training (see Distributed.h): every rank calls train() with the same request;
    /// config.batchSize is the global batch, split across ranks; gradients are all-reduced while
    /// backward runs; BatchNorm statistics are averaged at each epoch's end; evaluation is sharded
    /// and combined; only rank 0 writes the checkpoint. Null: one process.
    ProcessGroup* group = nullptr;
};

/// Trains `model` in FP32. Cancel is checked every batch: a cancelled run returns with what it
/// finished (cancelled = true). Throws TrainingDiverged on a NaN/inf loss, ConfigError on bad settings.
TrainResult train(PhiNet& model, const DataSplits& data, const TrainRequest& request, TrainObserver* observer = nullptr,
                  const CancelToken* cancel = nullptr);

} // namespace phinet
