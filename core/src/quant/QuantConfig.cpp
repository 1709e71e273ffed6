#include "phinet/quant/QuantConfig.h"

#include "phinet/common/Error.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/Limits.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace phinet {
using nlohmann::json;

std::string toString(ObserverKind k)
{
    switch (k) {
    case ObserverKind::MinMax:
        return "minmax";
    case ObserverKind::MovingAverageMinMax:
        return "moving-average";
    case ObserverKind::HistogramPercentile:
        return "percentile";
    case ObserverKind::HistogramMse:
        return "histogram";
    }
    return "histogram";
}
std::string toString(ReduceRange r)
{
    switch (r) {
    case ReduceRange::Auto:
        return "auto";
    case ReduceRange::On:
        return "on";
    case ReduceRange::Off:
        return "off";
    }
    return "auto";
}
std::optional<ReduceRange> reduceRangeFromString(const std::string& s)
{
    const auto l = normalisedName(s);
    if (l == "auto") return ReduceRange::Auto;
    if (l == "on" || l == "true" || l == "yes") return ReduceRange::On;
    if (l == "off" || l == "false" || l == "no") return ReduceRange::Off;
    return std::nullopt;
}

bool cpuHasVnni()
{
    static const bool has = [] {
        std::ifstream in("/proc/cpuinfo");
        for (std::string line; std::getline(in, line);)
            if (line.rfind("flags", 0) == 0)
                return line.find(" avx512_vnni") != std::string::npos || line.find(" avx_vnni") != std::string::npos;
        return false;
    }();
    return has;
}

int QuantConfig::activationQMax() const
{
    bool reduce = reduceRange == ReduceRange::On;
    if (reduceRange == ReduceRange::Auto) reduce = engine != QuantEngine::Qnnpack && !cpuHasVnni();
    return reduce ? 127 : 255;
}

std::string toString(WeightGranularity g)
{
    return g == WeightGranularity::PerChannel ? "per-channel" : "per-tensor";
}
std::string toString(QuantEngine e)
{
    switch (e) {
    case QuantEngine::Onednn:
        return "onednn";
    case QuantEngine::Qnnpack:
        return "qnnpack";
    case QuantEngine::OnednnFused:
        return "onednn-fused";
    }
    return "onednn";
}

std::optional<ObserverKind> observerFromString(const std::string& s)
{
    const auto l = normalisedName(s);
    if (l == "minmax" || l == "min-max") return ObserverKind::MinMax;
    if (l == "moving-average" || l == "moving-average-minmax" || l == "ema") return ObserverKind::MovingAverageMinMax;
    if (l == "percentile" || l == "histogram-percentile") return ObserverKind::HistogramPercentile;
    if (l == "histogram" || l == "mse" || l == "histogram-mse") return ObserverKind::HistogramMse;
    return std::nullopt;
}
std::optional<WeightGranularity> granularityFromString(const std::string& s)
{
    const auto l = normalisedName(s);
    if (l == "per-channel" || l == "channel") return WeightGranularity::PerChannel;
    if (l == "per-tensor" || l == "tensor") return WeightGranularity::PerTensor;
    return std::nullopt;
}
std::optional<QuantEngine> engineFromString(const std::string& s)
{
    const auto l = normalisedName(s);
    if (l == "onednn" || l == "mkldnn") return QuantEngine::Onednn;
    if (l == "qnnpack") return QuantEngine::Qnnpack;
    if (l == "onednn-fused" || l == "fused") return QuantEngine::OnednnFused;
    return std::nullopt;
}

QuantEngine defaultEngine()
{
#if (defined(__x86_64__) || defined(_M_X64)) && defined(PHINET_HAVE_DNNL)
    return QuantEngine::OnednnFused;
#elif defined(__x86_64__) || defined(_M_X64)
    return QuantEngine::Onednn;
#else
    return QuantEngine::Qnnpack;
#endif
}

Problems QuantConfig::validate() const
{
    return fieldRangeProblems(*this);
}

json toJson(const QuantConfig& c)
{
    return fieldsToJson(c);
}

QuantConfig quantConfigFromJson(const json& j, const std::string& ctx)
{
    QuantConfig c;
    fieldsFromJson(j, ctx, c);
    if (auto problems = c.validate(); !problems.empty()) throw ConfigError(prefixed(ctx + ".", problems));
    return c;
}

} // namespace phinet
