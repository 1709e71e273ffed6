#pragma once
// `phinet export`: a model file to ONNX (FP32 or INT8 QDQ) or micromind-named safetensors.

#include "CliCommon.h"

namespace phinet::cli {

struct ExportArgs {
    std::string model;
    std::string format;
    std::string out;
    ModelArgs fallback;  ///< the configuration of a micromind file without metadata
    std::string dataset; ///< the data set (normalisation, class names) when the file does not name one
    bool json = false;
    void add(CLI::App* app);
};

int runExport(const ExportArgs& args, CLI::App* app);

} // namespace phinet::cli
