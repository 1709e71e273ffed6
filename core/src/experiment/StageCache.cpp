#include "phinet/experiment/StageCache.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/model/ConfigJson.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::array<std::pair<Stage, const char*>, 8> kStageNames{{{Stage::Build, "build"},
                                                                    {Stage::TrainOriginal, "train-original"},
                                                                    {Stage::TrainModified, "train-modified"},
                                                                    {Stage::Ptq, "ptq"},
                                                                    {Stage::Qat, "qat"},
                                                                    {Stage::Measure, "measure"},
                                                                    {Stage::Report, "report"},
                                                                    {Stage::Sweep, "sweep"}}};

/// The cached stages, in the order they run.
constexpr std::array<Stage, 5> kCachedStages{Stage::TrainOriginal, Stage::TrainModified, Stage::Ptq, Stage::Qat,
                                             Stage::Measure};

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull, kFnvPrime = 1099511628211ull;

std::uint64_t fnv(std::uint64_t h, const char* p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(p[i]);
        h *= kFnvPrime;
    }
    return h;
}

std::string hex(std::uint64_t h)
{
    char s[17];
    std::snprintf(s, sizeof s, "%016" PRIx64, h);
    return s;
}

/// QAT-only quantization settings: PTQ reads every other one (a new setting counts for both until
/// it is listed here, so it re-runs too much rather than too little).
const std::set<std::string> kQatOnly{"qat_epochs", "qat_lr", "freeze_observers_after", "freeze_bn_after",
                                     "learned_scales"};

json without(json j, const std::set<std::string>& keys)
{
    for (const auto& k : keys)
        j.erase(k);
    return j;
}

/// Training settings that change what a training stage produces: all but the progress cadence.
json trainInputs(const TrainConfig& t)
{
    return without(toJson(t), {"report_every"});
}

json listFolder(const fs::path& dir, int depth)
{
    json entries = json::object();
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        const auto mtime = it->last_write_time(ec).time_since_epoch().count();
        if (it->is_directory(ec)) {
            entries[name] = depth > 1 ? listFolder(it->path(), depth - 1) : json(mtime);
        } else {
            entries[name] = std::to_string(it->file_size(ec)) + "@" + std::to_string(mtime);
        }
    }
    return entries;
}

void flatten(const json& j, const std::string& prefix, std::map<std::string, json>& out)
{
    if (j.is_object() && !j.empty()) {
        for (const auto& [k, v] : j.items())
            flatten(v, prefix.empty() ? k : prefix + "." + k, out);
    } else {
        out[prefix] = j;
    }
}

/// "quantization.qat_lr", "data.limit_train"; the data folder's entries and the model files of
/// earlier stages are named as such.
std::string describeField(const std::string& path)
{
    if (path.rfind("data_files.", 0) == 0 || path == "data_files") return "the data folder's files";
    if (path.rfind("upstream.", 0) == 0) return path.substr(9);
    return path;
}

std::string joined(const std::vector<std::string>& v, const char* sep = ", ")
{
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : sep) + x;
    return s;
}

bool contains(const json& list, const std::string& s)
{
    if (!list.is_array()) return false;
    return std::any_of(list.begin(), list.end(), [&](const json& x) { return x == s; });
}

/// The model files of the stages a stage reads, for its "upstream" inputs.
std::vector<Stage> readsFrom(Stage s)
{
    switch (s) {
    case Stage::Ptq:
        return {Stage::TrainModified};
    case Stage::Qat:
        return {Stage::TrainModified, Stage::Ptq};
    case Stage::Measure:
        return {Stage::TrainOriginal, Stage::TrainModified, Stage::Ptq, Stage::Qat};
    default:
        return {};
    }
}

bool switchedOn(const ExperimentConfig& c, Stage s)
{
    switch (s) {
    case Stage::TrainOriginal:
        return c.stages.trainOriginal;
    case Stage::TrainModified:
        return c.stages.trainModified;
    case Stage::Ptq:
        return c.stages.ptq;
    case Stage::Qat:
        return c.stages.qat;
    case Stage::Measure:
        return c.stages.measure;
    default:
        return true;
    }
}

} // namespace

std::string toString(Stage s)
{
    for (const auto& [st, name] : kStageNames)
        if (st == s) return name;
    return "build";
}

std::optional<Stage> stageFromString(const std::string& s)
{
    for (const auto& [st, name] : kStageNames)
        if (s == name) return st;
    return std::nullopt;
}

const StagePlanEntry* StudyPlan::find(Stage s) const
{
    for (const auto& e : stages)
        if (e.stage == s) return &e;
    return nullptr;
}

std::string StudyPlan::summary() const
{
    std::vector<std::string> reused, run, off, reasons;
    for (const auto& e : stages) {
        const auto name = toString(e.stage);
        switch (e.action) {
        case StagePlanEntry::Action::Reuse:
            reused.push_back(name);
            break;
        case StagePlanEntry::Action::Off:
            off.push_back(name);
            break;
        case StagePlanEntry::Action::Run:
            run.push_back(name);
            if (e.rootCause && std::find(reasons.begin(), reasons.end(), e.reason) == reasons.end())
                reasons.push_back(e.reason);
            break;
        }
    }
    std::vector<std::string> parts;
    if (!reused.empty()) parts.push_back("reused: " + joined(reused));
    if (!run.empty())
        parts.push_back("run: " + joined(run) + (reasons.empty() ? "" : " (" + joined(reasons, "; ") + ")"));
    if (!off.empty()) parts.push_back("off: " + joined(off));
    return joined(parts, "; ");
}

namespace stagecache {

std::string fileHash(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) throw DataError(p.string() + ": cannot be read");
    std::uint64_t h = kFnvOffset;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), std::streamsize(buf.size()));
        h = fnv(h, buf.data(), std::size_t(in.gcount()));
    }
    if (in.bad()) throw DataError(p.string() + ": cannot be read");
    return hex(h);
}

std::string jsonHash(const json& j)
{
    const auto s = j.dump(); // objects are sorted maps: the dump is canonical
    return hex(fnv(kFnvOffset, s.data(), s.size()));
}

json dataInputs(const DataConfig& d)
{
    json files;
    std::string folder;
    try {
        const auto dir = resolveDataDir(d);
        folder = dir.string();
        files = listFolder(dir, 2);
    } catch (const std::exception& e) {
        files = e.what();
    }
    return {{"data", toJson(d)}, {"data_folder", folder}, {"data_files", files}};
}

namespace {
/// Given weights are an input by content: the same file changed on disk re-runs the stage.
json givenWeightsInputs(const std::string& file)
{
    std::string hash;
    try {
        hash = fileHash(file);
    } catch (const std::exception& e) {
        hash = std::string("unreadable: ") + e.what();
    }
    return {{"file", file}, {"hash", hash}};
}
} // namespace

json stageInputs(const ExperimentConfig& c, Stage s, const json& data, const json& upstream)
{
    json in;
    switch (s) {
    case Stage::TrainOriginal:
        in = data;
        in["model"] = toJson(c.model);
        in["training_original"] = trainInputs(c.trainOriginal);
        if (!c.weights.original.empty()) in["weights"] = givenWeightsInputs(c.weights.original);
        return in;
    case Stage::TrainModified:
        in = data;
        in["model"] = toJson(c.model);
        in["modified_divisor"] = c.modifiedDivisor;
        in["training_modified"] = trainInputs(c.trainModified);
        if (!c.weights.modified.empty()) in["weights"] = givenWeightsInputs(c.weights.modified);
        return in;
    case Stage::Ptq:
        // calibration batches come from the data; the row's accuracy is evaluated at the MODIFIED eval batch size
        in = data;
        in["quantization"] = without(toJson(c.quant), kQatOnly);
        in["training_modified"] = json{{"eval_batch_size", c.trainModified.evalBatchSize}};
        in["upstream"] = upstream;
        return in;
    case Stage::Qat:
        // QAT trains with the MODIFIED training settings (batch size, optimizer, seed) at quantization.qat_lr
        in = data;
        in["quantization"] = toJson(c.quant);
        in["training_modified"] = trainInputs(c.trainModified);
        in["upstream"] = upstream;
        return in;
    case Stage::Measure:
        // size and latency of every model file under the bench protocol; INT8 files load on the engine
        in["bench"] = toJson(c)["bench"];
        in["quantization"] = json{{"engine", toString(c.quant.engine)}};
        in["upstream"] = upstream;
        return in;
    default:
        return json::object();
    }
}

std::vector<std::string> changedFields(const json& before, const json& after)
{
    std::map<std::string, json> a, b;
    flatten(before, "", a);
    flatten(after, "", b);
    std::vector<std::string> out;
    auto add = [&](const std::string& path) {
        const auto d = describeField(path);
        if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    };
    for (const auto& [k, v] : a) {
        auto it = b.find(k);
        if (it == b.end() || it->second != v) add(k);
    }
    for (const auto& [k, v] : b)
        if (!a.count(k)) add(k);
    return out;
}

std::string stageModel(Stage s)
{
    switch (s) {
    case Stage::TrainOriginal:
        return "original-fp32";
    case Stage::TrainModified:
        return "modified-fp32";
    case Stage::Ptq:
        return "modified-ptq-int8";
    case Stage::Qat:
        return "modified-qat-int8";
    default:
        return {};
    }
}

std::string stageFile(Stage s)
{
    switch (s) {
    case Stage::TrainOriginal:
    case Stage::TrainModified:
        return stageModel(s) + ".ckpt";
    case Stage::Ptq:
    case Stage::Qat:
        return stageModel(s) + ".int8";
    default:
        return {};
    }
}

StudyPlan planFromState(const ExperimentConfig& c, const json& state, const fs::path& outDir, const json& data)
{
    StudyPlan plan;
    const bool have = state.is_object();
    const json stages =
        have && state.contains("stages") && state["stages"].is_object() ? state["stages"] : json::object();
    const json done = have && state.contains("done") ? state["done"] : json::array();
    const json rows = have && state.contains("rows") && state["rows"].is_object() ? state["rows"] : json::object();
    // A run written before stage keys were recorded: trusted for the config it was run with.
    const bool legacy = have && !state.contains("stages") && state.contains("config") && state["config"] == toJson(c);
    std::map<Stage, json> hashes; // a reused stage's verified file hash; null when switched off
    std::set<Stage> running;
    for (Stage s : kCachedStages) {
        StagePlanEntry e;
        e.stage = s;
        if (!switchedOn(c, s)) {
            e.action = StagePlanEntry::Action::Off;
            hashes[s] = nullptr;
            plan.stages.push_back(e);
            continue;
        }
        const auto name = toString(s);
        const auto reads = readsFrom(s);
        std::vector<std::string> after;
        json upstream = json::object();
        for (Stage r : reads) {
            if (running.count(r)) after.push_back(toString(r));
            upstream[stageModel(r)] = hashes.count(r) ? hashes[r] : json();
        }
        const json inputs = stageInputs(c, s, data, upstream);
        const json entry = stages.contains(name) ? stages[name] : json();
        const bool isDone = contains(done, name);
        std::vector<std::string> changed;
        if (entry.is_object() && entry.contains("inputs")) {
            // files of stages that run now are compared once they are written, not here
            for (const auto& f : changedFields(entry["inputs"], inputs))
                if (std::none_of(reads.begin(), reads.end(),
                                 [&](Stage r) { return running.count(r) && f == stageModel(r); }))
                    changed.push_back(f);
        }
        const auto reason = [&](std::string why, bool root) {
            e.action = StagePlanEntry::Action::Run;
            e.reason = std::move(why);
            e.rootCause = root;
        };
        const auto file = stageFile(s);
        if (!have) {
            reason("no earlier run", true);
        } else if (!changed.empty()) {
            reason(joined(changed) + " changed", true);
        } else if (!after.empty()) {
            reason("after " + joined(after), false);
        } else if (!isDone) {
            reason("not finished", true);
        } else if (!entry.is_object() && !legacy) {
            reason("no key recorded", true);
        } else if (!stageModel(s).empty() && !rows.contains(stageModel(s))) {
            reason("no result row", true);
        } else {
            e.action = StagePlanEntry::Action::Reuse;
            if (!file.empty()) {
                std::string h;
                try {
                    h = fileHash(outDir / file);
                } catch (const std::exception&) {
                    reason(file + " missing", true);
                }
                if (!h.empty() && entry.is_object() && entry.value("file_hash", std::string()) != h)
                    reason(file + " changed on disk", true);
                hashes[s] = h;
            }
        }
        if (e.action == StagePlanEntry::Action::Run) running.insert(s);
        plan.stages.push_back(e);
    }
    return plan;
}

} // namespace stagecache

StudyPlan planStudy(const ExperimentConfig& config, const fs::path& outDir)
{
    json state;
    std::error_code ec;
    if (fs::exists(outDir / "state.json", ec)) {
        try {
            state = readJsonFile(outDir / "state.json");
        } catch (const std::exception&) {
            state = nullptr; // the run says what is wrong with it; the plan runs everything
        }
    }
    const auto data = stagecache::dataInputs(config.data);
    try {
        return stagecache::planFromState(config, state, outDir, data);
    } catch (const json::exception&) { // a state of unexpected shape: the run says what is wrong with it
        return stagecache::planFromState(config, json(), outDir, data);
    }
}

} // namespace phinet
