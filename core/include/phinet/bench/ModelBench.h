#pragma once
/// Latency and size of FP32 and INT8 models under one protocol. Includes Torch.

#include "phinet/bench/Comparison.h"
#include "phinet/bench/Latency.h"
#include "phinet/common/Cancel.h"
#include "phinet/quant/QuantizedPhiNet.h"

#include <filesystem>

namespace phinet {

// Each polls `cancel` between warm-up and timed runs and throws Cancelled when it is set.

/// FP32 latency of a PhiNet on the CPU (eval, no grad; warm-up with gradients on, as the study did).
LatencyReport fp32CpuLatency(PhiNet& model, LatencyProtocol protocol, const CancelToken* cancel = nullptr);
/// FP32 latency on CUDA with device synchronisation; unavailable (with the reason) when this LibTorch
/// has no CUDA or no device is present.
LatencyReport fp32GpuLatency(PhiNet& model, LatencyProtocol protocol, const CancelToken* cancel = nullptr);
/// INT8 latency on the CPU with the model's engine.
LatencyReport int8CpuLatency(const QuantizedPhiNet& model, LatencyProtocol protocol,
                             const CancelToken* cancel = nullptr);

/// Builds a fresh model instance and returns one forward pass of it on a fixed input (the round's
/// model lives inside the returned callable).
using ForwardFactory = std::function<std::function<void()>()>;

/// A forward factory for an FP32 PhiNet file (read afresh every round) or an INT8 file; `engine`
/// overrides the INT8 file's engine. The file's kind is read from its metadata.
ForwardFactory forwardFromFile(const std::filesystem::path& file, int batch,
                               std::optional<QuantEngine> engine = std::nullopt);
/// A forward factory over an FP32 model in memory: each round runs a fresh copy of the weights it
/// had when the factory was made.
ForwardFactory forwardFromModel(PhiNet& model, int batch);
/// A forward factory over an INT8 model in memory (which must outlive it): each round re-packs its
/// weights afresh.
ForwardFactory forwardFromInt8(const QuantizedPhiNet& model, int batch);

/// Interleaved latency comparison (compareLatency) of models given as forward factories, on the CPU
/// with `protocol.threads` threads (0: all cores; the figure in effect is written back).
LatencyComparison compareForwards(const std::vector<std::string>& names, const std::vector<ForwardFactory>& factories,
                                  ComparisonProtocol protocol, const CancelToken* cancel = nullptr);

/// Bytes of the model-only FP32 file (weights and BatchNorm buffers, no optimizer state), written to
/// a temporary file and removed, as the study measured the state_dict.
std::int64_t fp32ModelBytes(PhiNet& model);
/// Bytes of the INT8 model file (written to a temporary file and removed).
std::int64_t int8ModelBytes(const QuantizedPhiNet& model);

} // namespace phinet
