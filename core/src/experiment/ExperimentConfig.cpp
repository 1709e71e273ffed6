#include "phinet/experiment/ExperimentConfig.h"

#include "phinet/common/Limits.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"
#include "phinet/model/ConfigJson.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <fstream>
#include <map>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

PhiNetConfig ExperimentConfig::originalModel() const
{
    auto c = model;
    c.variant = Variant::Original;
    c.divisor = 1;
    return c;
}

PhiNetConfig ExperimentConfig::modifiedModel() const
{
    auto c = model;
    c.variant = Variant::Modified;
    c.divisor = modifiedDivisor;
    return c;
}

Problems validateBench(const BenchConfig& b)
{
    Problems e;
    checkRange(e, "runs", b.runs, 1, 100000);
    checkRange(e, "warmup", b.warmup, 0, 100000);
    checkRange(e, "rounds", b.rounds, 2, 1000);
    checkRange(e, "batch", b.batch, 1, 4096);
    checkRange(e, "threads", b.threads, 0, maxThreads());
    return e;
}

Problems ExperimentConfig::validate() const
{
    Problems e;
    auto add = [&](const std::string& prefix, const Problems& v) {
        for (auto& p : prefixed(prefix, v))
            e.push_back(std::move(p));
    };
    add("model.", originalModel().validate());
    checkRange(e, "modified_divisor", modifiedDivisor, 1, 256);
    add("", data.validate());
    add("training_original.", trainOriginal.validate());
    add("training_modified.", trainModified.validate());
    add("quantization.", quant.validate());
    add("bench.", validateBench(bench));
    if ((stages.ptq || stages.qat) && !stages.trainModified)
        e.push_back({"stages.train_modified", "PTQ and QAT quantize the trained MODIFIED model, switch it on"});
    if (!weights.original.empty() && !stages.trainOriginal)
        e.push_back({"stages.train_original", "it loads the given ORIGINAL weights (weights.original), switch it on"});
    if (!weights.modified.empty() && !stages.trainModified)
        e.push_back({"stages.train_modified", "it loads the given MODIFIED weights (weights.modified), switch it on"});
    for (const auto* w : {&weights.original, &weights.modified})
        if (w->size() > 4096)
            e.push_back({w == &weights.original ? "weights.original" : "weights.modified",
                         "a path of at most 4096 characters"});
    return e;
}

namespace {

json benchToJson(const BenchConfig& b)
{
    return {{"runs", b.runs},   {"warmup", b.warmup},   {"rounds", b.rounds},
            {"batch", b.batch}, {"threads", b.threads}, {"gpu", b.gpu}};
}

BenchConfig benchFromJson(const json& j, const std::string& ctx)
{
    BenchConfig b;
    if (!j.is_object()) throw ConfigError(ctx + ": expected an object");
    readField(j, "runs", b.runs, ctx, "an integer");
    readField(j, "warmup", b.warmup, ctx, "an integer");
    readField(j, "rounds", b.rounds, ctx, "an integer");
    readField(j, "batch", b.batch, ctx, "an integer");
    readField(j, "threads", b.threads, ctx, "an integer");
    readField(j, "gpu", b.gpu, ctx, "true or false");
    return b;
}

} // namespace

json toJson(const ExperimentConfig& c)
{
    json j{{"kind", "study"},
           {"name", c.name},
           {"model", toJson(c.model)},
           {"modified_divisor", c.modifiedDivisor},
           {"data", toJson(c.data)},
           {"training_original", toJson(c.trainOriginal)},
           {"training_modified", toJson(c.trainModified)},
           {"quantization", toJson(c.quant)},
           {"bench", benchToJson(c.bench)},
           {"stages",
            {{"train_original", c.stages.trainOriginal},
             {"train_modified", c.stages.trainModified},
             {"ptq", c.stages.ptq},
             {"qat", c.stages.qat},
             {"measure", c.stages.measure}}}};
    if (c.distributed) j["distributed"] = true;
    if (!c.weights.original.empty() || !c.weights.modified.empty()) { // only when given: older files stay as they were
        j["weights"] = json::object();
        if (!c.weights.original.empty()) j["weights"]["original"] = c.weights.original;
        if (!c.weights.modified.empty()) j["weights"]["modified"] = c.weights.modified;
    }
    return j;
}

void adoptNetwork(ExperimentConfig& c, const PhiNetConfig& fileNetwork)
{
    const auto variant = c.model.variant;
    const auto divisor = c.model.divisor;
    c.model = fileNetwork;
    if (fileNetwork.variant != Variant::Original) c.modifiedDivisor = fileNetwork.divisor;
    c.model.variant = variant;
    c.model.divisor = divisor;
}

ExperimentConfig experimentConfigFromJson(const json& j)
{
    if (!j.is_object()) throw ConfigError("experiment: expected a JSON object");
    ExperimentConfig c;
    readField(j, "name", c.name, "experiment", "a string");
    if (j.contains("model")) c.model = phinetConfigFromJson(j.at("model"), "model");
    readField(j, "modified_divisor", c.modifiedDivisor, "experiment", "an integer");
    if (j.contains("data")) c.data = dataConfigFromJson(j.at("data"), "data");
    if (j.contains("training")) c.trainOriginal = c.trainModified = trainConfigFromJson(j.at("training"), "training");
    if (j.contains("training_original"))
        c.trainOriginal = trainConfigFromJson(j.at("training_original"), "training_original");
    if (j.contains("training_modified"))
        c.trainModified = trainConfigFromJson(j.at("training_modified"), "training_modified");
    if (j.contains("quantization")) c.quant = quantConfigFromJson(j.at("quantization"), "quantization");
    if (j.contains("bench")) c.bench = benchFromJson(j.at("bench"), "bench");
    if (j.contains("stages")) {
        const auto& s = j.at("stages");
        readField(s, "train_original", c.stages.trainOriginal, "stages", "true or false");
        readField(s, "train_modified", c.stages.trainModified, "stages", "true or false");
        readField(s, "ptq", c.stages.ptq, "stages", "true or false");
        readField(s, "qat", c.stages.qat, "stages", "true or false");
        readField(s, "measure", c.stages.measure, "stages", "true or false");
    }
    readField(j, "distributed", c.distributed, "experiment", "true or false");
    if (j.contains("weights")) {
        const auto& w = j.at("weights");
        if (!w.is_object()) throw ConfigError("weights: expected an object {\"original\": FILE, \"modified\": FILE}");
        readField(w, "original", c.weights.original, "weights", "a file path");
        readField(w, "modified", c.weights.modified, "weights", "a file path");
    }
    auto errors = c.validate();
    if (!errors.empty()) throw ConfigError(errors);
    return c;
}

ExperimentConfig loadExperimentConfig(const fs::path& path)
{
    try {
        return experimentConfigFromJson(readJsonFile(path));
    } catch (const ConfigError& e) {
        const std::string m = e.what();
        if (m.rfind(path.string(), 0) == 0) throw;
        throw ConfigError(path.string() + ": " + m);
    }
}

void saveExperimentConfig(const ExperimentConfig& c, const fs::path& path)
{
    writeJsonFile(path, toJson(c));
}

std::string toString(SweepKnob k)
{
    switch (k) {
    case SweepKnob::NumLayers:
        return "num_layers";
    case SweepKnob::Alpha:
        return "alpha";
    case SweepKnob::Beta:
        return "beta";
    case SweepKnob::T0:
        return "t0";
    }
    return "alpha";
}

std::optional<SweepKnob> sweepKnobFromString(const std::string& s)
{
    for (auto k : {SweepKnob::NumLayers, SweepKnob::Alpha, SweepKnob::Beta, SweepKnob::T0})
        if (s == toString(k)) return k;
    if (s == "layers") return SweepKnob::NumLayers;
    return std::nullopt;
}

Problems SweepConfig::validate() const
{
    Problems e;
    const auto kind = sweepKnobFromString(knob);
    if (!kind) e.push_back({"sweep.knob", "expected num_layers, alpha, beta or t0, got \"" + knob + "\""});
    if (values.empty()) e.push_back({"sweep.values", "give at least one value"});
    if (values.size() > 1000) e.push_back({"sweep.values", "at most 1000 values"});
    // each kind of problem once, at its first value (a long list must not make a long list of problems)
    bool notPositive = false, notWhole = false, outOfRange = false;
    for (size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        if (!(v > 0) && !notPositive) {
            notPositive = true;
            e.push_back({"sweep.values", "every value must be > 0"});
        }
        if (kind == SweepKnob::NumLayers && v != std::floor(v) && !notWhole) {
            notWhole = true;
            e.push_back({"sweep.values", "num_layers takes integers"});
        }
        if (kind == SweepKnob::NumLayers && !(v >= 1 && v <= 64) && !outOfRange) { // before any int conversion
            outOfRange = true;
            std::ostringstream o;
            o << "num_layers must be in [1, 64] (got " << v << ")";
            e.push_back({"sweep.values[" + std::to_string(i) + "]", o.str()});
        }
    }
    for (auto& p : prefixed("sweep.base.", base.validate()))
        e.push_back(std::move(p));
    if (variants.empty()) e.push_back({"sweep.variants", "give at least one variant"});
    for (auto& p : prefixed("sweep.bench.", validateBench(bench)))
        e.push_back(std::move(p));
    checkRange(e, "sweep.train_batches", trainBatches, 0, 1000000);
    if (reserve.ramBytes < 0) e.push_back({"sweep.reserve_ram_kb", "must be >= 0"});
    if (reserve.flashBytes < 0) e.push_back({"sweep.reserve_flash_kb", "must be >= 0"});
    return e;
}

json toJson(const SweepConfig& c)
{
    json variants = json::array();
    for (auto v : c.variants)
        variants.push_back(toString(v));
    json j({{"kind", "sweep"},
            {"name", c.name},
            {"knob", c.knob},
            {"values", c.values},
            {"base", toJson(c.base)},
            {"modified_divisor", c.modifiedDivisor},
            {"variants", variants},
            {"bench", benchToJson(c.bench)},
            {"measure_latency", c.measureLatency},
            {"measure_int8", c.measureInt8},
            {"train_batches", c.trainBatches},
            {"data", toJson(c.data)}});
    if (!c.target.empty()) { // only when set: sweeps saved without a target keep their JSON (and resume)
        j["target"] = c.target;
        j["reserve_ram_kb"] = double(c.reserve.ramBytes) / 1024;
        j["reserve_flash_kb"] = double(c.reserve.flashBytes) / 1024;
    }
    return j;
}

SweepConfig sweepConfigFromJson(const json& j)
{
    if (!j.is_object()) throw ConfigError("sweep: expected a JSON object");
    SweepConfig c;
    readField(j, "name", c.name, "sweep", "a string");
    readField(j, "knob", c.knob, "sweep", "a string");
    if (c.knob == "layers") c.knob = "num_layers";
    if (j.contains("range")) {
        // {"from": a, "to": b, "count": n}: n evenly spaced values, ends included (numpy linspace)
        const auto& r = j.at("range");
        double from = 0, to = 0;
        int count = 0;
        readField(r, "from", from, "sweep.range", "a number");
        readField(r, "to", to, "sweep.range", "a number");
        readField(r, "count", count, "sweep.range", "an integer");
        // bounded before the values are made (a count of millions asked for gigabytes of problems)
        if (count < 1 || count > 1000)
            throw ConfigError("sweep.range.count: must be in [1, 1000] (got " + std::to_string(count) + ")");
        for (int i = 0; i < count; ++i)
            c.values.push_back(count == 1 ? from : from + (to - from) * i / (count - 1));
    }
    readField(j, "values", c.values, "sweep", "a list of numbers");
    if (j.contains("base")) c.base = phinetConfigFromJson(j.at("base"), "sweep.base");
    readField(j, "modified_divisor", c.modifiedDivisor, "sweep", "an integer");
    if (j.contains("variants")) {
        c.variants.clear();
        std::vector<std::string> names;
        readField(j, "variants", names, "sweep", "a list of variant names");
        for (const auto& n : names) {
            auto v = variantFromString(n);
            if (!v) throw ConfigError("sweep.variants: unknown variant \"" + n + "\"");
            c.variants.push_back(*v);
        }
    }
    if (j.contains("bench")) c.bench = benchFromJson(j.at("bench"), "sweep.bench");
    readField(j, "measure_latency", c.measureLatency, "sweep", "true or false");
    readField(j, "measure_int8", c.measureInt8, "sweep", "true or false");
    readField(j, "train_batches", c.trainBatches, "sweep", "an integer");
    if (j.contains("data")) c.data = dataConfigFromJson(j.at("data"), "sweep.data");
    readField(j, "target", c.target, "sweep", "a target name");
    double reserveKb = 0;
    if (j.contains("reserve_ram_kb")) {
        readField(j, "reserve_ram_kb", reserveKb, "sweep", "a number of KB");
        c.reserve.ramBytes = std::llround(reserveKb * 1024);
    }
    if (j.contains("reserve_flash_kb")) {
        readField(j, "reserve_flash_kb", reserveKb, "sweep", "a number of KB");
        c.reserve.flashBytes = std::llround(reserveKb * 1024);
    }
    auto errors = c.validate();
    if (!errors.empty()) throw ConfigError(errors);
    return c;
}

Preset loadPreset(const fs::path& path)
{
    try {
        const auto j = readJsonFile(path);
        if (!j.is_object()) throw ConfigError("expected a JSON object");
        Preset p;
        p.path = path;
        p.name = path.stem().string();
        p.kind = "study";
        readField(j, "name", p.name, "preset", "a string");
        readField(j, "description", p.description, "preset", "a string");
        readField(j, "kind", p.kind, "preset", "a string");
        if (p.kind == "study")
            p.study = experimentConfigFromJson(j);
        else if (p.kind == "sweep")
            p.sweep = sweepConfigFromJson(j);
        else
            throw ConfigError("kind: expected \"study\" or \"sweep\", got \"" + p.kind + "\"");
        return p;
    } catch (const ConfigError& e) {
        const std::string m = e.what();
        if (m.rfind(path.string(), 0) == 0) throw;
        throw ConfigError(path.string() + ": " + m);
    }
}

namespace {

/// A preset file that could not be loaded.
struct BrokenPreset {
    fs::path path;
    std::string error;
    int folder; ///< 0: shipped, 1: the user's (theirs win on names)
};

/// Every loadable preset by name (the user's win), and the files that could not be loaded.
std::map<std::string, std::pair<Preset, int>> scanPresets(std::vector<BrokenPreset>& broken)
{
    std::map<std::string, std::pair<Preset, int>> byName;
    const fs::path dirs[] = {resourceDir() / "presets", userDataDir() / "presets"};
    for (int folder = 0; folder < 2; ++folder) {
        const auto& dir = dirs[folder];
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<fs::path> files;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().extension() == ".json") files.push_back(it->path());
        if (ec) broken.push_back({dir, "cannot list the folder (" + ec.message() + ")", folder});
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            // One broken file must not hide the others: skip it, say which and why.
            try {
                auto p = loadPreset(f);
                const std::string name = p.name; // not byName[p.name] = {std::move(p), ...}: the right side goes first
                byName[name] = {std::move(p), folder};
            } catch (const std::exception& e) {
                broken.push_back({f, e.what(), folder});
                logger()->warn("preset skipped: {}", e.what());
            }
        }
    }
    return byName;
}

/// The first number that is not finite (NaN is written as null and reads back as an error), as a
/// field path; empty if none.
std::string nonFiniteField(const json& j, const std::string& at)
{
    if (j.is_number_float() && !std::isfinite(j.get<double>())) return at;
    if (j.is_object())
        for (const auto& [k, v] : j.items())
            if (auto f = nonFiniteField(v, at.empty() ? k : at + "." + k); !f.empty()) return f;
    if (j.is_array())
        for (size_t i = 0; i < j.size(); ++i)
            if (auto f = nonFiniteField(j[i], at + "[" + std::to_string(i) + "]"); !f.empty()) return f;
    return {};
}

} // namespace

std::vector<Preset> listPresets(std::vector<std::string>* problems)
{
    std::vector<BrokenPreset> broken;
    auto byName = scanPresets(broken);
    if (problems)
        for (const auto& b : broken)
            problems->push_back(b.error);
    std::vector<Preset> out;
    for (auto& [name, p] : byName)
        out.push_back(std::move(p.first));
    return out;
}

Preset findPreset(const std::string& name)
{
    std::vector<BrokenPreset> broken;
    auto all = scanPresets(broken);
    auto it = all.find(name);
    // A broken <name>.json in the same or a winning folder is the preset the user asked for.
    for (const auto& b : broken)
        if (b.path.stem() == name && (it == all.end() || b.folder >= it->second.second))
            throw ConfigError("preset \"" + name + "\" cannot be used: " + b.error);
    if (it != all.end()) return it->second.first;
    std::string known;
    for (const auto& [n, p] : all)
        known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("preset \"" + name + "\" not found (known: " + known + ")");
}

fs::path saveUserPreset(const Preset& p)
{
    // The name becomes the file name: only plain names, so "../x" or "/etc/x" cannot leave the folder.
    const bool plain = !p.name.empty() && p.name.size() <= 100 && p.name[0] != '.' &&
                       std::all_of(p.name.begin(), p.name.end(), [](char ch) {
                           return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
                       });
    if (!plain)
        throw ConfigError("preset name \"" + p.name +
                          "\": use letters, digits, '-', '_' and '.' only, not starting with '.' (at most 100)");
    if (p.study.has_value() == p.sweep.has_value())
        throw ConfigError("preset \"" + p.name + "\": holds neither or both of a study and a sweep");
    if (auto e = p.study ? p.study->validate() : p.sweep->validate(); !e.empty()) throw ConfigError(e);
    json j = p.study ? toJson(*p.study) : toJson(*p.sweep);
    if (const auto f = nonFiniteField(j, ""); !f.empty())
        throw ConfigError(f + ": must be a finite number (preset \"" + p.name + "\" not saved)");
    j["name"] = p.name;
    j["description"] = p.description;
    const auto path = userDataDir() / "presets" / (p.name + ".json");
    writeJsonFile(path, j);
    return path;
}

} // namespace phinet
