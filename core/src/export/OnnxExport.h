#pragma once
// Core-internal: the ONNX graph builder behind exportModel() (includes Torch).

#include "phinet/data/DataConfig.h"
#include "phinet/quant/Folding.h"
#include "phinet/quant/Observer.h"

#include <map>
#include <string>

namespace phinet::detail {

/// One quantized layer as an INT8 file stores it.
struct Int8Layer {
    torch::Tensor weight;      ///< int8, the layer's weight shape
    torch::Tensor weightScale; ///< float32, one per output channel (one for per-tensor weights)
    torch::Tensor bias;        ///< int32 on the input x weight scale grid, or undefined
};

struct Int8Source {
    std::vector<QParams> siteParams;            ///< activationSites() order
    std::map<std::string, Int8Layer> layers;    ///< "stem.dw", "blocks.3.expand", ..., "classifier"
    std::map<std::string, FoldedConv> geometry; ///< stride, padding, groups of every convolution
    bool perTensor = false;
    bool qnnpack = false;
};

struct OnnxSource {
    PhiNetPlan plan;
    const FoldedPhiNet* fp32 = nullptr; ///< set for the FP32 graph
    const Int8Source* int8 = nullptr;   ///< set for the QDQ graph
    DataConfig normalisation;           ///< mean and std filled in, one per input channel
    std::vector<std::string> classes;
};

struct OnnxModel {
    std::string bytes;
    std::int64_t nodes = 0, initializers = 0;
};

/// Builds the graph, runs onnx::checker on it and serialises it.
OnnxModel buildOnnx(const OnnxSource& source);

} // namespace phinet::detail
