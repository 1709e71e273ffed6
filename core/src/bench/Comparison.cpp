#include "phinet/bench/Comparison.h"

#include "phinet/common/Cancel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <sstream>

#include <unistd.h>

namespace phinet {
using nlohmann::json;

namespace {

double medianOf(std::vector<double> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double nowSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// CPU time of this process (user + system), in seconds.
double selfCpuSeconds()
{
    std::ifstream in("/proc/self/stat");
    std::string s;
    std::getline(in, s);
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const auto close = s.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(s.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; rest >> field; ++i) {
        if (i == 14) utime = std::atof(field.c_str());
        if (i == 15) {
            stime = std::atof(field.c_str());
            break;
        }
    }
    return (utime + stime) / double(sysconf(_SC_CLK_TCK));
}

} // namespace

void LoadMonitor::start()
{
    std::ifstream in("/proc/stat");
    std::string cpu;
    std::uint64_t v[10] = {};
    in >> cpu;
    for (auto& x : v)
        in >> x;
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
    total0_ = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    busy0_ = total0_ - v[3] - v[4];
    steal0_ = v[7];
    self0_ = selfCpuSeconds();
    wall0_ = nowSeconds();
    std::ifstream la("/proc/loadavg");
    la >> load0_;
}

MachineLoad LoadMonitor::stop(double ownCpuSeconds) const
{
    MachineLoad m;
    std::ifstream in("/proc/stat");
    std::string cpu;
    std::uint64_t v[10] = {};
    in >> cpu;
    for (auto& x : v)
        in >> x;
    if (cpu != "cpu") return m;
    const std::uint64_t total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    const std::uint64_t busy = total - v[3] - v[4];
    const double tick = double(sysconf(_SC_CLK_TCK));
    const double wall = nowSeconds() - wall0_;
    const double busySeconds = double(busy - busy0_) / tick;
    const double own = selfCpuSeconds() - self0_ + ownCpuSeconds;
    if (wall > 0) m.otherProcessesCores = std::max(0.0, (busySeconds - own) / wall);
    if (total > total0_) m.stealPercent = 100.0 * double(v[7] - steal0_) / double(total - total0_);
    m.loadAverageBefore = load0_;
    std::ifstream la("/proc/loadavg");
    la >> m.loadAverageAfter;
    m.measured = true;
    return m;
}

MedianInterval medianWithInterval(const std::vector<double>& values)
{
    MedianInterval r;
    if (values.empty()) return r;
    auto v = values;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    r.median = medianOf(v);
    // P(Binomial(n, 1/2) <= j) for j = 0, 1, ...: the interval [x(k), x(n+1-k)] (1-based) misses the
    // true median with probability 2 P(B <= k-1). Take the largest k that keeps that at most 5%.
    size_t k = 1;
    double cdf = 0, term = std::pow(0.5, double(n)); // P(B = j), from j = 0
    for (size_t j = 0; j + 1 <= (n + 1) / 2; ++j) {
        cdf += term; // P(B <= j): the miss probability of k = j + 1 is 2 cdf
        if (2 * cdf > 0.05) break;
        k = j + 1;
        term = term * double(n - j) / double(j + 1);
    }
    r.low = v[k - 1];
    r.high = v[n - k];
    return r;
}

LatencyRatio pairedRatio(const ModelLatency& a, const ModelLatency& b)
{
    LatencyRatio r;
    r.numerator = a.name;
    r.denominator = b.name;
    std::vector<double> q;
    for (size_t i = 0; i < std::min(a.roundMedians.size(), b.roundMedians.size()); ++i)
        if (b.roundMedians[i] > 0) q.push_back(a.roundMedians[i] / b.roundMedians[i]);
    const auto m = medianWithInterval(q);
    r.ratio = m.median;
    r.intervalLow = m.low;
    r.intervalHigh = m.high;
    return r;
}

const ModelLatency* LatencyComparison::find(const std::string& name) const
{
    for (const auto& m : models)
        if (m.name == name) return &m;
    return nullptr;
}

LatencyComparison compareLatency(const std::vector<std::string>& names, const LatencyRoundRunner& runRound,
                                 const ComparisonProtocol& p, const CancelToken* cancel,
                                 const std::function<double()>& workerCpuSeconds)
{
    LatencyComparison c;
    c.protocol = p;
    const size_t m = names.size();
    c.models.resize(m);
    for (size_t i = 0; i < m; ++i)
        c.models[i].name = names[i];
    LoadMonitor monitor;
    monitor.start();
    for (int r = 0; r < p.rounds; ++r) {
        if (isCancelled(cancel)) throw Cancelled();
        auto samples = runRound(r);
        if (samples.size() != m) throw std::logic_error("compareLatency: a round returned the wrong number of models");
        for (size_t i = 0; i < m; ++i) {
            c.models[i].roundMedians.push_back(medianOf(samples[i]));
            auto& pooled = c.models[i].pooled.samples;
            pooled.insert(pooled.end(), samples[i].begin(), samples[i].end());
        }
    }
    c.load = monitor.stop(workerCpuSeconds ? workerCpuSeconds() : 0.0);
    for (auto& ml : c.models) {
        ml.pooled.protocol.batch = p.batch;
        ml.pooled.protocol.runs = p.runsPerRound * p.rounds;
        ml.pooled.protocol.warmup = p.warmup;
        ml.pooled.protocol.threads = p.threads;
        fillStatistics(ml.pooled);
        const auto mi = medianWithInterval(ml.roundMedians);
        ml.median = mi.median;
        ml.intervalLow = mi.low;
        ml.intervalHigh = mi.high;
        const double mean = std::accumulate(ml.roundMedians.begin(), ml.roundMedians.end(), 0.0) /
                            double(std::max<size_t>(1, ml.roundMedians.size()));
        double var = 0;
        for (double x : ml.roundMedians)
            var += (x - mean) * (x - mean);
        if (ml.roundMedians.size() > 1) var /= double(ml.roundMedians.size() - 1);
        ml.cv = mean > 0 ? std::sqrt(var) / mean : 0;
        ml.unstable = ml.median > 0 && (ml.intervalHigh - ml.intervalLow) / 2 > p.maxRelativeInterval * ml.median;
        char buf[256];
        if (ml.unstable) {
            std::snprintf(buf, sizeof buf,
                          "%s: the 95%% interval [%.3f, %.3f] ms is wider than +-%.0f%% of the median %.3f ms",
                          ml.name.c_str(), ml.intervalLow, ml.intervalHigh, 100 * p.maxRelativeInterval, ml.median);
            c.warnings.push_back(buf);
        }
    }
    for (size_t i = 1; i < m; ++i)
        c.ratios.push_back(pairedRatio(c.models[i], c.models[0]));
    char buf[256];
    if (c.load.measured && c.load.otherProcessesCores > 0.25) {
        std::snprintf(buf, sizeof buf,
                      "the machine was busy: other processes used %.2f cores on average while this measured",
                      c.load.otherProcessesCores);
        c.warnings.push_back(buf);
    }
    if (c.load.measured && c.load.stealPercent > 2.0) {
        std::snprintf(buf, sizeof buf, "the hypervisor took %.1f%% of the CPU time (steal) while this measured",
                      c.load.stealPercent);
        c.warnings.push_back(buf);
    }
    return c;
}

LatencyReport toReport(const ModelLatency& m, const ComparisonProtocol& p)
{
    LatencyReport r = m.pooled;
    r.median = m.median;
    r.rounds = int(m.roundMedians.size());
    r.intervalLow = m.intervalLow;
    r.intervalHigh = m.intervalHigh;
    r.cv = m.cv;
    r.unstable = m.unstable;
    r.protocol.batch = p.batch;
    r.protocol.warmup = p.warmup;
    r.protocol.runs = p.runsPerRound;
    r.protocol.threads = p.threads;
    return r;
}

json toJson(const LatencyRatio& r)
{
    return json{{"numerator", r.numerator},
                {"denominator", r.denominator},
                {"ratio", r.ratio},
                {"interval95", {r.intervalLow, r.intervalHigh}},
                {"resolved", r.resolved()}};
}

LatencyRatio latencyRatioFromJson(const json& j)
{
    LatencyRatio r;
    r.numerator = j.value("numerator", "");
    r.denominator = j.value("denominator", "");
    r.ratio = j.value("ratio", 0.0);
    if (j.contains("interval95") && j.at("interval95").is_array() && j.at("interval95").size() == 2 &&
        j.at("interval95")[0].is_number() && j.at("interval95")[1].is_number()) {
        r.intervalLow = j.at("interval95")[0].get<double>();
        r.intervalHigh = j.at("interval95")[1].get<double>();
    }
    return r;
}

json toJson(const LatencyComparison& c)
{
    json models = json::array(), ratios = json::array();
    for (const auto& m : c.models) {
        auto r = toReport(m, c.protocol);
        models.push_back({{"name", m.name}, {"latency_ms", toJson(r)}, {"round_medians_ms", m.roundMedians}});
    }
    for (const auto& r : c.ratios)
        ratios.push_back(toJson(r));
    return json{{"protocol",
                 {{"rounds", c.protocol.rounds},
                  {"runs_per_round", c.protocol.runsPerRound},
                  {"warmup_per_round", c.protocol.warmup},
                  {"batch", c.protocol.batch},
                  {"threads", c.protocol.threads},
                  {"isolation", c.protocol.isolation},
                  {"interleaving",
                   "every model in each round, in one process, round r starting at model r mod M (A B, B A, ...)"},
                  {"interval", "distribution-free 95% interval of the median of round medians (order statistics)"},
                  {"max_relative_interval", c.protocol.maxRelativeInterval}}},
                {"load",
                 {{"other_processes_cores", c.load.otherProcessesCores},
                  {"steal_percent", c.load.stealPercent},
                  {"load_average_1min", {c.load.loadAverageBefore, c.load.loadAverageAfter}}}},
                {"models", models},
                {"ratios", ratios},
                {"warnings", c.warnings}};
}

std::string formatComparison(const LatencyComparison& c)
{
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line, "%-28s %10s %23s %7s %9s %28s\n", "model", "median ms", "95% interval", "CV",
                  "p90 ms", c.models.empty() ? "" : ("ratio to " + c.models.front().name).c_str());
    out += line;
    for (size_t i = 0; i < c.models.size(); ++i) {
        const auto& m = c.models[i];
        std::string ratio = "-";
        if (i > 0) {
            const auto& r = c.ratios[i - 1];
            char rb[128];
            std::snprintf(rb, sizeof rb, "%.3fx [%.3f, %.3f]%s", r.ratio, r.intervalLow, r.intervalHigh,
                          r.resolved() ? "" : " not resolved");
            ratio = rb;
        }
        std::snprintf(line, sizeof line, "%-28s %10.3f   [%8.3f, %8.3f] %6.1f%% %9.3f %28s\n", m.name.c_str(), m.median,
                      m.intervalLow, m.intervalHigh, 100 * m.cv, m.pooled.p90, ratio.c_str());
        out += line;
    }
    std::snprintf(line, sizeof line,
                  "protocol: %d rounds x %d timed runs (after %d warm-up, %s), every model in each round, interleaved, "
                  "batch %d, %d threads\n",
                  c.protocol.rounds, c.protocol.runsPerRound, c.protocol.warmup, c.protocol.isolation.c_str(),
                  c.protocol.batch, c.protocol.threads);
    out += line;
    if (c.load.measured) {
        std::snprintf(
            line, sizeof line, "machine: other processes %.2f cores, steal %.1f%%, load average %.2f -> %.2f\n",
            c.load.otherProcessesCores, c.load.stealPercent, c.load.loadAverageBefore, c.load.loadAverageAfter);
        out += line;
    }
    for (const auto& w : c.warnings)
        out += "warning: " + w + "\n";
    return out;
}

} // namespace phinet
