#pragma once
/// PhiNet as LibTorch modules (Options/Impl/TORCH_MODULE idiom), built from the exact plan of
/// LayerTable.h. This header includes Torch: GUI translation units must not include it.

#include "phinet/model/LayerTable.h"

#include <torch/torch.h>

namespace phinet {

/// Depthwise convolution (groups = channels, no bias). Identical to torch::conv2d, but when training on
/// feature maps of 4 pixels or fewer the weight gradient is computed by shifted products: oneDNN 2.6's
/// depthwise backward-weights kernel is ~30x slower there than on a 4x4 map.
torch::Tensor depthwiseConv2d(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride, int64_t padding);

/// hard-swish when hSwish, else ReLU6 (clamp(x, 0, 6)), as PhiNet does.
torch::Tensor phinetActivation(const torch::Tensor& x, bool hSwish);

/// A 1x1, stride-1 convolution without bias (the expansion, projection and SE convs). LibTorch 1.13
/// sends such a convolution of fewer than 16 images to its native im2col/GEMM path whenever it runs on
/// one thread (ConvParams::use_mkldnn requires get_num_threads() > 1 for 1x1 filters, and a batch
/// above 1 or a large tensor), which was 2-3x slower than oneDNN on one thread here; inference (no
/// grad) calls oneDNN's convolution directly in that case, on maps of 28x28 and larger (on smaller
/// ones oneDNN's per-call cost wins). Training keeps LibTorch's choice.
torch::Tensor pointwiseConv2d(const torch::Tensor& x, const torch::Tensor& weight);
/// Switches the direct oneDNN path of pointwiseConv2d on (the default) or off: benchmarks measure
/// both in one run.
void setDirectOnednnPointwise(bool on);
bool directOnednnPointwise();

/// Stem: [ZeroPad2d] -> depthwise 3x3 (stride, no bias) -> pointwise 1x1 (no bias) -> BN -> act.
class PhiNetStemImpl : public torch::nn::Module {
public:
    PhiNetStemImpl(const StemPlan& plan, const PhiNetConfig& cfg);
    torch::Tensor forward(torch::Tensor x);

    StemPlan plan;
    bool hSwish = true;
    torch::nn::Conv2d dw{nullptr}, pw{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(PhiNetStem);

/// One PhiNetConvBlock (spec a.4): [1x1 expand, BN, act] -> [ZeroPad2d] -> Dropout2d -> depthwise kxk,
/// BN, act -> [SE: pool, 1x1, act, 1x1, sigmoid, multiply] -> 1x1 project, BN -> [+ input].
class PhiNetBlockImpl : public torch::nn::Module {
public:
    PhiNetBlockImpl(const BlockPlan& plan, const PhiNetConfig& cfg);
    torch::Tensor forward(torch::Tensor x);

    BlockPlan plan;
    bool hSwish = true;
    torch::nn::Conv2d expand{nullptr}, dw{nullptr}, seReduce{nullptr}, seExpand{nullptr}, project{nullptr};
    torch::nn::BatchNorm2d bnExpand{nullptr}, bnDw{nullptr}, bnProject{nullptr};
    torch::nn::Dropout2d dropout{nullptr};
};
TORCH_MODULE(PhiNetBlock);

/// The whole network: stem, block 0..N, and (include_top) global average pool + Linear.
class PhiNetImpl : public torch::nn::Module {
public:
    explicit PhiNetImpl(const PhiNetConfig& cfg);
    torch::Tensor forward(torch::Tensor x);
    /// Features before the head (N, C, H, W).
    torch::Tensor features(torch::Tensor x);

    const PhiNetPlan& plan() const { return plan_; }
    const PhiNetConfig& config() const { return plan_.config; }
    /// Number of trainable parameters (what the spec's tables count).
    std::int64_t parameterCount() const;

    PhiNetStem stem{nullptr};
    std::vector<PhiNetBlock> blocks;
    torch::nn::ModuleList blockList{nullptr};
    torch::nn::Linear classifier{nullptr};

private:
    PhiNetPlan plan_;
};
TORCH_MODULE(PhiNet);

} // namespace phinet
