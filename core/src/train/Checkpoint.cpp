#include "phinet/train/Trainer.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/SafeTensors.h"
#include "phinet/model/LayerTable.h"

#include "../common/TensorIO.h"
#include "phinet/model/ConfigJson.h"

#include <cstring>
#include <set>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// 2: safetensors (1 was LibTorch's pickled archive, no longer read: it is unsafe to load).
constexpr int kFormatVersion = 2;

json metaToJson(const CheckpointMeta& m)
{
    json history = json::array();
    for (const auto& e : m.history)
        history.push_back(toJson(e));
    return json{{"format", "phinet-checkpoint"}, {"version", kFormatVersion},       {"kind", m.kind},
                {"model", toJson(m.model)},      {"training", toJson(m.training)},  {"data", toJson(m.data)},
                {"epochs_done", m.epochsDone},   {"train_seconds", m.trainSeconds}, {"history", history}};
}

CheckpointMeta metaFromJson(const json& j, const fs::path& path)
{
    CheckpointMeta m;
    try {
        if (j.value("format", "") != "phinet-checkpoint")
            throw DataError(path.string() + ": not a PhiNet workbench checkpoint");
        if (j.value("version", 0) > kFormatVersion)
            throw DataError(path.string() + ": checkpoint format version " + std::to_string(j.value("version", 0)) +
                            " is newer than this program understands (" + std::to_string(kFormatVersion) + ")");
        m.kind = j.value("kind", "fp32");
        m.model = phinetConfigFromJson(j.at("model"), "model");
        m.training = trainConfigFromJson(j.at("training"), "training");
        m.data = dataConfigFromJson(j.at("data"), "data");
        readField(j, "epochs_done", m.epochsDone, "checkpoint", "a whole number");
        readField(j, "train_seconds", m.trainSeconds, "checkpoint", "a number");
        if (m.epochsDone < 0 || m.epochsDone > 100000) throw ConfigError("checkpoint.epochs_done: out of range");
        if (j.contains("history") && !j.at("history").is_array())
            throw ConfigError("checkpoint.history: expected a list");
        if (j.contains("history"))
            for (const auto& h : j.at("history"))
                m.history.push_back(epochSummaryFromJson(h));
    } catch (const ConfigError& e) {
        throw DataError(path.string() + ": bad checkpoint metadata: " + e.what());
    } catch (const json::exception& e) {
        throw DataError(path.string() + ": bad checkpoint metadata: " + e.what());
    }
    return m;
}

} // namespace

namespace {

/// The largest model file the workbench reads: PhiNets of the study are well under 100 MiB; the cap
/// keeps a hostile file from making the reader allocate without bound.
constexpr std::int64_t kMaxCheckpointBytes = 512LL << 20;
const std::string kModelPrefix = "model.";
const std::string kOptimizerPrefix = "optimizer.";

/// Every tensor of the model by its module path (parameters, then buffers).
std::vector<std::pair<std::string, torch::Tensor>> modelTensors(PhiNet& model)
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& p : model->named_parameters(/*recurse=*/true))
        out.emplace_back(p.key(), p.value());
    for (const auto& b : model->named_buffers(/*recurse=*/true))
        out.emplace_back(b.key(), b.value());
    return out;
}

/// Optimizer state per parameter (index into model->parameters()), as named tensors and JSON.
void writeOptimizer(SafeTensorsWriter& w, json& meta, PhiNet& model, torch::optim::Optimizer& opt)
{
    const auto params = model->parameters();
    json steps = json::array();
    std::string kind;
    for (size_t i = 0; i < params.size(); ++i) {
        const auto key = c10::guts::to_string(params[i].unsafeGetTensorImpl());
        const auto it = opt.state().find(key);
        const std::string base = kOptimizerPrefix + std::to_string(i) + ".";
        if (it == opt.state().end()) {
            steps.push_back(nullptr);
            continue;
        }
        if (auto* a = dynamic_cast<torch::optim::AdamParamState*>(it->second.get())) {
            kind = "adam";
            steps.push_back(a->step());
            detail::addTensor(w, base + "exp_avg", a->exp_avg());
            detail::addTensor(w, base + "exp_avg_sq", a->exp_avg_sq());
            if (a->max_exp_avg_sq().defined()) detail::addTensor(w, base + "max_exp_avg_sq", a->max_exp_avg_sq());
        } else if (auto* aw = dynamic_cast<torch::optim::AdamWParamState*>(it->second.get())) {
            kind = "adamw";
            steps.push_back(aw->step());
            detail::addTensor(w, base + "exp_avg", aw->exp_avg());
            detail::addTensor(w, base + "exp_avg_sq", aw->exp_avg_sq());
            if (aw->max_exp_avg_sq().defined()) detail::addTensor(w, base + "max_exp_avg_sq", aw->max_exp_avg_sq());
        } else if (auto* sg = dynamic_cast<torch::optim::SGDParamState*>(it->second.get())) {
            kind = "sgd";
            steps.push_back(0);
            if (sg->momentum_buffer().defined()) detail::addTensor(w, base + "momentum_buffer", sg->momentum_buffer());
        } else {
            throw Error("saveCheckpoint: unsupported optimizer state");
        }
    }
    meta = json{{"kind", kind}, {"parameters", params.size()}, {"steps", steps}};
}

} // namespace

void saveCheckpoint(const fs::path& path, PhiNet& model, const CheckpointMeta& meta, torch::optim::Optimizer* optimizer)
{
    SafeTensorsWriter w;
    for (const auto& [name, t] : modelTensors(model))
        detail::addTensor(w, kModelPrefix + name, t);
    w.setMetadata("format", "phinet-checkpoint");
    w.setMetadata("version", std::to_string(kFormatVersion));
    w.setMetadata("meta", metaToJson(meta).dump());
    if (optimizer) {
        json opt;
        writeOptimizer(w, opt, model, *optimizer);
        w.setMetadata("optimizer", opt.dump());
    }
    writeFileAtomic(path, w.encode());
}

namespace {

SafeTensorsFile openCheckpoint(const fs::path& path)
{
    if (!fs::exists(path)) throw DataError(path.string() + ": checkpoint file does not exist");
    auto f = SafeTensorsFile::read(path, kMaxCheckpointBytes);
    const auto it = f.metadata().find("format");
    if (it == f.metadata().end() || it->second != "phinet-checkpoint") {
        if (it != f.metadata().end() && it->second == "phinet-int8")
            throw DataError(path.string() + ": not a PhiNet workbench checkpoint but an INT8 model file (phinet bench "
                                            "and phinet eval --model read it)");
        throw DataError(path.string() +
                        ": not a PhiNet workbench checkpoint (no \"format\": \"phinet-checkpoint\" in its metadata)");
    }
    return f;
}

} // namespace

LoadedCheckpoint loadCheckpoint(const fs::path& path)
{
    const auto f = openCheckpoint(path);
    json j;
    try {
        j = parseJsonBounded(f.meta("meta"), path.string() + " (checkpoint metadata)");
    } catch (const ConfigError& e) {
        throw DataError(e.what());
    }
    if (!j.is_object()) throw DataError(path.string() + ": corrupt checkpoint metadata");
    LoadedCheckpoint out;
    out.meta = metaFromJson(j, path);
    out.path = path;
    // The configuration decides how much the model allocates: it must not ask for more weights
    // than the file holds (a 1 KB file naming alpha 1000 is refused here, before anything is built).
    const auto summary = summarize(out.meta.model);
    const std::int64_t needBytes = summary.params * 4;
    std::int64_t modelBytes = 0;
    for (const auto& t : f.tensors())
        if (t.name.rfind(kModelPrefix, 0) == 0) modelBytes += std::int64_t(t.bytes.size());
    if (modelBytes < needBytes)
        throw DataError(path.string() + ": the model configuration recorded in it needs " +
                        std::to_string(summary.params) + " parameters (" + humanBytes(needBytes) +
                        "), the file holds " + humanBytes(modelBytes) + " of weights");
    out.model = PhiNet(out.meta.model);
    std::set<std::string> expected;
    torch::NoGradGuard ng;
    for (auto& [name, t] : modelTensors(out.model)) {
        const auto& s = f.expect(kModelPrefix + name, detail::dtypeOf(t), t.sizes().vec());
        std::memcpy(t.data_ptr(), s.bytes.data(), s.bytes.size());
        expected.insert(kModelPrefix + name);
    }
    for (const auto& t : f.tensors())
        if (t.name.rfind(kModelPrefix, 0) == 0 && !expected.count(t.name))
            throw DataError(path.string() + ": tensor " + t.name +
                            " is not part of the model its configuration describes");
    out.hasOptimizerState = f.metadata().count("optimizer") > 0;
    return out;
}

void loadOptimizerState(const fs::path& path, torch::optim::Optimizer& optimizer)
{
    const auto f = openCheckpoint(path);
    if (!f.metadata().count("optimizer")) throw DataError(path.string() + ": checkpoint holds no optimizer state");
    json meta;
    try {
        meta = parseJsonBounded(f.meta("optimizer"), path.string() + " (optimizer state)");
    } catch (const ConfigError& e) {
        throw DataError(e.what());
    }
    std::vector<torch::Tensor> params;
    for (const auto& g : optimizer.param_groups())
        for (const auto& p : g.params())
            params.push_back(p);
    const auto bad = [&](const std::string& what) { return DataError(path.string() + ": optimizer state " + what); };
    if (!meta.is_object() || !meta.contains("steps") || !meta["steps"].is_array() || !meta.contains("kind") ||
        !meta["kind"].is_string())
        throw bad("is malformed");
    const auto& steps = meta["steps"];
    if (steps.size() != params.size())
        throw bad("covers " + std::to_string(steps.size()) + " parameters, the optimizer has " +
                  std::to_string(params.size()));
    const std::string kind = meta["kind"].get<std::string>();
    const bool isAdam = dynamic_cast<torch::optim::Adam*>(&optimizer) != nullptr;
    const bool isAdamW = dynamic_cast<torch::optim::AdamW*>(&optimizer) != nullptr;
    const bool isSgd = dynamic_cast<torch::optim::SGD*>(&optimizer) != nullptr;
    if (!kind.empty() && !((kind == "adam" && isAdam) || (kind == "adamw" && isAdamW) || (kind == "sgd" && isSgd)))
        throw bad("is for the " + kind + " optimizer, not the one configured");
    auto read = [&](size_t i, const char* what, const torch::Tensor& like) -> torch::Tensor {
        const std::string name = kOptimizerPrefix + std::to_string(i) + "." + what;
        return detail::toTensor(f.expect(name, TensorDtype::F32, like.sizes().vec()));
    };
    auto& state = optimizer.state();
    for (size_t i = 0; i < params.size(); ++i) {
        if (steps[i].is_null()) continue;
        if (!steps[i].is_number_integer() || steps[i].get<std::int64_t>() < 0) throw bad("has a bad step count");
        const auto step = steps[i].get<std::int64_t>();
        const auto key = c10::guts::to_string(params[i].unsafeGetTensorImpl());
        const std::string base = kOptimizerPrefix + std::to_string(i) + ".";
        if (isAdam || isAdamW) {
            auto expAvg = read(i, "exp_avg", params[i]);
            auto expAvgSq = read(i, "exp_avg_sq", params[i]);
            torch::Tensor maxSq;
            if (f.find(base + "max_exp_avg_sq")) maxSq = read(i, "max_exp_avg_sq", params[i]);
            if (isAdam) {
                auto st = std::make_unique<torch::optim::AdamParamState>();
                st->step(step).exp_avg(expAvg).exp_avg_sq(expAvgSq);
                if (maxSq.defined()) st->max_exp_avg_sq(maxSq);
                state[key] = std::move(st);
            } else {
                auto st = std::make_unique<torch::optim::AdamWParamState>();
                st->step(step).exp_avg(expAvg).exp_avg_sq(expAvgSq);
                if (maxSq.defined()) st->max_exp_avg_sq(maxSq);
                state[key] = std::move(st);
            }
        } else if (isSgd) {
            auto st = std::make_unique<torch::optim::SGDParamState>();
            if (f.find(base + "momentum_buffer")) st->momentum_buffer(read(i, "momentum_buffer", params[i]));
            state[key] = std::move(st);
        }
    }
}

} // namespace phinet
