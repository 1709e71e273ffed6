#pragma once
/// Post-training static quantization (calibrate, convert) and quantization-aware training.
/// Includes Torch.

#include "phinet/common/Cancel.h"
#include "phinet/data/Dataset.h"
#include "phinet/quant/QuantizedPhiNet.h"
#include "phinet/train/Trainer.h"

namespace phinet {

class ProcessGroup;

/// Runs the folded FP32 network (eval) on batches from `next` (false = no more) and returns the
/// quantization parameters of every activation site (activationSites order). Throws ConfigError when
/// `next` yields no batch at all.
std::vector<QParams> calibrate(const FoldedPhiNet& net, const std::function<bool(torch::Tensor&)>& next,
                               const QuantConfig& cfg, const CancelToken* cancel = nullptr, int* batchesSeen = nullptr);

struct PtqResult {
    QuantizedPhiNet model;
    FoldedPhiNet folded;
    int calibrationBatches = 0;
    std::int64_t calibrationImages = 0;
    bool calibratedOnData = true; ///< false for random-input calibration (size and latency only)
};

/// PTQ: fold BatchNorm, calibrate on cfg.calibrationBatches batches of the training split
/// (shuffled with a fixed seed), convert.
PtqResult quantizePtq(PhiNet& model, const DataSplits& data, const QuantConfig& cfg,
                      const CancelToken* cancel = nullptr);
/// PTQ calibrated on standard-normal random inputs: the scales are not those of real data, so the
/// result is only meaningful for size and latency (logged as a warning).
PtqResult quantizeWithRandomCalibration(PhiNet& model, const QuantConfig& cfg, bool warn = true);

class QatObserver : public TrainObserver {
public:
    virtual void onQatEpoch(const QatEpoch&) {}
};

struct QatResult {
    QuantizedPhiNet model;
    FoldedPhiNet folded;
    std::vector<QatEpoch> epochs;
    double trainSeconds = 0;
    bool cancelled = false;
    int worldSize = 1; ///< ranks that trained (data parallel)
};

/// x / s per channel for a 4-D x and s of [C] (QAT's simulated Conv+BN), with a one-pass gradient;
/// x / s.view({1, -1, 1, 1}) in value, its gradients to rounding.
torch::Tensor divideByChannel(const torch::Tensor& x, const torch::Tensor& s);

/// at::fake_quantize_per_tensor_affine's function for a float tensor: q = clamp(round-half-even(x /
/// scale) + zeroPoint, qmin, qmax), out = (q - zeroPoint) x scale, and the straight-through gradient
/// where the unclamped code lies in [qmin, qmax]. The same numbers as LibTorch's kernel for every
/// finite or infinite input (a NaN stays NaN here; LibTorch's fmin/fmax turn it into qmin's value),
/// vectorised and on every intra-op thread (LibTorch 1.13's CPU kernel calls libm's fmin and fmax per
/// element); keeps the input's memory format. Built without FMA contraction (baseline x86-64): a
/// build that fused x * inv + 1.5 * 2^23 would round differently.
torch::Tensor fakeQuantizePerTensor(const torch::Tensor& x, double scale, std::int64_t zeroPoint, std::int64_t qmin,
                                    std::int64_t qmax);

/// QAT from a trained FP32 model (changed in place): calibrate, then qcfg.qatEpochs epochs of training
/// with fake-quantized weights (per-channel, straight-through) and activations (per-tensor, moving
/// ranges until qcfg.freezeObserversAfter epochs, or LSQ learned scales), Conv+BN simulated with folded
/// weights, BatchNorm statistics frozen after qcfg.freezeBnAfter epochs; after every epoch the
/// fake-quantized model is evaluated and truly converted and evaluated. `train` gives the batch size,
/// seed, threads and memory format; its optimizer is Adam at qcfg.qatLr.
/// `calibratedFrom`: the PTQ model of this same network and config (quantizePtq() of it), whose
/// activation ranges then start QAT instead of a second, identical calibration; throws ConfigError
/// when its activation sites are not this network's.
/// `group` (more than one rank): data-parallel QAT. Every rank calls it with the same network, data
/// and settings; rank 0's weights, BatchNorm statistics and calibrated ranges (rank 0 alone needs
/// `calibratedFrom` or calibrates) are broadcast, each rank trains its slice of every global batch
/// with gradients all-reduced, ranges and BatchNorm statistics are averaged at each epoch's end, and
/// rank 0 alone evaluates and converts (the others return an empty model after the last epoch).
QatResult quantizeQat(PhiNet& model, const DataSplits& data, const QuantConfig& qcfg, const TrainConfig& train,
                      QatObserver* observer = nullptr, const CancelToken* cancel = nullptr,
                      const QuantizedPhiNet* calibratedFrom = nullptr, ProcessGroup* group = nullptr);

} // namespace phinet
