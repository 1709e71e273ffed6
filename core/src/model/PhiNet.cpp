#include "phinet/model/PhiNet.h"

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

} // namespace

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
    return phinetActivation(bn(pw(dw(x))), hSwish);
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
    if (plan.hasExpansion) y = phinetActivation(bnExpand(expand(y)), hSwish);
    if (anyPad(plan.zeroPad)) y = zeroPad(y, plan.zeroPad);
    y = dropout(y);
    y = phinetActivation(bnDw(dw(y)), hSwish);
    if (plan.seChannels > 0) {
        auto g = F::adaptive_avg_pool2d(y, F::AdaptiveAvgPool2dFuncOptions(1));
        g = torch::sigmoid(seExpand(phinetActivation(seReduce(g), hSwish)));
        y = y * g;
    }
    y = bnProject(project(y));
    if (plan.residual) y = y + x;
    return y;
}

PhiNetImpl::PhiNetImpl(const PhiNetConfig& cfg) : plan_(planPhiNet(cfg))
{
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
    for (auto& b : blocks) x = b(x);
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
    for (const auto& p : parameters()) n += p.numel();
    return n;
}

} // namespace phinet
