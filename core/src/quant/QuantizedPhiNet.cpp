#include "phinet/quant/QuantizedPhiNet.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/SafeTensors.h"
#include "phinet/model/ConfigJson.h"
#include "phinet/quant/OnednnEngine.h"

#include "../common/TensorIO.h"
#include "Walker.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/native/quantized/PackedParams.h>

#include <cmath>
#include <map>
#include <mutex>
#include <set>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

void selectQuantEngine(QuantEngine e)
{
    // The fused engine keeps LibTorch's ONEDNN kernels as its reference (probes, per-site SQNR).
    const auto want = e == QuantEngine::Qnnpack ? at::QEngine::QNNPACK : at::QEngine::ONEDNN;
    const auto& supported = at::globalContext().supportedQEngines();
    if (std::find(supported.begin(), supported.end(), want) == supported.end())
        throw ConfigError("quantization.engine: " + toString(e) + " is not available in this LibTorch build");
    if (at::globalContext().qEngine() != want) at::globalContext().setQEngine(want);
}

namespace {

c10::OperatorHandle op(const char* name, const char* overload = "")
{
    return c10::Dispatcher::singleton().findSchemaOrThrow(name, overload);
}

struct Ops {
    c10::OperatorHandle convPrepack = op("quantized::conv2d_prepack");
    c10::OperatorHandle linearPrepack = op("quantized::linear_prepack");
    decltype(op("quantized::hardswish").typed<at::Tensor(const at::Tensor&, double, int64_t)>()) hardswish =
        op("quantized::hardswish").typed<at::Tensor(const at::Tensor&, double, int64_t)>();
    decltype(op("quantized::add").typed<at::Tensor(at::Tensor, at::Tensor, double, int64_t)>()) add =
        op("quantized::add").typed<at::Tensor(at::Tensor, at::Tensor, double, int64_t)>();
    decltype(op("quantized::mul").typed<at::Tensor(at::Tensor, at::Tensor, double, int64_t)>()) mul =
        op("quantized::mul").typed<at::Tensor(at::Tensor, at::Tensor, double, int64_t)>();
};

const Ops& ops()
{
    static const Ops o;
    return o;
}

struct QConv {
    torch::Tensor qweight;   // quantized qint8
    torch::Tensor biasInt32; // int32 on the input x weight scale grid, or undefined
    torch::Tensor bias;      // float: biasInt32 dequantized (what the kernels take), or undefined
    int stride = 1, padding = 0, groups = 1;
    c10::intrusive_ptr<ConvPackedParamsBase<2>> packed;
};

} // namespace

struct QuantizedPhiNet::Impl {
    PhiNetPlan plan;
    std::vector<std::string> sites;
    std::vector<QParams> params;
    WeightGranularity granularity = WeightGranularity::PerChannel;
    QuantEngine engine = QuantEngine::Onednn;
    QConv stemDw, stemPw;
    struct Block {
        QConv expand, dw, seReduce, seExpand, project;
    };
    std::vector<Block> blocks;
    torch::Tensor fcWeight, fcBias, fcBiasInt32;
    mutable c10::intrusive_ptr<LinearPackedParamsBase> fcPacked;
    mutable std::mutex packMutex;
    mutable int packedThreads = -1;
    mutable at::QEngine packedEngine = at::QEngine::NoQEngine;
    /// The fused oneDNN engine (engine OnednnFused): built once from the int8 weights; it keys its
    /// primitives by batch and thread count itself.
    std::unique_ptr<OnednnPhiNet> fused;

    QConv& conv(ConvSlot slot, int block) { return detail::convOf(*this, slot, block); }

    void forEachConv(const std::function<void(QConv&)>& f)
    {
        f(stemDw);
        f(stemPw);
        for (size_t i = 0; i < blocks.size(); ++i) {
            const auto& b = plan.blocks[i];
            if (b.hasExpansion) f(blocks[i].expand);
            f(blocks[i].dw);
            if (b.seChannels) {
                f(blocks[i].seReduce);
                f(blocks[i].seExpand);
            }
            f(blocks[i].project);
        }
    }

    void pack()
    {
        selectQuantEngine(engine);
        const auto& o = ops();
        forEachConv([&](QConv& c) {
            std::vector<c10::IValue> stack{c.qweight,
                                           c.bias.defined() ? c10::IValue(c.bias) : c10::IValue(),
                                           c10::IValue(std::vector<int64_t>{c.stride, c.stride}),
                                           c10::IValue(std::vector<int64_t>{c.padding, c.padding}),
                                           c10::IValue(std::vector<int64_t>{1, 1}),
                                           c10::IValue(int64_t(c.groups))};
            o.convPrepack.callBoxed(&stack);
            c.packed = stack.at(0).toCustomClass<ConvPackedParamsBase<2>>();
        });
        if (fcWeight.defined()) {
            std::vector<c10::IValue> stack{fcWeight, c10::IValue(fcBias)};
            o.linearPrepack.callBoxed(&stack);
            fcPacked = stack.at(0).toCustomClass<LinearPackedParamsBase>();
        }
        packedThreads = at::get_num_threads();
        packedEngine = at::globalContext().qEngine();
        if (engine == QuantEngine::OnednnFused && !fused) buildFused();
    }

    void buildFused();

    void ensurePacked() const
    {
        std::lock_guard lock(packMutex);
        selectQuantEngine(engine);
        if (packedThreads != at::get_num_threads() || packedEngine != at::globalContext().qEngine())
            const_cast<Impl*>(this)->pack();
    }
};

namespace {

/// INT8 execution: every op produces a quantized tensor with its site's parameters.
struct Int8Ops {
    QuantizedPhiNet::Impl& m;
    const std::function<void(int, const torch::Tensor&)>* probe;
    bool hSwish;
    const QParams& qp(int site) const { return m.params[size_t(site)]; }
    torch::Tensor seen(int site, torch::Tensor q)
    {
        if (probe && *probe) (*probe)(site, q.dequantize());
        return q;
    }
    torch::Tensor requantize(const torch::Tensor& q, int site)
    {
        const auto& p = qp(site);
        if (q.q_scale() == p.scale && q.q_zero_point() == p.zeroPoint) return q;
        return at::quantize_per_tensor(q.dequantize(), p.scale, p.zeroPoint, at::kQUInt8);
    }
    torch::Tensor input(const torch::Tensor& x, int s)
    {
        const auto& p = qp(s);
        return seen(s, at::quantize_per_tensor(x.contiguous(at::MemoryFormat::ChannelsLast), p.scale, p.zeroPoint,
                                               at::kQUInt8));
    }
    torch::Tensor pad(const torch::Tensor& x, const std::array<int, 4>& p)
    {
        return at::constant_pad_nd(x, {p[0], p[1], p[2], p[3]}, 0);
    }
    torch::Tensor dropout(const torch::Tensor& x) { return x; }
    torch::Tensor conv(ConvSlot slot, int block, const torch::Tensor& x, int s)
    {
        const auto& p = qp(s);
        return seen(s, m.conv(slot, block).packed->apply(x, p.scale, p.zeroPoint));
    }
    torch::Tensor act(const torch::Tensor& x, int s)
    {
        const auto& p = qp(s);
        if (hSwish) return seen(s, ops().hardswish.call(x, p.scale, p.zeroPoint));
        return seen(s, requantize(at::hardtanh(x, 0, 6), s));
    }
    torch::Tensor pool(const torch::Tensor& x, int s) { return seen(s, at::adaptive_avg_pool2d(x, {1, 1})); }
    torch::Tensor sigmoid(const torch::Tensor& x, int s) { return seen(s, at::sigmoid(x)); }
    /// QNNPACK's add and mul accept input-to-output scale ratios in [2^-14, 2^8) only; a degenerate
    /// calibration (random inputs on random weights) can leave them outside. Widen the output scale
    /// just enough (coarser codes, same represented range or more) instead of failing.
    double binaryScale(const torch::Tensor& a, const torch::Tensor& b, double scale) const
    {
        if (m.engine != QuantEngine::Qnnpack) return scale;
        const double hi = std::max(a.q_scale(), b.q_scale());
        return std::max(scale, hi / 255.0);
    }
    torch::Tensor mul(const torch::Tensor& a, const torch::Tensor& b, int s)
    {
        const auto& p = qp(s);
        return seen(s, ops().mul.call(a, b, binaryScale(a, b, p.scale), p.zeroPoint));
    }
    torch::Tensor add(const torch::Tensor& a, const torch::Tensor& b, int s)
    {
        const auto& p = qp(s);
        return seen(s, ops().add.call(a, b, binaryScale(a, b, p.scale), p.zeroPoint));
    }
    torch::Tensor linear(const torch::Tensor& x, int s)
    {
        const auto& p = qp(s);
        return seen(s, m.fcPacked->apply(x.flatten(1).contiguous(), p.scale, p.zeroPoint));
    }
    torch::Tensor output(const torch::Tensor& x) { return x.dequantize(); }
};

/// Per-output-channel weight scales of a quantized weight (one value repeated when per-tensor).
torch::Tensor weightScalesOf(const torch::Tensor& qw)
{
    const bool perChannel = qw.qscheme() == at::kPerChannelAffine || qw.qscheme() == at::kPerChannelSymmetric;
    return perChannel ? qw.q_per_channel_scales().to(torch::kDouble)
                      : torch::full({qw.size(0)}, qw.q_scale(), torch::kDouble);
}

/// The float bias the kernels take, from the int32 bias: q x input scale x weight scale. The one
/// place this is computed, so a converted model and the same model loaded from its file agree bit
/// for bit.
torch::Tensor dequantizeBias(const torch::Tensor& biasInt32, double inputScale, const torch::Tensor& qweight)
{
    return (biasInt32.to(torch::kDouble) * (weightScalesOf(qweight) * inputScale)).to(torch::kFloat).contiguous();
}

/// Rounds a float bias to int32 on the input x weight scale grid (as deployed int8 runtimes and
/// ONNX's QLinear/QDQ convolutions hold it), saturating at the int32 range.
torch::Tensor quantizeBias(const torch::Tensor& bias, double inputScale, const torch::Tensor& qweight)
{
    const auto step = weightScalesOf(qweight) * inputScale;
    const double lim = 2147483647.0;
    return torch::round(bias.to(torch::kDouble) / step).clamp(-lim, lim).to(torch::kInt).contiguous();
}

QConv quantizeConv(const FoldedConv& f, WeightGranularity g, double inputScale)
{
    QConv c;
    c.qweight = quantizeWeight(f.weight, g);
    if (f.bias.defined()) {
        c.biasInt32 = quantizeBias(f.bias, inputScale, c.qweight);
        c.bias = dequantizeBias(c.biasInt32, inputScale, c.qweight);
    }
    c.stride = f.stride;
    c.padding = f.padding;
    c.groups = f.groups;
    return c;
}

/// Which site's tensor feeds each convolution and the classifier (the walker run with site numbers
/// as "tensors").
struct InputSiteOps {
    std::map<std::pair<int, int>, int> convInput;  ///< (slot, block) -> input site
    std::map<std::pair<int, int>, int> convOutput; ///< (slot, block) -> the conv's own site
    int linearInput = -1, linearOutput = -1;
    using T = int;
    T input(T, int site) { return site; }
    T pad(T x, const std::array<int, 4>&) { return x; }
    T dropout(T x) { return x; }
    T conv(ConvSlot s, int block, T x, int site)
    {
        convInput[{int(s), block}] = x;
        convOutput[{int(s), block}] = site;
        return site;
    }
    T act(T, int site) { return site; }
    T pool(T, int site) { return site; }
    T sigmoid(T, int site) { return site; }
    T mul(T, T, int site) { return site; }
    T add(T, T, int site) { return site; }
    T linear(T x, int site)
    {
        linearInput = x;
        linearOutput = site;
        return site;
    }
    T output(T x) { return x; }
    int of(ConvSlot s, int block) const { return convInput.at({int(s), block}); }
    int outOf(ConvSlot s, int block) const { return convOutput.at({int(s), block}); }
};

InputSiteOps inputSites(const PhiNetPlan& plan)
{
    InputSiteOps o;
    detail::walkPhiNet(plan, o, 0);
    return o;
}

} // namespace

QuantizedPhiNet::QuantizedPhiNet() : d(std::make_unique<Impl>()) {}
QuantizedPhiNet::~QuantizedPhiNet() = default;
QuantizedPhiNet::QuantizedPhiNet(QuantizedPhiNet&&) noexcept = default;
QuantizedPhiNet& QuantizedPhiNet::operator=(QuantizedPhiNet&&) noexcept = default;

const PhiNetPlan& QuantizedPhiNet::plan() const
{
    return d->plan;
}
const std::vector<std::string>& QuantizedPhiNet::siteNames() const
{
    return d->sites;
}
const std::vector<QParams>& QuantizedPhiNet::siteParams() const
{
    return d->params;
}
QuantEngine QuantizedPhiNet::engine() const
{
    return d->engine;
}
WeightGranularity QuantizedPhiNet::weightGranularity() const
{
    return d->granularity;
}
void QuantizedPhiNet::repack() const
{
    const_cast<Impl&>(*d).pack();
}

namespace {
/// Inherit sites take their input's parameters, sigmoid sites the kernel's fixed ones.
void resolveSiteParams(const std::vector<std::string>& sites, std::vector<QParams>& params)
{
    for (size_t i = 0; i < sites.size(); ++i) {
        switch (siteKind(sites[i])) {
        case SiteKind::Inherit:
            params[i] = params[i - 1];
            break;
        case SiteKind::Sigmoid:
            params[i] = QParams{1.0 / 256.0, 0};
            break;
        case SiteKind::Observed:
            break;
        }
    }
}
} // namespace

QuantizedPhiNet QuantizedPhiNet::convert(const FoldedPhiNet& net, std::vector<QParams> siteParams, WeightGranularity g,
                                         QuantEngine engine)
{
    QuantizedPhiNet q;
    auto& m = *q.d;
    m.plan = net.plan;
    m.sites = activationSites(net.plan);
    if (siteParams.size() != m.sites.size())
        throw ConfigError("quantization: " + std::to_string(siteParams.size()) + " activation parameters given for " +
                          std::to_string(m.sites.size()) + " sites");
    resolveSiteParams(m.sites, siteParams);
    // Scales as float32, what the file (and every int8 runtime) stores: a converted model and the
    // same model read back from its file are then the same model.
    for (auto& p : siteParams)
        p.scale = double(float(p.scale));
    m.params = std::move(siteParams);
    m.granularity = g;
    m.engine = engine;
    const auto in = inputSites(net.plan);
    const auto inScale = [&](ConvSlot s, int block) { return m.params[size_t(in.of(s, block))].scale; };
    m.stemDw = quantizeConv(net.stemDw, g, inScale(ConvSlot::StemDw, -1));
    m.stemPw = quantizeConv(net.stemPw, g, inScale(ConvSlot::StemPw, -1));
    for (size_t i = 0; i < net.blocks.size(); ++i) {
        const auto& fb = net.blocks[i];
        const auto& b = net.plan.blocks[i];
        const int bi = int(i);
        Impl::Block qb;
        if (b.hasExpansion) qb.expand = quantizeConv(fb.expand, g, inScale(ConvSlot::Expand, bi));
        qb.dw = quantizeConv(fb.dw, g, inScale(ConvSlot::Dw, bi));
        if (b.seChannels) {
            qb.seReduce = quantizeConv(fb.seReduce, g, inScale(ConvSlot::SeReduce, bi));
            qb.seExpand = quantizeConv(fb.seExpand, g, inScale(ConvSlot::SeExpand, bi));
        }
        qb.project = quantizeConv(fb.project, g, inScale(ConvSlot::Project, bi));
        m.blocks.push_back(std::move(qb));
    }
    if (net.fcWeight.defined()) {
        const double s = m.params[size_t(in.linearInput)].scale;
        m.fcWeight = quantizeWeight(net.fcWeight, g);
        m.fcBiasInt32 = quantizeBias(net.fcBias, s, m.fcWeight);
        m.fcBias = dequantizeBias(m.fcBiasInt32, s, m.fcWeight);
    }
    m.pack();
    return q;
}

void QuantizedPhiNet::Impl::buildFused()
{
    auto layerOf = [](const torch::Tensor& qweight, const torch::Tensor& biasInt32) {
        Int8Layer l;
        l.weight = qweight.int_repr();
        l.weightScale = weightScalesOf(qweight);
        l.biasInt32 = biasInt32;
        return l;
    };
    auto convLayer = [&](ConvSlot s, int block) {
        const auto& c = conv(s, block);
        auto l = layerOf(c.qweight, c.biasInt32);
        l.stride = c.stride;
        l.padding = c.padding;
        l.groups = c.groups;
        return l;
    };
    fused = std::make_unique<OnednnPhiNet>(plan, params, convLayer,
                                           fcWeight.defined() ? layerOf(fcWeight, fcBiasInt32) : Int8Layer{});
}

const OnednnPhiNet* QuantizedPhiNet::fused() const
{
    return d->fused.get();
}

torch::Tensor QuantizedPhiNet::forward(const torch::Tensor& x) const
{
    return forward(x, {});
}

torch::Tensor QuantizedPhiNet::forward(const torch::Tensor& x,
                                       const std::function<void(int, const torch::Tensor&)>& probe) const
{
    const auto& in = d->plan.config.input;
    if (x.dim() != 4 || x.size(1) != in[0] || x.size(2) != in[1] || x.size(3) != in[2])
        throw ConfigError("input: the INT8 model expects N x " + std::to_string(in[0]) + " x " + std::to_string(in[1]) +
                          " x " + std::to_string(in[2]) + " tensors");
    torch::NoGradGuard ng;
    // Probes see every site: they run on the reference kernels, whose arithmetic the fused engine keeps.
    if (d->fused && !probe) return d->fused->forward(x);
    d->ensurePacked();
    Int8Ops o{*d, &probe, d->plan.config.hSwish};
    return detail::walkPhiNet(d->plan, o, x.to(torch::kFloat));
}

// ---- save / load -----------------------------------------------------------------------------
//
// The INT8 file is a safetensors file (nothing in it is executed or unpickled): metadata
// {"format": "phinet-int8", "version", "model" (the PhiNet config), "weights", "engine", "sites"},
// tensors "activations.scale" (F32, one per site), "activations.zero_point" (I32), and for every
// convolution and the classifier "<name>.weight" (I8), "<name>.weight_scale" (F32, one per output
// channel, or one for per-tensor weights) and "<name>.bias" (I32 on the input x weight scale grid)
// where the layer has a bias.

namespace {
constexpr int kInt8FormatVersion = 2;
/// The largest INT8 file read: a PhiNet's int8 weights are a few MB; the cap bounds what a
/// hostile file can make the reader hold.
constexpr std::int64_t kMaxInt8FileBytes = 256LL << 20;

/// The shape of a convolution as the plan defines it (Torch-free: nothing is built to know it).
struct ConvGeometry {
    std::int64_t in = 0, out = 0, kernel = 1;
    int stride = 1, padding = 0, groups = 1;
    bool bias = false;
    std::vector<std::int64_t> weightShape() const { return {out, in / groups, kernel, kernel}; }
};

ConvGeometry geometry(const PhiNetPlan& p, ConvSlot s, int block)
{
    ConvGeometry g;
    if (block < 0) {
        if (s == ConvSlot::StemDw)
            return {p.stem.inChannels, p.stem.inChannels, 3, p.stem.stride, 0, p.stem.inChannels, false};
        return {p.stem.inChannels, p.stem.outChannels, 1, 1, 0, 1, true};
    }
    const auto& b = p.blocks[size_t(block)];
    const std::int64_t ce = b.expandedChannels;
    switch (s) {
    case ConvSlot::Expand:
        return {b.inChannels, ce, 1, 1, 0, 1, true};
    case ConvSlot::Dw:
        return {ce, ce, b.kernel, b.stride, b.convPadding, int(ce), true};
    case ConvSlot::SeReduce:
        return {ce, b.seChannels, 1, 1, 0, 1, false};
    case ConvSlot::SeExpand:
        return {b.seChannels, ce, 1, 1, 0, 1, false};
    case ConvSlot::Project:
        return {ce, b.outChannels, 1, 1, 0, 1, true};
    default:
        break;
    }
    return g;
}

std::string convKey(ConvSlot s, int block)
{
    static const char* names[] = {"stem.dw", "stem.pw", "expand", "dw", "se_reduce", "se_expand", "project"};
    return block < 0 ? names[int(s)] : "blocks." + std::to_string(block) + "." + names[int(s)];
}

void writeLayer(SafeTensorsWriter& w, const std::string& key, const torch::Tensor& qweight,
                const torch::Tensor& biasInt32, WeightGranularity g)
{
    detail::addTensor(w, key + ".weight", qweight.int_repr());
    const auto scales = weightScalesOf(qweight).to(torch::kFloat);
    detail::addTensor(w, key + ".weight_scale", g == WeightGranularity::PerTensor ? scales.slice(0, 0, 1) : scales);
    if (biasInt32.defined()) detail::addTensor(w, key + ".bias", biasInt32);
}

/// A scale the int8 kernels can work with: a normal positive float (a denormal such as 1e-45 makes
/// the requantization scale 0, which the kernels refuse mid-run) and at most 1e30.
bool usableScale(double s)
{
    const float f = float(s);
    return std::isnormal(f) && f > 0 && f <= 1e30f;
}

/// Reads one layer's int8 weight (exact shape), its scales and its int32 bias. Every scale must be
/// usable, and so must each channel's requantization scale input x weight / output (in float, as
/// the kernels compute it).
void readLayer(const SafeTensorsFile& f, const std::string& key, const std::vector<std::int64_t>& shape, bool hasBias,
               WeightGranularity g, double inputScale, double outputScale, torch::Tensor& qweight,
               torch::Tensor& biasInt32, torch::Tensor& bias)
{
    const std::int64_t out = shape[0];
    auto w = detail::toTensor(f.expect(key + ".weight", TensorDtype::I8, shape));
    auto sc = detail::toTensor(
        f.expect(key + ".weight_scale", TensorDtype::F32, {g == WeightGranularity::PerTensor ? std::int64_t(1) : out}));
    const auto scd = sc.to(torch::kDouble);
    const auto* sp = sc.data_ptr<float>();
    for (std::int64_t c = 0; c < sc.numel(); ++c) {
        if (!usableScale(sp[c]))
            throw DataError(f.source() + ": tensor " + key +
                            ".weight_scale holds a scale that is not a finite positive number (" +
                            std::to_string(sp[c]) + " at channel " + std::to_string(c) + ")");
        if (!usableScale(float(inputScale) * sp[c] / float(outputScale)))
            throw DataError(f.source() + ": tensor " + key + ".weight_scale: channel " + std::to_string(c) +
                            " gives a requantization scale (input x weight / output) the int8 kernels cannot use");
    }
    if (g == WeightGranularity::PerTensor)
        qweight = at::_make_per_tensor_quantized_tensor(w, scd[0].item<double>(), 0);
    else
        qweight = at::_make_per_channel_quantized_tensor(w, scd, torch::zeros({out}, torch::kLong), 0);
    if (hasBias) {
        biasInt32 = detail::toTensor(f.expect(key + ".bias", TensorDtype::I32, {out}));
        bias = dequantizeBias(biasInt32, inputScale, qweight);
    } else if (f.find(key + ".bias")) {
        throw DataError(f.source() + ": tensor " + key +
                        ".bias: this layer has no bias in the model its configuration describes");
    }
}

} // namespace

void QuantizedPhiNet::save(const fs::path& path) const
{
    const auto& m = *d;
    SafeTensorsWriter w;
    w.setMetadata("format", "phinet-int8");
    w.setMetadata("version", std::to_string(kInt8FormatVersion));
    w.setMetadata("model", toJson(m.plan.config).dump());
    w.setMetadata("weights", toString(m.granularity));
    w.setMetadata("engine", toString(m.engine));
    w.setMetadata("sites", json(m.sites).dump());
    std::vector<float> scales;
    std::vector<std::int32_t> zeros;
    for (const auto& p : m.params) {
        scales.push_back(float(p.scale));
        zeros.push_back(std::int32_t(p.zeroPoint));
    }
    const auto n = std::int64_t(m.params.size());
    w.add("activations.scale", TensorDtype::F32, {n}, scales.data(), n * 4);
    w.add("activations.zero_point", TensorDtype::I32, {n}, zeros.data(), n * 4);
    auto writeConv = [&](ConvSlot s, int block, const QConv& c) {
        writeLayer(w, convKey(s, block), c.qweight, c.biasInt32, m.granularity);
    };
    writeConv(ConvSlot::StemDw, -1, m.stemDw);
    writeConv(ConvSlot::StemPw, -1, m.stemPw);
    for (size_t i = 0; i < m.blocks.size(); ++i) {
        const auto& b = m.plan.blocks[i];
        const int bi = int(i);
        if (b.hasExpansion) writeConv(ConvSlot::Expand, bi, m.blocks[i].expand);
        writeConv(ConvSlot::Dw, bi, m.blocks[i].dw);
        if (b.seChannels) {
            writeConv(ConvSlot::SeReduce, bi, m.blocks[i].seReduce);
            writeConv(ConvSlot::SeExpand, bi, m.blocks[i].seExpand);
        }
        writeConv(ConvSlot::Project, bi, m.blocks[i].project);
    }
    if (m.fcWeight.defined()) writeLayer(w, "classifier", m.fcWeight, m.fcBiasInt32, m.granularity);
    writeFileAtomic(path, w.encode());
}

QuantizedPhiNet QuantizedPhiNet::load(const fs::path& path, std::optional<QuantEngine> engine)
{
    if (!fs::exists(path)) throw DataError(path.string() + ": INT8 model file does not exist");
    const auto f = SafeTensorsFile::read(path, kMaxInt8FileBytes);
    const auto fmt = f.metadata().find("format");
    if (fmt == f.metadata().end() || fmt->second != "phinet-int8") {
        if (fmt != f.metadata().end() && fmt->second == "phinet-checkpoint")
            throw DataError(
                path.string() +
                ": not a PhiNet INT8 model but an FP32 checkpoint (FP32 checkpoints are read by phinet eval)");
        throw DataError(path.string() + ": not a PhiNet INT8 model (no \"format\": \"phinet-int8\" in its metadata)");
    }
    if (f.meta("version") != std::to_string(kInt8FormatVersion))
        throw DataError(path.string() + ": INT8 format version " + f.meta("version") + ", this program reads version " +
                        std::to_string(kInt8FormatVersion));
    QuantizedPhiNet q;
    auto& m = *q.d;
    try {
        // The config is validated (ranges included) before anything is sized from it.
        m.plan =
            planPhiNet(phinetConfigFromJson(parseJsonBounded(f.meta("model"), path.string() + " (model)"), "model"));
        m.sites = activationSites(m.plan);
        const auto sites = parseJsonBounded(f.meta("sites"), path.string() + " (sites)");
        if (!sites.is_array() || sites != json(m.sites))
            throw DataError(path.string() + ": activation sites do not match the model configuration");
        const auto g = granularityFromString(f.meta("weights"));
        if (!g) throw DataError(path.string() + ": unknown weight granularity \"" + f.meta("weights") + "\"");
        m.granularity = *g;
        if (engine) {
            m.engine = *engine;
        } else {
            const auto e = engineFromString(f.meta("engine"));
            m.engine = e ? *e : defaultEngine();
        }
    } catch (const ConfigError& e) {
        throw DataError(path.string() + ": bad INT8 model metadata (" + e.what() + ")");
    }
    const auto n = std::int64_t(m.sites.size());
    const auto sc = detail::toTensor(f.expect("activations.scale", TensorDtype::F32, {n}));
    const auto zp = detail::toTensor(f.expect("activations.zero_point", TensorDtype::I32, {n}));
    for (std::int64_t i = 0; i < n; ++i) {
        const double s = sc[i].item<float>();
        const auto z = zp[i].item<std::int32_t>();
        if (!usableScale(s) || z < 0 || z > 255)
            throw DataError(path.string() + ": activation site " + m.sites[size_t(i)] + " has scale " +
                            std::to_string(s) + " and zero point " + std::to_string(z) +
                            " (expected a positive finite scale, zero point 0..255)");
        m.params.push_back({s, z});
    }
    const auto in = inputSites(m.plan);
    auto readConv = [&](ConvSlot s, int block) {
        const auto geo = geometry(m.plan, s, block);
        QConv c;
        readLayer(f, convKey(s, block), geo.weightShape(), geo.bias, m.granularity,
                  m.params[size_t(in.of(s, block))].scale, m.params[size_t(in.outOf(s, block))].scale, c.qweight,
                  c.biasInt32, c.bias);
        c.stride = geo.stride;
        c.padding = geo.padding;
        c.groups = geo.groups;
        return c;
    };
    m.stemDw = readConv(ConvSlot::StemDw, -1);
    m.stemPw = readConv(ConvSlot::StemPw, -1);
    for (size_t i = 0; i < m.plan.blocks.size(); ++i) {
        const auto& b = m.plan.blocks[i];
        const int bi = int(i);
        Impl::Block qb;
        if (b.hasExpansion) qb.expand = readConv(ConvSlot::Expand, bi);
        qb.dw = readConv(ConvSlot::Dw, bi);
        if (b.seChannels) {
            qb.seReduce = readConv(ConvSlot::SeReduce, bi);
            qb.seExpand = readConv(ConvSlot::SeExpand, bi);
        }
        qb.project = readConv(ConvSlot::Project, bi);
        m.blocks.push_back(std::move(qb));
    }
    if (m.plan.head.present)
        readLayer(f, "classifier", {m.plan.head.numClasses, m.plan.head.inChannels}, true, m.granularity,
                  m.params[size_t(in.linearInput)].scale, m.params[size_t(in.linearOutput)].scale, m.fcWeight,
                  m.fcBiasInt32, m.fcBias);
    // Every tensor of the file must be one the model reads: a stray one means another model.
    std::set<std::string> known{"activations.scale", "activations.zero_point"};
    auto note = [&](const std::string& key, bool bias) {
        known.insert(key + ".weight");
        known.insert(key + ".weight_scale");
        if (bias) known.insert(key + ".bias");
    };
    note(convKey(ConvSlot::StemDw, -1), false);
    note(convKey(ConvSlot::StemPw, -1), true);
    for (size_t i = 0; i < m.plan.blocks.size(); ++i) {
        const auto& b = m.plan.blocks[i];
        const int bi = int(i);
        if (b.hasExpansion) note(convKey(ConvSlot::Expand, bi), true);
        note(convKey(ConvSlot::Dw, bi), true);
        if (b.seChannels) {
            note(convKey(ConvSlot::SeReduce, bi), false);
            note(convKey(ConvSlot::SeExpand, bi), false);
        }
        note(convKey(ConvSlot::Project, bi), true);
    }
    if (m.plan.head.present) note("classifier", true);
    for (const auto& t : f.tensors())
        if (!known.count(t.name))
            throw DataError(path.string() + ": tensor " + t.name +
                            " is not part of the model its configuration describes");
    m.pack();
    return q;
}

std::vector<LayerError> compareLayers(const FoldedPhiNet& fp32, const QuantizedPhiNet& int8,
                                      const torch::Tensor& inputs)
{
    torch::NoGradGuard ng;
    const auto& names = int8.siteNames();
    std::vector<torch::Tensor> ref(names.size()), got(names.size());
    forwardFolded(fp32, inputs, [&](int s, const torch::Tensor& x) {
        ref[size_t(s)] = x;
        return x;
    });
    int8.forward(inputs, [&](int s, const torch::Tensor& x) { got[size_t(s)] = x; });
    std::vector<LayerError> out;
    for (size_t i = 0; i < names.size(); ++i) {
        LayerError e;
        e.name = names[i];
        e.sqnrDb = sqnrDb(ref[i], got[i]);
        e.scale = int8.siteParams()[i].scale;
        e.zeroPoint = long(int8.siteParams()[i].zeroPoint);
        out.push_back(e);
    }
    return out;
}

} // namespace phinet
