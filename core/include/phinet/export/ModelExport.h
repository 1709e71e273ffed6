#pragma once
/// Models in and out of the workbench: open any PhiNet model file (the workbench's FP32 checkpoints
/// and INT8 files, and safetensors files with micromind's PhiNet state_dict names) and export FP32
/// and INT8 models to ONNX and to micromind-named safetensors. Torch-free: the GUI includes it.

#include "phinet/data/DataConfig.h"
#include "phinet/model/PhiNetConfig.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace phinet {

enum class ExportFormat {
    Onnx,       ///< the FP32 network, BatchNorm folded into the convolutions, opset 17
    OnnxInt8,   ///< the INT8 network in QDQ form (int8 per-channel weights, uint8 activations, int32 biases)
    SafeTensors ///< the FP32 weights with micromind's PhiNet state_dict names and shapes
};

std::string toString(ExportFormat f);
/// "onnx", "onnx-int8", "safetensors" (case-insensitive); nullopt otherwise.
std::optional<ExportFormat> exportFormatFromString(const std::string& s);
/// The file name suffix for a format (".onnx", ".int8.onnx", ".safetensors").
std::string defaultSuffix(ExportFormat f);

/// What a model file holds.
enum class ModelFileType {
    WorkbenchFp32, ///< a checkpoint written by phinet train / the study
    WorkbenchInt8, ///< an INT8 file written by phinet quantize / the study
    MicromindFp32  ///< a safetensors file with micromind's PhiNet state_dict names
};
std::string toString(ModelFileType t);

/// A model file identified and checked (every tensor read and checked against its configuration).
struct ModelFileInfo {
    std::filesystem::path path;
    ModelFileType type = ModelFileType::WorkbenchFp32;
    PhiNetConfig config;
    /// false: a micromind file without a config in its metadata, opened with the fallback config.
    bool configFromFile = true;
    DataConfig data; ///< the data set it was trained on (normalisation), or the fallback's
    std::vector<std::string> classes;
    std::int64_t params = 0;
};

/// Identifies and checks a model file. `fallback` is the PhiNet configuration for a micromind file
/// whose metadata has none (the Model area's form); `fallbackData` its data set. Throws DataError
/// naming the file (and the first tensor that does not fit, for shape mismatches).
ModelFileInfo inspectModelFile(const std::filesystem::path& path, const std::optional<PhiNetConfig>& fallback = {},
                               const std::optional<DataConfig>& fallbackData = {});

struct ExportOptions {
    /// The configuration and data set for a micromind file without metadata (see inspectModelFile).
    std::optional<PhiNetConfig> fallbackConfig;
    std::optional<DataConfig> fallbackData;
    /// Class names for the ONNX metadata; empty: from the model's data set.
    std::vector<std::string> classes;
};

struct ExportResult {
    std::filesystem::path path;
    ExportFormat format = ExportFormat::Onnx;
    std::int64_t bytes = 0;
    std::int64_t nodes = 0;   ///< ONNX graph nodes (0 for safetensors)
    std::int64_t tensors = 0; ///< initializers / stored tensors
};

/// Reads `model` (any file inspectModelFile() reads) and writes it as `format` to `out` (atomic).
/// onnx and safetensors need an FP32 model; onnx-int8 an INT8 file (quantize first). Every ONNX model
/// is checked with onnx::checker before it is written. Throws ConfigError (wrong kind of model, an op
/// the format cannot express, naming it) or DataError (bad file).
ExportResult exportModel(const std::filesystem::path& model, ExportFormat format, const std::filesystem::path& out,
                         const ExportOptions& options = {});

/// The data set's class names for metadata: digits for MNIST, the official names for Fashion-MNIST
/// and CIFAR-10, the class folders of an image folder (when readable), else "0".."n-1".
std::vector<std::string> classNamesFor(const DataConfig& data, int numClasses);

} // namespace phinet
