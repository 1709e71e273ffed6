#include "phinet/experiment/ExperimentConfig.h"

#include "phinet/common/Error.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/Paths.h"
#include "phinet/model/ConfigJson.h"

#include <algorithm>
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

std::vector<std::string> ExperimentConfig::validate() const
{
    std::vector<std::string> e;
    auto add = [&](const std::string& prefix, const std::vector<std::string>& v) {
        for (const auto& m : v) e.push_back(m.rfind(prefix, 0) == 0 ? m : prefix + m);
    };
    add("model.", originalModel().validate());
    if (modifiedDivisor < 1) e.push_back("modified_divisor: must be >= 1");
    add("", data.validate());
    add("training_original.", trainOriginal.validate());
    add("training_modified.", trainModified.validate());
    add("quantization.", quant.validate());
    if (bench.runs < 1) e.push_back("bench.runs: must be >= 1");
    if (bench.warmup < 0) e.push_back("bench.warmup: must be >= 0");
    if (bench.batch < 1) e.push_back("bench.batch: must be >= 1");
    if (bench.threads < 0) e.push_back("bench.threads: must be >= 0");
    if ((stages.ptq || stages.qat) && !stages.trainModified)
        e.push_back("stages.train_modified: PTQ and QAT quantize the trained MODIFIED model, switch it on");
    return e;
}

namespace {

json benchToJson(const BenchConfig& b)
{
    return {{"runs", b.runs}, {"warmup", b.warmup}, {"batch", b.batch}, {"threads", b.threads}, {"gpu", b.gpu}};
}

BenchConfig benchFromJson(const json& j, const std::string& ctx)
{
    BenchConfig b;
    if (!j.is_object()) throw ConfigError(ctx + ": expected an object");
    readField(j, "runs", b.runs, ctx, "an integer");
    readField(j, "warmup", b.warmup, ctx, "an integer");
    readField(j, "batch", b.batch, ctx, "an integer");
    readField(j, "threads", b.threads, ctx, "an integer");
    readField(j, "gpu", b.gpu, ctx, "true or false");
    return b;
}

} // namespace

json toJson(const ExperimentConfig& c)
{
    return {{"kind", "study"},
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
    if (j.contains("training_original")) c.trainOriginal = trainConfigFromJson(j.at("training_original"), "training_original");
    if (j.contains("training_modified")) c.trainModified = trainConfigFromJson(j.at("training_modified"), "training_modified");
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
    auto errors = c.validate();
    if (!errors.empty()) throw ConfigError(errors);
    return c;
}

namespace {
json readJsonFile(const fs::path& path)
{
    std::ifstream in(path);
    if (!in) throw ConfigError(path.string() + ": cannot read file");
    try {
        return json::parse(in);
    } catch (const json::parse_error& e) {
        throw ConfigError(path.string() + ": not valid JSON (" + e.what() + ")");
    }
}

void writeJsonAtomic(const json& j, const fs::path& path)
{
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp);
        out << j.dump(2) << "\n";
        if (!out) throw DataError(path.string() + ": cannot write file");
    }
    fs::rename(tmp, path);
}
} // namespace

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
    writeJsonAtomic(toJson(c), path);
}

std::vector<std::string> SweepConfig::validate() const
{
    std::vector<std::string> e;
    static const std::vector<std::string> knobs{"num_layers", "alpha", "beta", "t0"};
    if (std::find(knobs.begin(), knobs.end(), knob) == knobs.end())
        e.push_back("sweep.knob: expected num_layers, alpha, beta or t0, got \"" + knob + "\"");
    if (values.empty()) e.push_back("sweep.values: give at least one value");
    for (double v : values) {
        if (!(v > 0)) e.push_back("sweep.values: every value must be > 0");
        if (knob == "num_layers" && v != double(int(v))) e.push_back("sweep.values: num_layers takes integers");
    }
    for (const auto& m : base.validate()) e.push_back("sweep.base." + m);
    if (variants.empty()) e.push_back("sweep.variants: give at least one variant");
    if (bench.runs < 1) e.push_back("sweep.bench.runs: must be >= 1");
    if (trainBatches < 0) e.push_back("sweep.train_batches: must be >= 0");
    return e;
}

json toJson(const SweepConfig& c)
{
    json variants = json::array();
    for (auto v : c.variants) variants.push_back(toString(v));
    return {{"kind", "sweep"},
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
            {"data", toJson(c.data)}};
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
        if (count < 1) throw ConfigError("sweep.range.count: must be >= 1");
        for (int i = 0; i < count; ++i) c.values.push_back(count == 1 ? from : from + (to - from) * i / (count - 1));
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
    auto errors = c.validate();
    if (!errors.empty()) throw ConfigError(errors);
    return c;
}

Preset loadPreset(const fs::path& path)
{
    const auto j = readJsonFile(path);
    Preset p;
    p.path = path;
    p.name = j.value("name", path.stem().string());
    p.description = j.value("description", "");
    p.kind = j.value("kind", "study");
    try {
        if (p.kind == "study") p.study = experimentConfigFromJson(j);
        else if (p.kind == "sweep") p.sweep = sweepConfigFromJson(j);
        else throw ConfigError("kind: expected \"study\" or \"sweep\", got \"" + p.kind + "\"");
    } catch (const ConfigError& e) {
        throw ConfigError(path.string() + ": " + e.what());
    }
    return p;
}

std::vector<Preset> listPresets()
{
    std::map<std::string, Preset> byName;
    for (const auto& dir : {resourceDir() / "presets", userDataDir() / "presets"}) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".json") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            auto p = loadPreset(f);
            byName[p.name] = p;
        }
    }
    std::vector<Preset> out;
    for (auto& [name, p] : byName) out.push_back(std::move(p));
    return out;
}

Preset findPreset(const std::string& name)
{
    auto all = listPresets();
    for (auto& p : all)
        if (p.name == name) return p;
    std::string known;
    for (const auto& p : all) known += (known.empty() ? "" : ", ") + p.name;
    throw ConfigError("preset \"" + name + "\" not found (known: " + known + ")");
}

fs::path saveUserPreset(const Preset& p)
{
    json j = p.study ? toJson(*p.study) : toJson(*p.sweep);
    j["name"] = p.name;
    j["description"] = p.description;
    const auto path = userDataDir() / "presets" / (p.name + ".json");
    writeJsonAtomic(j, path);
    return path;
}

} // namespace phinet
