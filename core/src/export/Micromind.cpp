// micromind's PhiNet state_dict layout. Read from micromind's source, micromind/networks/phinet.py of
// github.com/micromind-toolkit/micromind: release 0.0.5 (ORIGINAL: HSwish modules, a ZeroPad2d
// appended to a block's `_layers` before the Dropout2d when stride == 2) and HEAD (d2fbba8 / 062ed5a,
// the layout since 972a3ae: padding inside the depthwise conv, `divisor`). In both, PhiNet._layers is
// [ZeroPad2d, SeparableConv2d(_layers: dw, pw, bn, act), block 0, block 1..N] and a block's _layers is
// [conv1, bn1, act]? [ZeroPad2d]? Dropout2d, dw, bn, act, [SEBlock(se_conv, se_conv2)], conv2, bn2;
// the head is classifier = Sequential(AdaptiveAvgPool2d, Flatten, Linear) ("classifier.2").
#include "phinet/export/Micromind.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/SafeTensors.h"
#include "phinet/model/ConfigJson.h"

#include "../common/TensorIO.h"

#include <cstring>
#include <map>
#include <set>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// The largest micromind file read (the workbench's own FP32 cap).
constexpr std::int64_t kMaxMicromindBytes = 512LL << 20;

bool anyPad(const std::array<int, 4>& p)
{
    return p[0] || p[1] || p[2] || p[3];
}

struct MicromindTensor {
    std::string ours, key;
    std::vector<std::int64_t> shape;
    TensorDtype dtype = TensorDtype::F32;
};

/// Every tensor with its shape, computed from the plan alone (nothing built): a file is checked
/// against these before any tensor is allocated.
std::vector<MicromindTensor> micromindTensors(const PhiNetPlan& p)
{
    std::vector<MicromindTensor> out;
    auto add = [&](std::string ours, std::string key, std::vector<std::int64_t> shape) {
        out.push_back({std::move(ours), std::move(key), std::move(shape), TensorDtype::F32});
    };
    auto bn = [&](const std::string& ours, const std::string& key, std::int64_t c) {
        for (const char* s : {"weight", "bias", "running_mean", "running_var"})
            add(ours + "." + s, key + "." + s, {c});
        out.push_back({ours + ".num_batches_tracked", key + ".num_batches_tracked", {}, TensorDtype::I64});
    };
    const std::int64_t cin = p.stem.inChannels, c0 = p.stem.outChannels;
    add("stem.dw.weight", "_layers.1._layers.0.weight", {cin, 1, 3, 3});
    add("stem.pw.weight", "_layers.1._layers.1.weight", {c0, cin, 1, 1});
    bn("stem.bn", "_layers.1._layers.2", c0);
    for (size_t i = 0; i < p.blocks.size(); ++i) {
        const auto& b = p.blocks[i];
        const std::string ours = "blocks." + std::to_string(i) + ".";
        const std::string top = "_layers." + std::to_string(2 + i) + "._layers.";
        const std::int64_t ce = b.expandedChannels;
        int k = 0;
        auto at = [&](int idx) { return top + std::to_string(idx); };
        if (b.hasExpansion) {
            add(ours + "expand.weight", at(k) + ".weight", {ce, b.inChannels, 1, 1});
            bn(ours + "bn_expand", at(k + 1), ce);
            k += 3; // conv1, bn1, activation
        }
        if (anyPad(b.zeroPad)) ++k; // micromind 0.0.5's ZeroPad2d
        ++k;                        // Dropout2d
        add(ours + "dw.weight", at(k) + ".weight", {ce, 1, b.kernel, b.kernel});
        bn(ours + "bn_dw", at(k + 1), ce);
        k += 3; // dw, bn, activation
        if (b.seChannels > 0) {
            add(ours + "se_reduce.weight", at(k) + ".se_conv.weight", {b.seChannels, ce, 1, 1});
            add(ours + "se_expand.weight", at(k) + ".se_conv2.weight", {ce, b.seChannels, 1, 1});
            ++k;
        }
        add(ours + "project.weight", at(k) + ".weight", {b.outChannels, ce, 1, 1});
        bn(ours + "bn_project", at(k + 1), b.outChannels);
    }
    if (p.head.present) {
        add("classifier.weight", "classifier.2.weight", {p.head.numClasses, p.head.inChannels});
        add("classifier.bias", "classifier.2.bias", {p.head.numClasses});
    }
    return out;
}

json micromindArgs(const PhiNetConfig& c)
{
    json j{{"input_shape", {c.input[0], c.input[1], c.input[2]}},
           {"num_layers", c.numLayers},
           {"alpha", c.alpha},
           {"beta", c.beta},
           {"t_zero", c.t0},
           {"include_top", c.includeTop},
           {"num_classes", c.numClasses},
           {"downsampling_layers", c.downsamplingLayers},
           {"conv5_percent", c.conv5Percent},
           {"first_conv_stride", c.firstConvStride},
           {"residuals", c.residuals},
           {"h_swish", c.hSwish},
           {"squeeze_excite", c.squeezeExcite}};
    if (c.variant == Variant::Modified) j["divisor"] = c.divisor;
    return j;
}

std::string layoutOf(const PhiNetConfig& c)
{
    return c.variant == Variant::Original ? "micromind-0.0.5" : "micromind-972a3ae";
}

std::map<std::string, torch::Tensor> ourTensors(PhiNet& model)
{
    std::map<std::string, torch::Tensor> out;
    for (const auto& p : model->named_parameters(/*recurse=*/true))
        out[p.key()] = p.value();
    for (const auto& b : model->named_buffers(/*recurse=*/true))
        out[b.key()] = b.value();
    return out;
}

} // namespace

std::vector<std::pair<std::string, std::string>> micromindNames(const PhiNetPlan& plan)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& t : micromindTensors(plan))
        out.emplace_back(t.ours, t.key);
    return out;
}

void saveMicromindSafeTensors(const fs::path& path, PhiNet& model, const DataConfig& data,
                              const std::vector<std::string>& classes)
{
    const auto& cfg = model->config();
    auto ours = ourTensors(model);
    SafeTensorsWriter w;
    for (const auto& t : micromindTensors(model->plan())) {
        const auto it = ours.find(t.ours);
        if (it == ours.end()) throw Error("saveMicromindSafeTensors: the model has no tensor " + t.ours);
        detail::addTensor(w, t.key, it->second);
    }
    w.setMetadata("producer", std::string("phinet-workbench ") + PHINET_VERSION);
    w.setMetadata("workbench_version", PHINET_VERSION);
    w.setMetadata("layout", layoutOf(cfg));
    w.setMetadata("phinet_config", toJson(cfg).dump());
    w.setMetadata("micromind_args", micromindArgs(cfg).dump());
    w.setMetadata("data", toJson(data).dump());
    w.setMetadata("classes", json(classes).dump());
    writeFileAtomic(path, w.encode());
}

bool isMicromindFile(const fs::path& path)
{
    try {
        const auto meta = readSafeTensorsMetadata(path);
        const auto it = meta.find("format");
        return it == meta.end() || (it->second != "phinet-checkpoint" && it->second != "phinet-int8");
    } catch (const Error&) {
        return false;
    }
}

LoadedCheckpoint openFp32Model(const fs::path& path, const std::optional<PhiNetConfig>& fallback,
                               const std::optional<DataConfig>& fallbackData)
{
    if (!fs::exists(path)) throw DataError(path.string() + ": model file does not exist");
    if (!isMicromindFile(path)) return loadCheckpoint(path);
    const auto f = SafeTensorsFile::read(path, kMaxMicromindBytes);
    LoadedCheckpoint out;
    out.path = path;
    auto& meta = out.meta;
    try {
        if (f.metadata().count("phinet_config"))
            meta.model = phinetConfigFromJson(
                parseJsonBounded(f.meta("phinet_config"), path.string() + " (phinet_config)"), "phinet_config");
        else if (fallback)
            meta.model = *fallback;
        else
            throw DataError(path.string() +
                            ": a safetensors file without a PhiNet configuration in its metadata (\"phinet_config\"): "
                            "give the configuration it was built with (the Model area's form, or --model-config FILE)");
        if (f.metadata().count("data"))
            meta.data = dataConfigFromJson(parseJsonBounded(f.meta("data"), path.string() + " (data)"), "data");
        else if (fallbackData)
            meta.data = *fallbackData;
        else
            meta.data.kind = meta.model.input[0] == 3 ? DatasetKind::Cifar10 : DatasetKind::Mnist;
        meta.model.ensureValid();
    } catch (const ConfigError& e) {
        throw DataError(path.string() + ": bad model metadata: " + e.what());
    }
    const auto plan = planPhiNet(meta.model);
    const auto expected = micromindTensors(plan);
    // Every tensor checked from the header against the configured shapes before anything is built:
    // the first mismatch is named, and a config asking for more than the file holds allocates nothing.
    const std::string cfgText = toString(meta.model.variant) + " alpha " + std::to_string(meta.model.alpha) +
                                ", input " +
                                shapeString({meta.model.input[0], meta.model.input[1], meta.model.input[2]});
    std::set<std::string> known;
    for (const auto& t : expected) {
        known.insert(t.key);
        const auto* s = f.find(t.key);
        if (!s)
            throw DataError(path.string() + ": tensor " + t.key + " is missing (the configured " + cfgText +
                            " network needs it as " + t.ours + ", shape " + shapeString(t.shape) + ")");
        if (s->dtype != t.dtype)
            throw DataError(path.string() + ": tensor " + t.key + " is " + toString(s->dtype) + ", expected " +
                            toString(t.dtype));
        if (s->shape != t.shape)
            throw DataError(path.string() + ": tensor " + t.key + " has shape " + shapeString(s->shape) +
                            ", the configured " + cfgText + " network needs " + shapeString(t.shape) + " (" + t.ours +
                            ")");
    }
    for (const auto& t : f.tensors())
        if (!known.count(t.name))
            throw DataError(path.string() + ": tensor " + t.name + " is not part of the configured " + cfgText +
                            " network");
    out.model = PhiNet(meta.model);
    auto ours = ourTensors(out.model);
    torch::NoGradGuard ng;
    for (const auto& t : expected) {
        auto& dst = ours.at(t.ours);
        const auto* s = f.find(t.key);
        std::memcpy(dst.data_ptr(), s->bytes.data(), s->bytes.size());
    }
    out.hasOptimizerState = false;
    return out;
}

} // namespace phinet
