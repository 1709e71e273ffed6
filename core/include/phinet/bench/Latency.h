#pragma once
/// One latency harness for every model (FP32, INT8, any device): warm-up runs, timed runs, and
/// mean/median/p90 with the protocol stated. Torch-free.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

class CancelToken;

struct LatencyProtocol {
    int batch = 1;
    int warmup = 10;
    int runs = 100;
    int threads = 0;             ///< intra-op threads in effect (filled in by the caller)
    std::string engine = "fp32"; ///< "fp32 (oneDNN/OpenBLAS)", "onednn", "qnnpack", ...
    std::string device = "cpu";  ///< "cpu" or "cuda:0"
};

struct LatencyReport {
    LatencyProtocol protocol;
    bool available = true;
    std::string unavailableReason; ///< why no figure (e.g. "no CUDA device: LibTorch built without CUDA")
    double mean = 0, median = 0, p90 = 0, min = 0, max = 0; ///< milliseconds
    std::vector<double> samples;
    /// Interleaved rounds (compareLatency): then `median` is the median of the round medians,
    /// with its 95% interval and the rounds' coefficient of variation; 0 rounds: one plain run.
    int rounds = 0;
    double intervalLow = 0, intervalHigh = 0, cv = 0;
    bool unstable = false; ///< the interval is wider than the protocol allows
};

/// Times `run` (one forward pass): protocol.warmup untimed calls, then protocol.runs timed ones.
/// `sync` (may be empty) is called after each run inside the timed region (CUDA synchronise).
/// `cancel` is polled before every warm-up and timed run (outside the timed region); when it is set
/// the measurement stops there and throws Cancelled.
LatencyReport measureLatency(const std::function<void()>& run, const LatencyProtocol& protocol,
                             const std::function<void()>& sync = {}, const CancelToken* cancel = nullptr);

/// Times several forward passes in turn, from `first` (mod M): each its `warmup` untimed runs (a
/// model's first runs after another model ran are slower for several runs) and then its `runs`
/// timed ones (measureLatency). Returns each forward's samples (ms), indexed like `forwards`.
/// `cancel` is polled before every run.
std::vector<std::vector<double>> measureInterleaved(const std::vector<std::function<void()>>& forwards, int warmup,
                                                    int runs, size_t first, const CancelToken* cancel = nullptr);

/// Statistics of a list of millisecond samples.
void fillStatistics(LatencyReport& r);

nlohmann::json toJson(const LatencyReport& r);

/// Why FP32 GPU latency cannot be measured here ("this LibTorch was built without CUDA", "no CUDA
/// device is present"); empty when a CUDA device is usable.
std::string gpuUnavailableReason();

/// "Intel(R) Xeon(R) ..." from /proc/cpuinfo, or "unknown CPU".
std::string cpuModel();

} // namespace phinet
