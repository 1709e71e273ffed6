#include "phinet/quant/QuantizedPhiNet.h"

#include "phinet/common/Error.h"
#include "phinet/model/ConfigJson.h"

#include "Walker.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/native/quantized/PackedParams.h>

#include <mutex>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

void selectQuantEngine(QuantEngine e)
{
    const auto want = e == QuantEngine::Onednn ? at::QEngine::ONEDNN : at::QEngine::QNNPACK;
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
    torch::Tensor qweight; // quantized qint8
    torch::Tensor bias;    // float or undefined
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
    torch::Tensor fcWeight, fcBias;
    mutable c10::intrusive_ptr<LinearPackedParamsBase> fcPacked;
    mutable std::mutex packMutex;
    mutable int packedThreads = -1;
    mutable at::QEngine packedEngine = at::QEngine::NoQEngine;

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
    }

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
        return seen(s, at::quantize_per_tensor(x.contiguous(at::MemoryFormat::ChannelsLast), p.scale, p.zeroPoint, at::kQUInt8));
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

QConv quantizeConv(const FoldedConv& f, WeightGranularity g)
{
    QConv c;
    c.qweight = quantizeWeight(f.weight, g);
    c.bias = f.bias.defined() ? f.bias.to(torch::kFloat).contiguous() : torch::Tensor();
    c.stride = f.stride;
    c.padding = f.padding;
    c.groups = f.groups;
    return c;
}

} // namespace

QuantizedPhiNet::QuantizedPhiNet() : d(std::make_unique<Impl>()) {}
QuantizedPhiNet::~QuantizedPhiNet() = default;
QuantizedPhiNet::QuantizedPhiNet(QuantizedPhiNet&&) noexcept = default;
QuantizedPhiNet& QuantizedPhiNet::operator=(QuantizedPhiNet&&) noexcept = default;

const PhiNetPlan& QuantizedPhiNet::plan() const { return d->plan; }
const std::vector<std::string>& QuantizedPhiNet::siteNames() const { return d->sites; }
const std::vector<QParams>& QuantizedPhiNet::siteParams() const { return d->params; }
QuantEngine QuantizedPhiNet::engine() const { return d->engine; }
WeightGranularity QuantizedPhiNet::weightGranularity() const { return d->granularity; }
void QuantizedPhiNet::repack() const { const_cast<Impl&>(*d).pack(); }

namespace {
/// Inherit sites take their input's parameters, sigmoid sites the kernel's fixed ones.
void resolveSiteParams(const std::vector<std::string>& sites, std::vector<QParams>& params)
{
    for (size_t i = 0; i < sites.size(); ++i) {
        switch (siteKind(sites[i])) {
        case SiteKind::Inherit: params[i] = params[i - 1]; break;
        case SiteKind::Sigmoid: params[i] = QParams{1.0 / 256.0, 0}; break;
        case SiteKind::Observed: break;
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
    m.params = std::move(siteParams);
    m.granularity = g;
    m.engine = engine;
    m.stemDw = quantizeConv(net.stemDw, g);
    m.stemPw = quantizeConv(net.stemPw, g);
    for (size_t i = 0; i < net.blocks.size(); ++i) {
        const auto& fb = net.blocks[i];
        const auto& b = net.plan.blocks[i];
        Impl::Block qb;
        if (b.hasExpansion) qb.expand = quantizeConv(fb.expand, g);
        qb.dw = quantizeConv(fb.dw, g);
        if (b.seChannels) {
            qb.seReduce = quantizeConv(fb.seReduce, g);
            qb.seExpand = quantizeConv(fb.seExpand, g);
        }
        qb.project = quantizeConv(fb.project, g);
        m.blocks.push_back(std::move(qb));
    }
    if (net.fcWeight.defined()) {
        m.fcWeight = quantizeWeight(net.fcWeight, g);
        m.fcBias = net.fcBias.to(torch::kFloat).contiguous();
    }
    m.pack();
    return q;
}

torch::Tensor QuantizedPhiNet::forward(const torch::Tensor& x) const
{
    return forward(x, {});
}

torch::Tensor QuantizedPhiNet::forward(const torch::Tensor& x, const std::function<void(int, const torch::Tensor&)>& probe) const
{
    const auto& in = d->plan.config.input;
    if (x.dim() != 4 || x.size(1) != in[0] || x.size(2) != in[1] || x.size(3) != in[2])
        throw ConfigError("input: the INT8 model expects N x " + std::to_string(in[0]) + " x " + std::to_string(in[1]) +
                          " x " + std::to_string(in[2]) + " tensors");
    d->ensurePacked();
    torch::NoGradGuard ng;
    Int8Ops o{*d, &probe, d->plan.config.hSwish};
    return detail::walkPhiNet(d->plan, o, x.to(torch::kFloat));
}

// ---- save / load -----------------------------------------------------------------------------

namespace {
constexpr int kInt8FormatVersion = 1;

void writeConv(torch::serialize::OutputArchive& a, const std::string& key, const QConv& c)
{
    a.write(key + ".w", c.qweight.int_repr());
    const bool perChannel = c.qweight.qscheme() == at::kPerChannelAffine || c.qweight.qscheme() == at::kPerChannelSymmetric;
    a.write(key + ".s", perChannel ? c.qweight.q_per_channel_scales().to(torch::kFloat)
                                   : torch::full({1}, c.qweight.q_scale(), torch::kFloat));
    if (c.bias.defined()) a.write(key + ".b", c.bias);
}

torch::Tensor readQuantized(torch::serialize::InputArchive& a, const std::string& key, const fs::path& path)
{
    torch::Tensor w, s;
    if (!a.try_read(key + ".w", w) || !a.try_read(key + ".s", s))
        throw DataError(path.string() + ": INT8 model file misses tensor " + key);
    if (w.scalar_type() != torch::kChar) throw DataError(path.string() + ": tensor " + key + " is not int8");
    if (s.numel() == 1) return at::_make_per_tensor_quantized_tensor(w, s.item<double>(), 0);
    if (s.numel() != w.size(0)) throw DataError(path.string() + ": tensor " + key + " has a wrong number of scales");
    return at::_make_per_channel_quantized_tensor(w, s.to(torch::kDouble), torch::zeros({w.size(0)}, torch::kLong), 0);
}

QConv readConv(torch::serialize::InputArchive& a, const std::string& key, const FoldedConv& shape, const fs::path& path)
{
    QConv c;
    c.qweight = readQuantized(a, key, path);
    if (c.qweight.sizes() != shape.weight.sizes())
        throw DataError(path.string() + ": tensor " + key + " has shape " + c10::str(c.qweight.sizes()) + ", the model config needs " +
                        c10::str(shape.weight.sizes()));
    torch::Tensor b;
    if (a.try_read(key + ".b", b)) c.bias = b;
    c.stride = shape.stride;
    c.padding = shape.padding;
    c.groups = shape.groups;
    return c;
}

std::string convKey(ConvSlot s, int block)
{
    static const char* names[] = {"stem.dw", "stem.pw", "expand", "dw", "se_reduce", "se_expand", "project"};
    return block < 0 ? names[int(s)] : "blocks." + std::to_string(block) + "." + names[int(s)];
}
} // namespace

void QuantizedPhiNet::save(const fs::path& path) const
{
    const auto& m = *d;
    torch::serialize::OutputArchive a;
    json params = json::array();
    for (const auto& p : m.params) params.push_back({p.scale, p.zeroPoint});
    json meta{{"format", "phinet-int8"},
              {"version", kInt8FormatVersion},
              {"model", toJson(m.plan.config)},
              {"weights", toString(m.granularity)},
              {"engine", toString(m.engine)},
              {"sites", m.sites},
              {"activation_qparams", params}};
    a.write("meta", c10::IValue(meta.dump()));
    writeConv(a, convKey(ConvSlot::StemDw, -1), m.stemDw);
    writeConv(a, convKey(ConvSlot::StemPw, -1), m.stemPw);
    for (size_t i = 0; i < m.blocks.size(); ++i) {
        const auto& b = m.plan.blocks[i];
        const int bi = int(i);
        if (b.hasExpansion) writeConv(a, convKey(ConvSlot::Expand, bi), m.blocks[i].expand);
        writeConv(a, convKey(ConvSlot::Dw, bi), m.blocks[i].dw);
        if (b.seChannels) {
            writeConv(a, convKey(ConvSlot::SeReduce, bi), m.blocks[i].seReduce);
            writeConv(a, convKey(ConvSlot::SeExpand, bi), m.blocks[i].seExpand);
        }
        writeConv(a, convKey(ConvSlot::Project, bi), m.blocks[i].project);
    }
    if (m.fcWeight.defined()) {
        QConv fc;
        fc.qweight = m.fcWeight;
        fc.bias = m.fcBias;
        writeConv(a, "classifier", fc);
    }
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    const fs::path tmp = path.string() + ".tmp";
    try {
        a.save_to(tmp.string());
    } catch (const c10::Error& e) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw DataError(path.string() + ": cannot write INT8 model (" + e.what_without_backtrace() + ")");
    }
    fs::rename(tmp, path);
}

QuantizedPhiNet QuantizedPhiNet::load(const fs::path& path, std::optional<QuantEngine> engine)
{
    if (!fs::exists(path)) throw DataError(path.string() + ": INT8 model file does not exist");
    torch::serialize::InputArchive a;
    try {
        a.load_from(path.string());
    } catch (const c10::Error&) {
        throw DataError(path.string() + ": corrupt or not an INT8 model file");
    }
    c10::IValue metaValue;
    if (!a.try_read("meta", metaValue) || !metaValue.isString())
        throw DataError(path.string() + ": not a PhiNet INT8 model (no metadata)");
    json meta;
    try {
        meta = json::parse(metaValue.toStringRef());
    } catch (const json::exception&) {
        throw DataError(path.string() + ": corrupt INT8 model metadata");
    }
    if (meta.value("format", "") != "phinet-int8")
        throw DataError(path.string() + ": not a PhiNet INT8 model (format \"" + meta.value("format", "") +
                        "\"; FP32 checkpoints are read by phinet eval)");
    QuantizedPhiNet q;
    auto& m = *q.d;
    try {
        m.plan = planPhiNet(phinetConfigFromJson(meta.at("model")));
        m.sites = activationSites(m.plan);
        if (meta.at("sites").get<std::vector<std::string>>() != m.sites)
            throw DataError(path.string() + ": activation sites do not match the model configuration");
        for (const auto& p : meta.at("activation_qparams")) m.params.push_back({p.at(0).get<double>(), p.at(1).get<std::int64_t>()});
        if (m.params.size() != m.sites.size()) throw DataError(path.string() + ": wrong number of activation parameters");
        m.granularity = granularityFromString(meta.value("weights", "per-channel")).value_or(WeightGranularity::PerChannel);
        m.engine = engine ? *engine : engineFromString(meta.value("engine", "onednn")).value_or(defaultEngine());
    } catch (const json::exception& e) {
        throw DataError(path.string() + ": bad INT8 model metadata (" + e.what() + ")");
    } catch (const ConfigError& e) {
        throw DataError(path.string() + ": bad INT8 model metadata (" + e.what() + ")");
    }
    // Shapes come from an FP32 network of the same config (weights are not used).
    PhiNet shapes(m.plan.config);
    const auto folded = foldBatchNorm(shapes);
    m.stemDw = readConv(a, convKey(ConvSlot::StemDw, -1), folded.stemDw, path);
    m.stemPw = readConv(a, convKey(ConvSlot::StemPw, -1), folded.stemPw, path);
    for (size_t i = 0; i < m.plan.blocks.size(); ++i) {
        const auto& b = m.plan.blocks[i];
        const int bi = int(i);
        Impl::Block qb;
        if (b.hasExpansion) qb.expand = readConv(a, convKey(ConvSlot::Expand, bi), folded.blocks[i].expand, path);
        qb.dw = readConv(a, convKey(ConvSlot::Dw, bi), folded.blocks[i].dw, path);
        if (b.seChannels) {
            qb.seReduce = readConv(a, convKey(ConvSlot::SeReduce, bi), folded.blocks[i].seReduce, path);
            qb.seExpand = readConv(a, convKey(ConvSlot::SeExpand, bi), folded.blocks[i].seExpand, path);
        }
        qb.project = readConv(a, convKey(ConvSlot::Project, bi), folded.blocks[i].project, path);
        m.blocks.push_back(std::move(qb));
    }
    if (m.plan.head.present) {
        m.fcWeight = readQuantized(a, "classifier", path);
        if (!a.try_read("classifier.b", m.fcBias)) throw DataError(path.string() + ": INT8 model file misses the classifier bias");
    }
    m.pack();
    return q;
}

std::vector<LayerError> compareLayers(const FoldedPhiNet& fp32, const QuantizedPhiNet& int8, const torch::Tensor& inputs)
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
