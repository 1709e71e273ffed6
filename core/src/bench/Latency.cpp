#include "phinet/bench/Latency.h"

#include "phinet/common/Cancel.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <numeric>

namespace phinet {

void fillStatistics(LatencyReport& r)
{
    if (r.samples.empty()) return;
    auto s = r.samples;
    std::sort(s.begin(), s.end());
    r.mean = std::accumulate(s.begin(), s.end(), 0.0) / double(s.size());
    r.median = s.size() % 2 ? s[s.size() / 2] : 0.5 * (s[s.size() / 2 - 1] + s[s.size() / 2]);
    r.p90 = s[size_t(0.9 * double(s.size() - 1))];
    r.min = s.front();
    r.max = s.back();
}

LatencyReport measureLatency(const std::function<void()>& run, const LatencyProtocol& p,
                             const std::function<void()>& sync, const CancelToken* cancel)
{
    LatencyReport r;
    r.protocol = p;
    for (int i = 0; i < p.warmup; ++i) {
        if (isCancelled(cancel)) throw Cancelled();
        run();
    }
    if (sync) sync();
    r.samples.reserve(size_t(std::max(p.runs, 0)));
    for (int i = 0; i < p.runs; ++i) {
        if (isCancelled(cancel)) throw Cancelled();
        const auto t0 = std::chrono::steady_clock::now();
        run();
        if (sync) sync();
        r.samples.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    fillStatistics(r);
    return r;
}

std::vector<std::vector<double>> measureInterleaved(const std::vector<std::function<void()>>& forwards, int warmup,
                                                    int runs, size_t first, const CancelToken* cancel)
{
    const size_t m = forwards.size();
    std::vector<std::vector<double>> samples(m);
    LatencyProtocol p;
    p.warmup = warmup;
    p.runs = runs;
    for (size_t k = 0; k < m; ++k) {
        const size_t i = (first + k) % m;
        samples[i] = measureLatency(forwards[i], p, {}, cancel).samples;
    }
    return samples;
}

nlohmann::json toJson(const LatencyReport& r)
{
    nlohmann::json j{{"threads", r.protocol.threads}, {"batch", r.protocol.batch},   {"runs", r.protocol.runs},
                     {"warmup", r.protocol.warmup},   {"engine", r.protocol.engine}, {"device", r.protocol.device},
                     {"available", r.available}};
    if (r.available) {
        j["mean"] = r.mean;
        j["median"] = r.median;
        j["p90"] = r.p90;
        j["min"] = r.min;
        j["max"] = r.max;
        if (r.rounds > 0) {
            j["rounds"] = r.rounds;
            j["interval95"] = {r.intervalLow, r.intervalHigh};
            j["cv"] = r.cv;
            j["unstable"] = r.unstable;
        }
    } else {
        j["reason"] = r.unavailableReason;
    }
    return j;
}

std::string cpuModel()
{
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) == 0) {
            auto pos = line.find(':');
            if (pos != std::string::npos) return line.substr(pos + 2);
        }
    }
    return "unknown CPU";
}

} // namespace phinet
