#include "phinet/model/PhiNet.h"

#include "phinet/model/MemoryEstimate.h"

#include <atomic>

namespace phinet {
namespace {

namespace F = torch::nn::functional;

torch::nn::Conv2d makeConv(int in, int out, int k, int stride, int padding, int groups)
{
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(padding).groups(groups).bias(false));
}

torch::nn::BatchNorm2d makeBn(int c, const PhiNetConfig& cfg)
{
    return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(c).eps(cfg.bnEps).momentum(cfg.bnMomentum));
}

bool anyPad(const std::array<int, 4>& p)
{
    return p[0] || p[1] || p[2] || p[3];
}

torch::Tensor zeroPad(const torch::Tensor& x, const std::array<int, 4>& p)
{
    return F::pad(x, F::PadFuncOptions({p[0], p[1], p[2], p[3]}).mode(torch::kConstant).value(0));
}

/// Depthwise convolution whose weight gradient is computed by shifted products instead of oneDNN.
/// oneDNN 2.6's depthwise backward-weights kernel falls to a slow path on tiny feature maps: at
/// 2x2 with ~1,300 channels and batch 128 it takes ~30 ms against ~1 ms at 4x4, a third of the
/// MNIST model's whole backward pass. Forward and input gradient still run on oneDNN.
class SmallDepthwiseConv : public torch::autograd::Function<SmallDepthwiseConv> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w,
                                 int64_t stride, int64_t padding)
    {
        ctx->save_for_backward({x, w});
        ctx->saved_data["stride"] = stride;
        ctx->saved_data["padding"] = padding;
        return torch::conv2d(x, w, {}, stride, padding, 1, w.size(0));
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& w = saved[1];
        const int64_t stride = ctx->saved_data["stride"].toInt();
        const int64_t padding = ctx->saved_data["padding"].toInt();
        const auto go = grads[0].contiguous(x.suggest_memory_format());
        const int64_t groups = w.size(0);
        torch::Tensor gx;
        if (x.requires_grad())
            gx = std::get<0>(at::convolution_backward(go, x, w, c10::nullopt, {stride, stride}, {padding, padding},
                                                      {1, 1}, false, {0, 0}, groups, {true, false, false}));
        const int64_t k = w.size(2), H = go.size(2), W = go.size(3);
        auto xp = torch::constant_pad_nd(x, {padding, padding, padding, padding}, 0);
        std::vector<torch::Tensor> taps;
        taps.reserve(size_t(k * k));
        for (int64_t i = 0; i < k; ++i)
            for (int64_t j = 0; j < k; ++j) {
                auto patch =
                    xp.slice(2, i, i + (H - 1) * stride + 1, stride).slice(3, j, j + (W - 1) * stride + 1, stride);
                taps.push_back((patch * go).sum({0, 2, 3}));
            }
        auto gw = torch::stack(taps, 1).view({groups, 1, k, k});
        return {gx, gw, torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor depthwiseConv2d(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride, int64_t padding)
{
    if (!torch::GradMode::is_enabled() || x.size(2) * x.size(3) > 4 || !weight.requires_grad())
        return torch::conv2d(x, weight, {}, stride, padding, 1, weight.size(0));
    return SmallDepthwiseConv::apply(x, weight, stride, padding);
}

namespace {
std::atomic<bool> gDirectPointwise{true};
/// Below 28x28 the per-call cost of oneDNN (the weight's reorder) outweighs its faster kernel: the
/// MNIST network's 14x14 and 7x7 maps were 1.3x slower on it (phinet-bench-fp32-threads).
constexpr std::int64_t kDirectMinPixels = 28 * 28;
} // namespace

void setDirectOnednnPointwise(bool on)
{
    gDirectPointwise = on;
}

bool directOnednnPointwise()
{
    return gDirectPointwise;
}

torch::Tensor pointwiseConv2d(const torch::Tensor& x, const torch::Tensor& weight)
{
    if (gDirectPointwise && !torch::GradMode::is_enabled() && at::hasMKLDNN() && x.scalar_type() == torch::kFloat &&
        x.device().is_cpu() && !x.is_mkldnn() && x.size(0) < 16 && x.size(2) * x.size(3) >= kDirectMinPixels &&
        at::get_num_threads() == 1)
        return at::mkldnn_convolution(x, weight, c10::nullopt, {0, 0}, {1, 1}, {1, 1}, 1);
    return torch::conv2d(x, weight);
}

torch::Tensor phinetActivation(const torch::Tensor& x, bool hSwish)
{
    return hSwish ? torch::hardswish(x) : torch::clamp(x, 0, 6);
}

PhiNetStemImpl::PhiNetStemImpl(const StemPlan& p, const PhiNetConfig& cfg) : plan(p), hSwish(cfg.hSwish)
{
    dw = register_module("dw", makeConv(p.inChannels, p.inChannels, 3, p.stride, 0, p.inChannels));
    pw = register_module("pw", makeConv(p.inChannels, p.outChannels, 1, 1, 0, 1));
    bn = register_module("bn", makeBn(p.outChannels, cfg));
}

torch::Tensor PhiNetStemImpl::forward(torch::Tensor x)
{
    if (anyPad(plan.zeroPad)) x = zeroPad(x, plan.zeroPad);
    return phinetActivation(bn(pointwiseConv2d(dw(x), pw->weight)), hSwish);
}

PhiNetBlockImpl::PhiNetBlockImpl(const BlockPlan& p, const PhiNetConfig& cfg) : plan(p), hSwish(cfg.hSwish)
{
    const int ce = p.expandedChannels;
    if (p.hasExpansion) {
        expand = register_module("expand", makeConv(p.inChannels, ce, 1, 1, 0, 1));
        bnExpand = register_module("bn_expand", makeBn(ce, cfg));
    }
    dropout = register_module("dropout", torch::nn::Dropout2d(torch::nn::Dropout2dOptions(cfg.dropout)));
    dw = register_module("dw", makeConv(ce, ce, p.kernel, p.stride, p.convPadding, ce));
    bnDw = register_module("bn_dw", makeBn(ce, cfg));
    if (p.seChannels > 0) {
        seReduce = register_module("se_reduce", makeConv(ce, p.seChannels, 1, 1, 0, 1));
        seExpand = register_module("se_expand", makeConv(p.seChannels, ce, 1, 1, 0, 1));
    }
    project = register_module("project", makeConv(ce, p.outChannels, 1, 1, 0, 1));
    bnProject = register_module("bn_project", makeBn(p.outChannels, cfg));
}

torch::Tensor PhiNetBlockImpl::forward(torch::Tensor x)
{
    torch::Tensor y = x;
    if (plan.hasExpansion) y = phinetActivation(bnExpand(pointwiseConv2d(y, expand->weight)), hSwish);
    if (anyPad(plan.zeroPad)) y = zeroPad(y, plan.zeroPad);
    y = dropout(y);
    y = phinetActivation(bnDw(depthwiseConv2d(y, dw->weight, plan.stride, plan.convPadding)), hSwish);
    if (plan.seChannels > 0) {
        auto g = F::adaptive_avg_pool2d(y, F::AdaptiveAvgPool2dFuncOptions(1));
        g = torch::sigmoid(
            pointwiseConv2d(phinetActivation(pointwiseConv2d(g, seReduce->weight), hSwish), seExpand->weight));
        y = y * g;
    }
    y = bnProject(pointwiseConv2d(y, project->weight));
    if (plan.residual) y = y + x;
    return y;
}

PhiNetImpl::PhiNetImpl(const PhiNetConfig& cfg) : plan_(planPhiNet(cfg))
{
    // Refuse before allocating: a valid but huge config must not grow the process past the machine.
    ensureMemoryFits(cfg, 1, MemoryUse::Weights, "building the " + toString(cfg.variant) + " network");
    stem = register_module("stem", PhiNetStem(plan_.stem, cfg));
    blockList = register_module("blocks", torch::nn::ModuleList());
    for (const auto& b : plan_.blocks) {
        blocks.emplace_back(b, cfg);
        blockList->push_back(blocks.back());
    }
    if (plan_.head.present)
        classifier = register_module("classifier", torch::nn::Linear(plan_.head.inChannels, plan_.head.numClasses));
}

torch::Tensor PhiNetImpl::features(torch::Tensor x)
{
    x = stem(x);
    for (auto& b : blocks)
        x = b(x);
    return x;
}

torch::Tensor PhiNetImpl::forward(torch::Tensor x)
{
    x = features(x);
    if (!classifier) return x;
    x = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return classifier(x);
}

std::int64_t PhiNetImpl::parameterCount() const
{
    std::int64_t n = 0;
    for (const auto& p : parameters())
        n += p.numel();
    return n;
}

} // namespace phinet
