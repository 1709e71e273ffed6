#pragma once
/// Latency you can compare: models measured in rounds; each round makes a fresh instance of every
/// model (in one fresh worker process for `phinet bench`) and times them in turn (round r starts at
/// model r mod M: A B, B A, ...), each after its own warm-up; the median of every round, and across
/// rounds a median with a distribution-free 95% interval, the coefficient of variation, paired
/// ratios with their own intervals, and the machine's load and steal during the measurement. The one
/// latency measurement behind the study's measure stage, sweeps, `phinet bench`, the Benchmark area
/// and the benchmarks. Torch-free.

#include "phinet/bench/Latency.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

class CancelToken;

struct ComparisonProtocol {
    int rounds = 10;       ///< rounds per model (each a fresh model instance)
    int runsPerRound = 20; ///< timed runs per round (its median is the round's figure)
    int warmup = 5;        ///< untimed runs at the start of every round
    int batch = 1;
    int threads = 0;                                          ///< intra-op threads in effect (filled in by the runner)
    std::string isolation = "fresh model instance per round"; ///< or "fresh process per round"
    /// A latency whose 95% interval is wider than this fraction of its median gets a warning.
    double maxRelativeInterval = 0.10;
};

/// The machine while it measured: CPU used by other processes, hypervisor steal, load average.
struct MachineLoad {
    double otherProcessesCores = 0;                     ///< average cores busy outside this process (and its workers)
    double stealPercent = 0;                            ///< CPU time the hypervisor took, % of all CPU time
    double loadAverageBefore = 0, loadAverageAfter = 0; ///< 1-minute load average
    bool measured = false;
};

/// Samples /proc/stat, /proc/self/stat and /proc/loadavg; stop() turns two samples into a load.
class LoadMonitor {
public:
    void start();
    /// `ownCpuSeconds`: CPU time of worker processes this process started (they are not "other").
    MachineLoad stop(double ownCpuSeconds = 0) const;

private:
    std::uint64_t busy0_ = 0, total0_ = 0, steal0_ = 0;
    double self0_ = 0, wall0_ = 0, load0_ = 0;
};

/// One model's latency across rounds.
struct ModelLatency {
    std::string name;
    std::vector<double> roundMedians;         ///< ms, one per round, in round order
    double median = 0;                        ///< median of the round medians (ms)
    double intervalLow = 0, intervalHigh = 0; ///< 95% interval of that median (order statistics of the rounds)
    double cv = 0;                            ///< coefficient of variation of the round medians
    LatencyReport pooled;                     ///< every timed run of every round (mean, median, p90, ...)
    /// True when the interval is wider than protocol.maxRelativeInterval of the median.
    bool unstable = false;
};

/// numerator / denominator, from the per-round paired ratios (same round, adjacent in time).
struct LatencyRatio {
    std::string numerator, denominator;
    double ratio = 0, intervalLow = 0, intervalHigh = 0;
    /// The interval excludes 1: one model is faster, at 95% confidence.
    bool resolved() const { return intervalLow > 1.0 || intervalHigh < 1.0; }
};

struct LatencyComparison {
    ComparisonProtocol protocol;
    std::vector<ModelLatency> models;
    std::vector<LatencyRatio> ratios; ///< every model to the first
    MachineLoad load;
    std::vector<std::string> warnings; ///< unstable intervals, a busy machine, steal
    const ModelLatency* find(const std::string& name) const;
};

/// Runs round `round`: a fresh instance of every model (or a fresh worker process holding them
/// all), then each model's warm-up and `runsPerRound` timed runs in turn, from model `round` mod M
/// (measureInterleaved). Returns each model's samples in ms, indexed like the names.
using LatencyRoundRunner = std::function<std::vector<std::vector<double>>(int round)>;

/// Measures `names.size()` models in `protocol.rounds` rounds; each round times them all, close in
/// time and in one process (so a paired ratio compares like with like). Polls `cancel` between rounds.
LatencyComparison compareLatency(const std::vector<std::string>& names, const LatencyRoundRunner& runRound,
                                 const ComparisonProtocol& protocol, const CancelToken* cancel = nullptr,
                                 const std::function<double()>& workerCpuSeconds = {});

/// Median and its distribution-free 95% interval: the order statistics x(k) and x(n+1-k) with the
/// largest k for which the binomial(n, 1/2) coverage is still at least 95% (n = 10: x(2), x(9),
/// 97.9%). Exact for any continuous distribution, where a bootstrap of a median of ten values is
/// too narrow. Below 6 values no pair reaches 95%: the interval is then the range.
struct MedianInterval {
    double median = 0, low = 0, high = 0;
};
MedianInterval medianWithInterval(const std::vector<double>& values);
/// Paired ratio a[i] / b[i] per round, its median and interval.
LatencyRatio pairedRatio(const ModelLatency& a, const ModelLatency& b);

/// The comparison's summary as a LatencyReport for a result row: pooled statistics plus the
/// across-round median, interval and CV.
LatencyReport toReport(const ModelLatency& m, const ComparisonProtocol& p);

nlohmann::json toJson(const LatencyComparison& c);
nlohmann::json toJson(const LatencyRatio& r);
LatencyRatio latencyRatioFromJson(const nlohmann::json& j);
/// A fixed-width table: each model's median [interval], CV, p90, ratio to the first, warnings.
std::string formatComparison(const LatencyComparison& c);

} // namespace phinet
