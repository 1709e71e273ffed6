#include "ExportCommand.h"

#include "phinet/common/Error.h"
#include "phinet/export/ModelExport.h"
#include "phinet/model/ConfigJson.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace phinet::cli {
namespace fs = std::filesystem;

void ExportArgs::add(CLI::App* app)
{
    app->add_option("--model", model, "model file: FP32 checkpoint, INT8 file, or micromind-named safetensors")
        ->required();
    app->add_option("--format", format,
                    "onnx (FP32) | onnx-int8 (INT8 QDQ, from an INT8 file) | safetensors (micromind names)")
        ->required();
    app->add_option("--out", out, "file to write")->required();
    fallback.add(app);
    app->add_option(
        "--dataset", dataset,
        "mnist | fashion-mnist | cifar10 | folder: normalisation and class names when the file does not record "
        "them (INT8 files, micromind files without metadata; default by input channels)");
    app->add_flag("--json", json, "one JSON object on stdout");
}

int runExport(const ExportArgs& a, CLI::App* app)
{
    const auto format = exportFormatFromString(a.format);
    if (!format) throw UsageError("--format: expected onnx, onnx-int8 or safetensors, got \"" + a.format + "\"");
    if (!fs::exists(a.model)) throw UsageError("--model: file \"" + a.model + "\" does not exist");
    if (a.out.empty()) throw UsageError("--out: a file name is needed");
    ExportOptions options;
    // The model options describe a micromind file without a config; they are read only then.
    options.fallbackConfig = a.fallback.toConfig();
    if (app->count("--dataset")) {
        const auto kind = datasetKindFromString(a.dataset);
        if (!kind)
            throw UsageError("--dataset: expected mnist, fashion-mnist, cifar10 or folder, got \"" + a.dataset + "\"");
        DataConfig d;
        d.kind = *kind;
        options.fallbackData = d;
    }
    const auto r = exportModel(a.model, *format, a.out, options);
    if (a.json) {
        std::cout << nlohmann::json{{"model", a.model},       {"format", toString(r.format)},
                                    {"out", r.path.string()}, {"bytes", r.bytes},
                                    {"nodes", r.nodes},       {"tensors", r.tensors}}
                         .dump()
                  << std::endl;
    } else {
        std::cout << "exported " << a.model << " as " << toString(r.format) << ": " << r.path.string() << " ("
                  << humanBytes(r.bytes) << (r.nodes ? ", " + std::to_string(r.nodes) + " nodes" : std::string()) << ")"
                  << std::endl;
    }
    return Ok;
}

} // namespace phinet::cli
