#pragma once
/// How much memory a job on a PhiNet will need, estimated from the layer table before anything is
/// allocated, and the check that refuses a job the machine cannot hold. Torch-free.

#include "phinet/model/LayerTable.h"

#include <cstdint>
#include <string>

namespace phinet {

enum class MemoryUse {
    Weights,   ///< building the model only
    Inference, ///< forward passes without gradients (evaluation, calibration, latency)
    Training,  ///< forward + backward + an Adam-like optimizer (two state tensors per weight)
    Quantize,  ///< PTQ conversion: the FP32 model, its folded copy, observers and the INT8 model
};

/// The most parameters a network may have here (256 Mi, 1 GiB in FP32; the study's largest PhiNet
/// has about 2 M): beyond it every job would take hours and most machines' memory.
constexpr std::int64_t kMaxParams = 1LL << 28;

/// Bytes, by what holds them (FP32 throughout; an upper-side estimate, not an exact count).
/// - weights: params x 4 (the model) + params x 4 (the folded/INT8 copies and gradients are
///   counted under optimizer).
/// - optimizer: Training: params x 12 (gradient, Adam's two moments); else 0.
/// - activations: batch x 4 bytes x, for Inference, twice the largest live set of one op (input,
///   output, residual input, SE gate: ModelSummary::peakRamElements) plus LibTorch's scratch;
///   for Training, every tensor autograd saves: per layer about 6x its largest live set
///   (conv, BatchNorm and activation outputs of each stage of the block).
struct MemoryEstimate {
    std::int64_t weights = 0;
    std::int64_t optimizer = 0;
    std::int64_t activations = 0;
    std::int64_t total() const { return weights + optimizer + activations; }
};

MemoryEstimate estimateMemory(const ModelSummary& s, std::int64_t batch, MemoryUse use);

/// Throws ConfigError when the network has more than kMaxParams parameters, or when `e` exceeds the memory available
/// now (less a 256 MiB margin for the program itself): "<what> needs about 24.1 GiB (weights ..., optimizer ...,
/// activations for batch 128 at 3x224x224 ...); this machine has 19.8 GiB available. Lower <hint>." Does nothing when
/// the available memory cannot be read.
void ensureMemoryFits(const MemoryEstimate& e, const ModelSummary& s, std::int64_t batch, const std::string& what);

/// estimateMemory + ensureMemoryFits for a config.
void ensureMemoryFits(const PhiNetConfig& cfg, std::int64_t batch, MemoryUse use, const std::string& what);

} // namespace phinet
