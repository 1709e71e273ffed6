#include "phinet/report/Results.h"

#include "phinet/common/Error.h"
#include "phinet/common/JsonRead.h"

#include <torch/version.h>
#include <spdlog/version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <unistd.h>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
json latencyOrNull(const std::optional<LatencyReport>& l)
{
    return l ? toJson(*l) : json(nullptr);
}
template <typename T> json optional(const std::optional<T>& v)
{
    return v ? json(*v) : json(nullptr);
}
/// A whole number of a stored result (state.json, results.json, the run store): a JSON float or a
/// number past T's range is refused by name (converting 5e21 to an integer is undefined behaviour).
template <typename T> T wholeNumber(const json& j, const char* key, T fallback)
{
    T v = fallback;
    readField(j, key, v, "result", "a whole number");
    return v;
}
std::vector<std::int64_t> wholeNumbers(const json& j, const char* key)
{
    std::vector<std::int64_t> out;
    if (!j.is_object() || !j.contains(key)) return out;
    const auto& a = j.at(key);
    if (!a.is_array()) throw ConfigError(std::string("result.") + key + ": expected a list of whole numbers");
    out.reserve(a.size());
    for (const auto& e : a) {
        const json one{{key, e}}; // the message names the list
        out.push_back(wholeNumber<std::int64_t>(one, key, 0));
    }
    return out;
}

std::optional<LatencyReport> latencyFromJson(const json& j)
{
    if (j.is_null()) return std::nullopt;
    LatencyReport r;
    r.available = j.value("available", true);
    r.unavailableReason = j.value("reason", "");
    r.mean = j.value("mean", 0.0);
    r.median = j.value("median", 0.0);
    r.p90 = j.value("p90", 0.0);
    r.min = j.value("min", 0.0);
    r.max = j.value("max", 0.0);
    r.protocol.threads = wholeNumber(j, "threads", 0);
    r.protocol.batch = wholeNumber(j, "batch", 1);
    r.protocol.runs = wholeNumber(j, "runs", 0);
    r.protocol.warmup = wholeNumber(j, "warmup", 0);
    r.protocol.engine = j.value("engine", "");
    r.protocol.device = j.value("device", "cpu");
    r.rounds = wholeNumber(j, "rounds", 0);
    if (j.contains("interval95") && j.at("interval95").is_array() && j.at("interval95").size() == 2 &&
        j.at("interval95")[0].is_number() && j.at("interval95")[1].is_number()) {
        r.intervalLow = j.at("interval95")[0].get<double>();
        r.intervalHigh = j.at("interval95")[1].get<double>();
    }
    r.cv = j.value("cv", 0.0);
    r.unstable = j.value("unstable", false);
    return r;
}
} // namespace

const char* toString(Precision p)
{
    switch (p) {
    case Precision::Fp32:
        return "fp32";
    case Precision::Int8:
        return "int8";
    case Precision::Fp32AndInt8:
        return "fp32+int8";
    }
    return "fp32";
}

std::optional<Precision> precisionFromString(const std::string& s)
{
    for (auto p : {Precision::Fp32, Precision::Int8, Precision::Fp32AndInt8})
        if (s == toString(p)) return p;
    return std::nullopt;
}

std::optional<double> sizeMib(const ModelResult& r)
{
    return r.precision == Precision::Int8 ? r.int8SizeMib : r.fp32SizeMib;
}

json toJson(const ModelResult& r)
{
    json layers = json::array();
    for (const auto& l : r.layerErrors)
        layers.push_back({{"name", l.name}, {"sqnr_db", l.sqnrDb}, {"scale", l.scale}, {"zero_point", l.zeroPoint}});
    json qat = json::array();
    for (const auto& e : r.qatEpochs)
        qat.push_back(toJson(e));
    return {{"model", r.model},
            {"variant", r.variant},
            {"precision", toString(r.precision)},
            {"sweep_knob", r.sweepKnob},
            {"sweep_value", r.sweepValue},
            {"alpha", r.alpha},
            {"beta", r.beta},
            {"t0", r.t0},
            {"layers", r.layers},
            {"input", r.input},
            {"params", r.params},
            {"macs", r.macs},
            {"flash_bytes_int8", r.flashBytesInt8},
            {"peak_ram_bytes_int8", r.peakRamBytesInt8},
            {"fit_target", r.fitTarget},
            {"fits_target", r.fitsTarget ? json(*r.fitsTarget) : json(nullptr)},
            {"fp32_size_mib", optional(r.fp32SizeMib)},
            {"int8_size_mib", optional(r.int8SizeMib)},
            {"accuracy_pct", optional(r.accuracyPct)},
            {"train_seconds", optional(r.trainSeconds)},
            {"cpu_latency_ms", latencyOrNull(r.cpuLatency)},
            {"int8_cpu_latency_ms", latencyOrNull(r.int8CpuLatency)},
            {"gpu_latency_ms", latencyOrNull(r.gpuLatency)},
            {"latency_ratio", r.latencyRatio ? toJson(*r.latencyRatio) : json(nullptr)},
            {"confusion", r.confusion},
            {"layer_sqnr", layers},
            {"qat_epochs", qat}};
}

ModelResult modelResultFromJson(const json& j)
{
    ModelResult r;
    r.model = j.value("model", "");
    r.variant = j.value("variant", "");
    const std::string precision = j.value("precision", "fp32");
    const auto p = precisionFromString(precision);
    if (!p) throw ConfigError("precision: \"" + precision + "\" is not one of fp32, int8, fp32+int8");
    r.precision = *p;
    r.sweepKnob = j.value("sweep_knob", "");
    r.sweepValue = j.value("sweep_value", 0.0);
    r.alpha = j.value("alpha", 0.0);
    r.beta = j.value("beta", 0.0);
    r.t0 = j.value("t0", 0.0);
    r.layers = wholeNumber(j, "layers", 0);
    r.input = j.value("input", "");
    r.params = wholeNumber(j, "params", std::int64_t(0));
    r.macs = wholeNumber(j, "macs", std::int64_t(0));
    r.flashBytesInt8 = wholeNumber(j, "flash_bytes_int8", std::int64_t(0));
    r.peakRamBytesInt8 = wholeNumber(j, "peak_ram_bytes_int8", std::int64_t(0));
    r.fitTarget = j.value("fit_target", "");
    if (j.contains("fits_target") && j.at("fits_target").is_boolean()) r.fitsTarget = j.at("fits_target").get<bool>();
    auto opt = [&](const char* k) -> std::optional<double> {
        if (!j.contains(k) || j.at(k).is_null()) return std::nullopt;
        return j.at(k).get<double>();
    };
    r.fp32SizeMib = opt("fp32_size_mib");
    r.int8SizeMib = opt("int8_size_mib");
    r.accuracyPct = opt("accuracy_pct");
    r.trainSeconds = opt("train_seconds");
    if (j.contains("cpu_latency_ms")) r.cpuLatency = latencyFromJson(j.at("cpu_latency_ms"));
    if (j.contains("int8_cpu_latency_ms")) r.int8CpuLatency = latencyFromJson(j.at("int8_cpu_latency_ms"));
    if (j.contains("gpu_latency_ms")) r.gpuLatency = latencyFromJson(j.at("gpu_latency_ms"));
    if (j.contains("latency_ratio") && j.at("latency_ratio").is_object())
        r.latencyRatio = latencyRatioFromJson(j.at("latency_ratio"));
    r.confusion = wholeNumbers(j, "confusion");
    for (const auto& l : j.value("layer_sqnr", json::array()))
        r.layerErrors.push_back(
            {l.value("name", ""), l.value("sqnr_db", 0.0), l.value("scale", 0.0), wholeNumber(l, "zero_point", 0L)});
    for (const auto& e : j.value("qat_epochs", json::array())) {
        QatEpoch q;
        q.epoch = wholeNumber(e, "epoch", 0);
        q.trainLoss = e.value("train_loss", 0.0);
        q.trainAccuracy = e.value("train_accuracy", 0.0);
        q.fakeQuant.accuracy = e.value("fake_quant_accuracy", 0.0);
        q.fakeQuant.loss = e.value("fake_quant_loss", 0.0);
        q.int8.accuracy = e.value("int8_accuracy", 0.0);
        q.int8.loss = e.value("int8_loss", 0.0);
        q.seconds = e.value("seconds", 0.0);
        r.qatEpochs.push_back(q);
    }
    return r;
}

Manifest makeManifest(const json& config, std::uint64_t seed, const std::string& engine, int threads)
{
    Manifest m;
    m.workbenchVersion = PHINET_VERSION;
    m.libtorchVersion = TORCH_VERSION;
    m.spdlogVersion = std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) + "." +
                      std::to_string(SPDLOG_VER_PATCH);
    m.cpu = cpuModel();
    m.gpu = "none";
    m.engine = engine;
    m.threads = threads;
    m.seed = seed;
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    m.date = date;
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    m.host = host;
    m.config = config;
    return m;
}

json toJson(const Manifest& m)
{
    json j{{"workbench_version", m.workbenchVersion},
           {"libtorch_version", m.libtorchVersion},
           {"spdlog_version", m.spdlogVersion},
           {"cpu", m.cpu},
           {"gpu", m.gpu},
           {"engine", m.engine},
           {"threads", m.threads},
           {"seed", m.seed},
           {"date", m.date},
           {"host", m.host},
           {"config", m.config}};
    if (!m.dataNote.empty()) j["data_note"] = m.dataNote;
    if (!m.latency.is_null()) j["latency_protocol"] = m.latency;
    return j;
}

const std::vector<std::string>& csvColumns()
{
    static const std::vector<std::string> cols{"model",
                                               "variant",
                                               "precision",
                                               "sweep_knob",
                                               "sweep_value",
                                               "alpha",
                                               "beta",
                                               "t0",
                                               "layers",
                                               "input",
                                               "params",
                                               "macs",
                                               "flash_int8_bytes",
                                               "peak_ram_int8_bytes",
                                               "fp32_size_mib",
                                               "int8_size_mib",
                                               "cpu_latency_ms",
                                               "cpu_latency_p90_ms",
                                               "int8_cpu_latency_ms",
                                               "int8_cpu_latency_p90_ms",
                                               "gpu_latency_ms",
                                               "accuracy_pct",
                                               "train_seconds",
                                               "threads",
                                               "engine",
                                               "cpu_latency_ci_low_ms",
                                               "cpu_latency_ci_high_ms",
                                               "cpu_latency_cv",
                                               "latency_ratio",
                                               "latency_ratio_ci_low",
                                               "latency_ratio_ci_high",
                                               "latency_ratio_of",
                                               "latency_ratio_resolved"};
    return cols;
}

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

namespace {
std::string num(double v, int precision = 6)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    return buf;
}
std::string opt(const std::optional<double>& v, int precision = 6)
{
    return v ? num(*v, precision) : "";
}
} // namespace

std::string toCsv(const std::vector<ModelResult>& rows)
{
    std::string out;
    const auto& cols = csvColumns();
    for (size_t i = 0; i < cols.size(); ++i)
        out += (i ? "," : "") + cols[i];
    std::vector<std::string> fitTargets; // fits_<target> columns, in the order the rows name them
    for (const auto& r : rows)
        if (!r.fitTarget.empty() && std::find(fitTargets.begin(), fitTargets.end(), r.fitTarget) == fitTargets.end())
            fitTargets.push_back(r.fitTarget);
    for (const auto& t : fitTargets)
        out += "," + csvField("fits_" + t);
    out += "\r\n";
    for (const auto& r : rows) {
        auto lat = [](const std::optional<LatencyReport>& l, bool p90) -> std::string {
            if (!l || !l->available) return "";
            return num(p90 ? l->p90 : l->median, 6);
        };
        auto ci = [](const std::optional<LatencyReport>& l, bool high) -> std::string {
            if (!l || !l->available || l->rounds == 0) return "";
            return num(high ? l->intervalHigh : l->intervalLow, 6);
        };
        const LatencyReport* any = r.cpuLatency ? &*r.cpuLatency : (r.int8CpuLatency ? &*r.int8CpuLatency : nullptr);
        std::string engine =
            r.int8CpuLatency ? r.int8CpuLatency->protocol.engine
                             : (r.precision == Precision::Int8 && r.cpuLatency ? r.cpuLatency->protocol.engine : "");
        const std::vector<std::string> fields{
            r.model,
            r.variant,
            toString(r.precision),
            r.sweepKnob,
            r.sweepKnob.empty() ? "" : num(r.sweepValue, 8),
            num(r.alpha, 8),
            num(r.beta, 8),
            num(r.t0, 8),
            std::to_string(r.layers),
            r.input,
            std::to_string(r.params),
            std::to_string(r.macs),
            r.flashBytesInt8 ? std::to_string(r.flashBytesInt8) : "",
            r.peakRamBytesInt8 ? std::to_string(r.peakRamBytesInt8) : "",
            opt(r.fp32SizeMib),
            opt(r.int8SizeMib),
            lat(r.cpuLatency, false),
            lat(r.cpuLatency, true),
            lat(r.int8CpuLatency, false),
            lat(r.int8CpuLatency, true),
            lat(r.gpuLatency, false),
            opt(r.accuracyPct),
            opt(r.trainSeconds),
            any ? std::to_string(any->protocol.threads) : "",
            engine,
            ci(r.cpuLatency, false),
            ci(r.cpuLatency, true),
            r.cpuLatency && r.cpuLatency->rounds > 0 ? num(r.cpuLatency->cv, 4) : "",
            r.latencyRatio ? num(r.latencyRatio->ratio, 6) : "",
            r.latencyRatio ? num(r.latencyRatio->intervalLow, 6) : "",
            r.latencyRatio ? num(r.latencyRatio->intervalHigh, 6) : "",
            r.latencyRatio ? r.latencyRatio->numerator + " / " + r.latencyRatio->denominator : "",
            r.latencyRatio ? (r.latencyRatio->resolved() ? "true" : "false") : ""};
        for (size_t i = 0; i < fields.size(); ++i)
            out += (i ? "," : "") + csvField(fields[i]);
        for (const auto& t : fitTargets)
            out += std::string(",") + (r.fitTarget == t && r.fitsTarget ? (*r.fitsTarget ? "true" : "false") : "");
        out += "\r\n";
    }
    return out;
}

} // namespace phinet
