#include "phinet/quant/Folding.h"

#include "Walker.h"

namespace phinet {
namespace F = torch::nn::functional;

namespace {

FoldedConv plainConv(const torch::nn::Conv2d& conv)
{
    FoldedConv f;
    f.weight = conv->weight.detach().contiguous().clone();
    f.stride = int((*conv->options.stride())[0]);
    f.padding = int(c10::get<torch::ExpandingArray<2>>(conv->options.padding())->at(0));
    f.groups = int(conv->options.groups());
    return f;
}

} // namespace

FoldedConv foldConvBn(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn)
{
    torch::NoGradGuard ng;
    FoldedConv f = plainConv(conv);
    const auto invStd = torch::rsqrt(bn->running_var + bn->options.eps());
    const auto scale = bn->weight * invStd;
    f.weight = (f.weight * scale.view({-1, 1, 1, 1})).contiguous();
    f.bias = (bn->bias - bn->running_mean * scale).contiguous();
    return f;
}

const FoldedConv& FoldedPhiNet::conv(ConvSlot slot, int block) const
{
    return detail::convOf(*this, slot, block);
}

FoldedPhiNet foldBatchNorm(PhiNet& model)
{
    torch::NoGradGuard ng;
    FoldedPhiNet f;
    f.plan = model->plan();
    f.stemDw = plainConv(model->stem->dw);
    f.stemPw = foldConvBn(model->stem->pw, model->stem->bn);
    for (auto& b : model->blocks) {
        FoldedPhiNet::Block fb;
        if (b->plan.hasExpansion) fb.expand = foldConvBn(b->expand, b->bnExpand);
        fb.dw = foldConvBn(b->dw, b->bnDw);
        if (b->plan.seChannels > 0) {
            fb.seReduce = plainConv(b->seReduce);
            fb.seExpand = plainConv(b->seExpand);
        }
        fb.project = foldConvBn(b->project, b->bnProject);
        f.blocks.push_back(std::move(fb));
    }
    if (model->classifier) {
        f.fcWeight = model->classifier->weight.detach().contiguous().clone();
        f.fcBias = model->classifier->bias.detach().contiguous().clone();
    }
    return f;
}

namespace {

/// Lists site names by walking the plan with string "tensors".
struct NameOps {
    const PhiNetPlan& plan;
    std::vector<std::string> names;
    std::string current = "stem";
    using T = int;
    void name(int site, const std::string& n)
    {
        if (int(names.size()) <= site) names.resize(size_t(site) + 1);
        names[size_t(site)] = n;
    }
    std::string prefix(int block) const
    {
        return block < 0 ? "stem" : "block" + std::to_string(plan.blocks[size_t(block)].id);
    }
    // The walker gives no block index to act/pool/mul/add: remember the last conv's owner and slot.
    ConvSlot lastSlot = ConvSlot::StemDw;
    T input(T, int site)
    {
        name(site, "input");
        return 0;
    }
    T pad(T x, const std::array<int, 4>&) { return x; }
    T dropout(T x) { return x; }
    T conv(ConvSlot s, int block, T, int site)
    {
        static const char* names[] = {"dw", "pw", "expand", "dw", "se_reduce", "se_expand", "project"};
        lastSlot = s;
        current = prefix(block);
        name(site, current + "." + names[int(s)]);
        return 0;
    }
    T act(T, int site)
    {
        const char* n = "act";
        if (lastSlot == ConvSlot::Expand)
            n = "expand_act";
        else if (lastSlot == ConvSlot::Dw)
            n = "dw_act";
        else if (lastSlot == ConvSlot::SeReduce)
            n = "se_act";
        name(site, current + "." + n);
        return 0;
    }
    T pool(T, int site)
    {
        name(site, current + ".se_pool");
        return 0;
    } // the head's is renamed below
    T sigmoid(T, int site)
    {
        name(site, current + ".se_gate");
        return 0;
    }
    T mul(T, T, int site)
    {
        name(site, current + ".se_mul");
        return 0;
    }
    T add(T, T, int site)
    {
        name(site, current + ".add");
        return 0;
    }
    T linear(T, int site)
    {
        name(site, "logits");
        return 0;
    }
    T output(T x) { return x; }
};

} // namespace

std::vector<std::string> activationSites(const PhiNetPlan& plan)
{
    NameOps ops{plan};
    detail::walkPhiNet(plan, ops, 0);
    if (plan.head.present) ops.names[ops.names.size() - 2] = "head.pool"; // the sites before the logits
    return ops.names;
}

SiteKind siteKind(const std::string& name)
{
    auto ends = [&](const char* s) {
        const std::string suffix(s);
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends(".se_pool") || name == "head.pool") return SiteKind::Inherit;
    if (ends(".se_gate")) return SiteKind::Sigmoid;
    return SiteKind::Observed;
}

namespace {

/// FP32 execution of the folded network.
struct FoldedOps {
    const FoldedPhiNet& net;
    const SiteHook& hook;
    bool hSwish;
    torch::Tensor site(int s, const torch::Tensor& x) { return hook ? hook(s, x) : x; }
    torch::Tensor input(const torch::Tensor& x, int s) { return site(s, x); }
    torch::Tensor pad(const torch::Tensor& x, const std::array<int, 4>& p)
    {
        return torch::constant_pad_nd(x, {p[0], p[1], p[2], p[3]}, 0);
    }
    torch::Tensor dropout(const torch::Tensor& x) { return x; }
    torch::Tensor conv(ConvSlot slot, int block, const torch::Tensor& x, int s)
    {
        const auto& c = net.conv(slot, block);
        return site(s, torch::conv2d(x, c.weight, c.bias, c.stride, c.padding, 1, c.groups));
    }
    torch::Tensor act(const torch::Tensor& x, int s) { return site(s, phinetActivation(x, hSwish)); }
    torch::Tensor pool(const torch::Tensor& x, int s)
    {
        return site(s, F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1)));
    }
    torch::Tensor sigmoid(const torch::Tensor& x, int s) { return site(s, torch::sigmoid(x)); }
    torch::Tensor mul(const torch::Tensor& a, const torch::Tensor& b, int s) { return site(s, a * b); }
    torch::Tensor add(const torch::Tensor& a, const torch::Tensor& b, int s) { return site(s, a + b); }
    torch::Tensor linear(const torch::Tensor& x, int s)
    {
        return site(s, torch::linear(x.flatten(1), net.fcWeight, net.fcBias));
    }
    torch::Tensor output(const torch::Tensor& x) { return x; }
};

} // namespace

torch::Tensor forwardFolded(const FoldedPhiNet& net, const torch::Tensor& x, const SiteHook& hook)
{
    FoldedOps ops{net, hook, net.plan.config.hSwish};
    return detail::walkPhiNet(net.plan, ops, x);
}

} // namespace phinet
