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

std::vector<std::string> QuantConfig::validate() const
{
    std::vector<std::string> e;
    if (calibrationBatches < 1)
        e.push_back("calib_batches: must be >= 1 (calibration needs data)");
    else
        checkRange(e, "calib_batches", calibrationBatches, 1, 1000000);
    checkRange(e, "calib_batch_size", calibrationBatchSize, 1, 65536);
    checkRangeOpenLow(e, "percentile", percentile, 50.0, 100.0);
    checkRange(e, "qat_epochs", qatEpochs, 0, 100000);
    checkRangeOpenLow(e, "qat_lr", qatLr, 0.0, 10.0);
    checkRange(e, "freeze_observers_after", freezeObserversAfter, 0, 100000);
    checkRange(e, "freeze_bn_after", freezeBnAfter, 0, 100000);
    checkRange(e, "threads", threads, 0, maxThreads());
    return e;
}

json toJson(const QuantConfig& c)
{
    return json{{"observer", toString(c.observer)},
                {"percentile", c.percentile},
                {"weights", toString(c.weights)},
                {"engine", toString(c.engine)},
                {"reduce_range", toString(c.reduceRange)},
                {"calib_batches", c.calibrationBatches},
                {"calib_batch_size", c.calibrationBatchSize},
                {"qat_epochs", c.qatEpochs},
                {"qat_lr", c.qatLr},
                {"freeze_observers_after", c.freezeObserversAfter},
                {"freeze_bn_after", c.freezeBnAfter},
                {"learned_scales", c.learnedScales},
                {"threads", c.threads}};
}

QuantConfig quantConfigFromJson(const json& j, const std::string& ctx)
{
    if (!j.is_object()) throw ConfigError(ctx + ": expected an object");
    QuantConfig c;
    std::string observer = toString(c.observer), weights = toString(c.weights), engine = toString(c.engine),
                reduce = toString(c.reduceRange);
    readField(j, "reduce_range", reduce, ctx, "auto, on or off");
    auto rr = reduceRangeFromString(reduce);
    if (!rr) throw ConfigError(ctx + ".reduce_range: expected auto, on or off, got \"" + reduce + "\"");
    c.reduceRange = *rr;
    readField(j, "observer", observer, ctx, "a string");
    readField(j, "weights", weights, ctx, "a string");
    readField(j, "engine", engine, ctx, "a string");
    auto o = observerFromString(observer);
    if (!o)
        throw ConfigError(ctx + ".observer: expected minmax, moving-average, percentile or histogram, got \"" +
                          observer + "\"");
    auto w = granularityFromString(weights);
    if (!w) throw ConfigError(ctx + ".weights: expected per-channel or per-tensor, got \"" + weights + "\"");
    auto e = engineFromString(engine);
    if (!e) throw ConfigError(ctx + ".engine: expected onednn or qnnpack, got \"" + engine + "\"");
    c.observer = *o;
    c.weights = *w;
    c.engine = *e;
    readField(j, "percentile", c.percentile, ctx, "a number");
    readField(j, "calib_batches", c.calibrationBatches, ctx, "an integer");
    readField(j, "calib_batch_size", c.calibrationBatchSize, ctx, "an integer");
    readField(j, "qat_epochs", c.qatEpochs, ctx, "an integer");
    readField(j, "qat_lr", c.qatLr, ctx, "a number");
    readField(j, "freeze_observers_after", c.freezeObserversAfter, ctx, "an integer");
    readField(j, "freeze_bn_after", c.freezeBnAfter, ctx, "an integer");
    readField(j, "learned_scales", c.learnedScales, ctx, "true or false");
    readField(j, "threads", c.threads, ctx, "an integer");
    auto errors = c.validate();
    if (!errors.empty()) {
        for (auto& m : errors)
            m = ctx + "." + m;
        throw ConfigError(errors);
    }
    return c;
}

} // namespace phinet
