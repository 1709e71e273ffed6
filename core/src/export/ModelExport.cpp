#include "phinet/export/ModelExport.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/SafeTensors.h"
#include "phinet/export/Micromind.h"
#include "phinet/quant/QuantizedPhiNet.h"

#include "../common/TensorIO.h"
#include "OnnxExport.h"

#include <algorithm>
#include <cctype>

namespace phinet {
namespace fs = std::filesystem;

std::string toString(ExportFormat f)
{
    switch (f) {
    case ExportFormat::Onnx:
        return "onnx";
    case ExportFormat::OnnxInt8:
        return "onnx-int8";
    case ExportFormat::SafeTensors:
        return "safetensors";
    }
    return "onnx";
}

std::optional<ExportFormat> exportFormatFromString(const std::string& s)
{
    std::string l = s;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (l == "onnx") return ExportFormat::Onnx;
    if (l == "onnx-int8") return ExportFormat::OnnxInt8;
    if (l == "safetensors") return ExportFormat::SafeTensors;
    return std::nullopt;
}

std::string defaultSuffix(ExportFormat f)
{
    switch (f) {
    case ExportFormat::Onnx:
        return ".onnx";
    case ExportFormat::OnnxInt8:
        return ".int8.onnx";
    case ExportFormat::SafeTensors:
        return ".safetensors";
    }
    return ".onnx";
}

std::string toString(ModelFileType t)
{
    switch (t) {
    case ModelFileType::WorkbenchFp32:
        return "workbench FP32 checkpoint";
    case ModelFileType::WorkbenchInt8:
        return "workbench INT8 model";
    case ModelFileType::MicromindFp32:
        return "micromind-named safetensors (FP32)";
    }
    return "model";
}

std::vector<std::string> classNamesFor(const DataConfig& data, int numClasses)
{
    std::vector<std::string> names;
    switch (data.kind) {
    case DatasetKind::FashionMnist:
        names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
        break;
    case DatasetKind::Cifar10:
        names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
        break;
    case DatasetKind::Folder:
        try {
            const auto train = fs::path(data.dataDir) / "train";
            for (const auto& e : fs::directory_iterator(train))
                if (e.is_directory()) names.push_back(e.path().filename().string());
            std::sort(names.begin(), names.end());
        } catch (const std::exception&) {
            names.clear();
        }
        break;
    case DatasetKind::Mnist:
        break;
    }
    if (int(names.size()) != numClasses) {
        names.clear();
        for (int i = 0; i < numClasses; ++i)
            names.push_back(std::to_string(i));
    }
    return names;
}

namespace {

/// The data set a model file was trained on, with its normalisation filled in.
DataConfig withNormalisation(DataConfig d, int channels)
{
    if (d.mean.empty() || d.std.empty()) defaultNormalisation(d.kind, channels, d.mean, d.std);
    return d;
}

DataConfig guessData(const PhiNetConfig& cfg, const std::optional<DataConfig>& fallback)
{
    if (fallback) return *fallback;
    DataConfig d;
    d.kind = cfg.input[0] == 3 ? DatasetKind::Cifar10 : DatasetKind::Mnist;
    return d;
}

detail::Int8Source readInt8Source(const fs::path& path, const QuantizedPhiNet& q)
{
    detail::Int8Source s;
    s.siteParams = q.siteParams();
    s.perTensor = q.weightGranularity() == WeightGranularity::PerTensor;
    s.qnnpack = q.engine() == QuantEngine::Qnnpack;
    // QuantizedPhiNet::load() has checked every tensor of the file already.
    const auto f = SafeTensorsFile::read(path, 256LL << 20);
    auto layer = [&](const std::string& key) {
        detail::Int8Layer l;
        l.weight = detail::toTensor(*f.find(key + ".weight"));
        l.weightScale = detail::toTensor(*f.find(key + ".weight_scale"));
        if (const auto* b = f.find(key + ".bias")) l.bias = detail::toTensor(*b);
        s.layers[key] = l;
    };
    auto conv = [&](const std::string& key, int stride, int padding, int groups) {
        layer(key);
        FoldedConv g;
        g.stride = stride;
        g.padding = padding;
        g.groups = groups;
        s.geometry[key] = g;
    };
    const auto& p = q.plan();
    conv("stem.dw", p.stem.stride, 0, p.stem.inChannels);
    conv("stem.pw", 1, 0, 1);
    for (size_t i = 0; i < p.blocks.size(); ++i) {
        const auto& b = p.blocks[i];
        const std::string k = "blocks." + std::to_string(i) + ".";
        if (b.hasExpansion) conv(k + "expand", 1, 0, 1);
        conv(k + "dw", b.stride, b.convPadding, b.expandedChannels);
        if (b.seChannels) {
            conv(k + "se_reduce", 1, 0, 1);
            conv(k + "se_expand", 1, 0, 1);
        }
        conv(k + "project", 1, 0, 1);
    }
    if (p.head.present) layer("classifier");
    return s;
}

ModelFileType typeOf(const fs::path& path)
{
    if (!fs::exists(path)) throw DataError(path.string() + ": model file does not exist");
    switch (modelFileKind(path)) {
    case ModelFileKind::Int8:
        return ModelFileType::WorkbenchInt8;
    case ModelFileKind::Fp32:
        return ModelFileType::WorkbenchFp32;
    case ModelFileKind::Unknown:
        break;
    }
    if (isMicromindFile(path)) return ModelFileType::MicromindFp32;
    throw DataError(path.string() + ": not a model file the workbench reads (a workbench checkpoint or INT8 file, or a "
                                    "safetensors file with micromind's PhiNet tensor names)");
}

} // namespace

ModelFileInfo inspectModelFile(const fs::path& path, const std::optional<PhiNetConfig>& fallback,
                               const std::optional<DataConfig>& fallbackData)
{
    ModelFileInfo info;
    info.path = path;
    info.type = typeOf(path);
    if (info.type == ModelFileType::WorkbenchInt8) {
        const auto q = QuantizedPhiNet::load(path);
        info.config = q.plan().config;
        info.data = guessData(info.config, fallbackData);
    } else {
        info.configFromFile = info.type == ModelFileType::WorkbenchFp32 || !isMicromindFile(path) ||
                              readSafeTensorsMetadata(path).count("phinet_config") > 0;
        const auto ck = openFp32Model(path, fallback, fallbackData);
        info.config = ck.meta.model;
        info.data = ck.meta.data;
    }
    info.classes = classNamesFor(info.data, info.config.numClasses);
    info.params = summarize(info.config).params;
    return info;
}

ExportResult exportModel(const fs::path& model, ExportFormat format, const fs::path& out, const ExportOptions& options)
{
    const auto type = typeOf(model);
    ExportResult r;
    r.path = out;
    r.format = format;
    std::string bytes;
    if (format == ExportFormat::OnnxInt8) {
        if (type != ModelFileType::WorkbenchInt8)
            throw ConfigError("export: " + model.string() + " is an FP32 model (" + toString(type) +
                              "); onnx-int8 exports an INT8 model: quantize it first (phinet quantize --ckpt " +
                              model.string() + " --method ptq --out MODEL.int8)");
        const auto q = QuantizedPhiNet::load(model);
        const auto src8 = readInt8Source(model, q);
        detail::OnnxSource src;
        src.plan = q.plan();
        src.int8 = &src8;
        src.normalisation =
            withNormalisation(guessData(src.plan.config, options.fallbackData), src.plan.config.input[0]);
        src.classes =
            options.classes.empty() ? classNamesFor(src.normalisation, src.plan.config.numClasses) : options.classes;
        auto m = detail::buildOnnx(src);
        bytes = std::move(m.bytes);
        r.nodes = m.nodes;
        r.tensors = m.initializers;
    } else {
        if (type == ModelFileType::WorkbenchInt8)
            throw ConfigError("export: " + model.string() + " is an INT8 model; " + toString(format) +
                              " exports an FP32 model (use onnx-int8 for INT8 files)");
        auto ck = openFp32Model(model, options.fallbackConfig, options.fallbackData);
        const auto data = withNormalisation(ck.meta.data, ck.meta.model.input[0]);
        const auto classes = options.classes.empty() ? classNamesFor(data, ck.meta.model.numClasses) : options.classes;
        if (format == ExportFormat::SafeTensors) {
            saveMicromindSafeTensors(out, ck.model, data, classes);
            r.tensors = std::int64_t(micromindNames(ck.model->plan()).size());
            r.bytes = std::int64_t(fs::file_size(out));
            return r;
        }
        ck.model->eval();
        torch::NoGradGuard ng;
        const auto folded = foldBatchNorm(ck.model);
        detail::OnnxSource src;
        src.plan = ck.model->plan();
        src.fp32 = &folded;
        src.normalisation = data;
        src.classes = classes;
        auto m = detail::buildOnnx(src);
        bytes = std::move(m.bytes);
        r.nodes = m.nodes;
        r.tensors = m.initializers;
    }
    writeFileAtomic(out, bytes);
    r.bytes = std::int64_t(bytes.size());
    return r;
}

} // namespace phinet
