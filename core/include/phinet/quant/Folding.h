#pragma once
/// BatchNorm folding and the shared structure of every PhiNet forward pass that the quantization
/// code runs (folded FP32, calibration, QAT, the INT8 runtime). Includes Torch.

#include "phinet/model/PhiNet.h"

#include <functional>

namespace phinet {

/// Which convolution of the network.
enum class ConvSlot { StemDw, StemPw, Expand, Dw, SeReduce, SeExpand, Project };

/// A convolution with BatchNorm folded in (eval statistics): weight' = w * g / sqrt(var + eps),
/// bias' = b - g * mean / sqrt(var + eps). Convolutions without BN keep an undefined bias.
struct FoldedConv {
    torch::Tensor weight;
    torch::Tensor bias;
    int stride = 1;
    int padding = 0;
    int groups = 1;
};

/// A PhiNet with every Conv+BN pair folded: what the INT8 graph quantizes.
struct FoldedPhiNet {
    PhiNetPlan plan;
    FoldedConv stemDw, stemPw;
    struct Block {
        FoldedConv expand, dw, seReduce, seExpand, project;
    };
    std::vector<Block> blocks;
    torch::Tensor fcWeight, fcBias;

    const FoldedConv& conv(ConvSlot slot, int block) const;
};

/// Folds a model's BatchNorms (running statistics) into its convolutions. The model is not changed.
FoldedPhiNet foldBatchNorm(PhiNet& model);

/// Folds one Conv+BN pair.
FoldedConv foldConvBn(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn);

/// The activation sites of the INT8 graph, in execution order: "input", "stem.dw", "stem.pw",
/// "stem.act", "blockN.expand", "blockN.expand_act", "blockN.dw", "blockN.dw_act", "blockN.se_pool",
/// "blockN.se_reduce", "blockN.se_act", "blockN.se_expand", "blockN.se_gate", "blockN.se_mul",
/// "blockN.project", "blockN.add", "head.pool", "logits".
std::vector<std::string> activationSites(const PhiNetPlan& plan);

/// How a site gets its quantization parameters.
enum class SiteKind {
    Observed, ///< from an observer (conv outputs, activations, multiply, add, input, logits)
    Inherit,  ///< same as its input (average pooling keeps the input's scale)
    Sigmoid   ///< fixed 1/256, zero point 0 (the quantized sigmoid kernel's output)
};
SiteKind siteKind(const std::string& name);

/// Called at each activation site with the site's index and FP32 tensor; returns the tensor that
/// flows on (the same one, or a fake-quantized one).
using SiteHook = std::function<torch::Tensor(int site, const torch::Tensor& x)>;

/// Runs the folded network in FP32, calling `hook` (may be empty) at every site.
torch::Tensor forwardFolded(const FoldedPhiNet& net, const torch::Tensor& x, const SiteHook& hook = {});

} // namespace phinet
