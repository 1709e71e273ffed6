#include "phinet/train/Trainer.h"

#include "phinet/common/Error.h"
#include "phinet/model/ConfigJson.h"

#include <fstream>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

json metaToJson(const CheckpointMeta& m)
{
    json history = json::array();
    for (const auto& e : m.history) history.push_back(toJson(e));
    return json{{"format", "phinet-checkpoint"},
                {"version", kFormatVersion},
                {"kind", m.kind},
                {"model", toJson(m.model)},
                {"training", toJson(m.training)},
                {"data", toJson(m.data)},
                {"epochs_done", m.epochsDone},
                {"train_seconds", m.trainSeconds},
                {"history", history}};
}

CheckpointMeta metaFromJson(const json& j, const fs::path& path)
{
    if (j.value("format", "") != "phinet-checkpoint")
        throw DataError(path.string() + ": not a PhiNet workbench checkpoint");
    if (j.value("version", 0) > kFormatVersion)
        throw DataError(path.string() + ": checkpoint format version " + std::to_string(j.value("version", 0)) +
                        " is newer than this program understands (" + std::to_string(kFormatVersion) + ")");
    CheckpointMeta m;
    try {
        m.kind = j.value("kind", "fp32");
        m.model = phinetConfigFromJson(j.at("model"), "model");
        m.training = trainConfigFromJson(j.at("training"), "training");
        m.data = dataConfigFromJson(j.at("data"), "data");
        m.epochsDone = j.value("epochs_done", 0);
        m.trainSeconds = j.value("train_seconds", 0.0);
        for (const auto& h : j.value("history", json::array())) m.history.push_back(epochSummaryFromJson(h));
    } catch (const ConfigError& e) {
        throw DataError(path.string() + ": bad checkpoint metadata: " + e.what());
    } catch (const json::exception& e) {
        throw DataError(path.string() + ": bad checkpoint metadata: " + e.what());
    }
    return m;
}

} // namespace

void saveCheckpoint(const fs::path& path, PhiNet& model, const CheckpointMeta& meta, torch::optim::Optimizer* optimizer)
{
    torch::serialize::OutputArchive root;
    root.write("meta", c10::IValue(metaToJson(meta).dump()));
    torch::serialize::OutputArchive weights;
    model->save(weights);
    root.write("model", weights);
    if (optimizer) {
        torch::serialize::OutputArchive opt;
        optimizer->save(opt);
        root.write("optimizer", opt);
    }
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    const fs::path tmp = path.string() + ".tmp";
    try {
        root.save_to(tmp.string());
    } catch (const c10::Error& e) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw DataError(path.string() + ": cannot write checkpoint (" + e.what_without_backtrace() + ")");
    }
    fs::rename(tmp, path);
}

namespace {
torch::serialize::InputArchive openArchive(const fs::path& path)
{
    if (!fs::exists(path)) throw DataError(path.string() + ": checkpoint file does not exist");
    torch::serialize::InputArchive root;
    try {
        root.load_from(path.string());
    } catch (const c10::Error&) {
        throw DataError(path.string() + ": corrupt or not a checkpoint file");
    }
    return root;
}
} // namespace

LoadedCheckpoint loadCheckpoint(const fs::path& path)
{
    auto root = openArchive(path);
    c10::IValue metaValue;
    if (!root.try_read("meta", metaValue) || !metaValue.isString())
        throw DataError(path.string() + ": not a PhiNet workbench checkpoint (no metadata)");
    json j;
    try {
        j = json::parse(metaValue.toStringRef());
    } catch (const json::exception&) {
        throw DataError(path.string() + ": corrupt checkpoint metadata");
    }
    LoadedCheckpoint out;
    out.meta = metaFromJson(j, path);
    out.path = path;
    out.model = PhiNet(out.meta.model);
    torch::serialize::InputArchive weights;
    if (!root.try_read("model", weights)) throw DataError(path.string() + ": checkpoint holds no model weights");
    try {
        out.model->load(weights);
    } catch (const c10::Error& e) {
        throw DataError(path.string() + ": weights do not match the model configuration recorded in it (" +
                        e.what_without_backtrace() + ")");
    }
    torch::serialize::InputArchive opt;
    out.hasOptimizerState = root.try_read("optimizer", opt);
    return out;
}

void loadOptimizerState(const fs::path& path, torch::optim::Optimizer& optimizer)
{
    auto root = openArchive(path);
    torch::serialize::InputArchive opt;
    if (!root.try_read("optimizer", opt)) throw DataError(path.string() + ": checkpoint holds no optimizer state");
    try {
        optimizer.load(opt);
    } catch (const c10::Error& e) {
        throw DataError(path.string() + ": optimizer state does not match (" + e.what_without_backtrace() + ")");
    }
}

} // namespace phinet
