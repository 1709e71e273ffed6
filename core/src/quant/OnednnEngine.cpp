#include "phinet/quant/OnednnEngine.h"

#include "phinet/common/Error.h"

#include "Walker.h"

#include <ATen/Parallel.h>

#ifdef PHINET_HAVE_DNNL
#include <dnnl.hpp>
#endif

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace phinet {

#ifndef PHINET_HAVE_DNNL

struct OnednnPhiNet::Impl {};
OnednnPhiNet::OnednnPhiNet(const PhiNetPlan&, std::vector<QParams>, const std::function<Int8Layer(ConvSlot, int)>&,
                           const Int8Layer&)
{
    throw ConfigError("quantization.engine: onednn-fused needs oneDNN (libdnnl-dev), which this build lacks");
}
OnednnPhiNet::~OnednnPhiNet() = default;
bool OnednnPhiNet::available()
{
    return false;
}
torch::Tensor OnednnPhiNet::forward(const torch::Tensor&) const
{
    return {};
}
torch::Tensor OnednnPhiNet::forward(const torch::Tensor&, const std::function<void(int, const torch::Tensor&)>&) const
{
    return {};
}
std::vector<OnednnPhiNet::Step> OnednnPhiNet::steps(int) const
{
    return {};
}
torch::Tensor OnednnPhiNet::runStep(int, int, const std::vector<torch::Tensor>&) const
{
    return {};
}
std::vector<FusedStepTime> OnednnPhiNet::profile(const torch::Tensor&, int) const
{
    return {};
}

#else

namespace {
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dnnl::algorithm;
using dnnl::memory;

dnnl::engine& cpuEngine()
{
    static dnnl::engine e(dnnl::engine::kind::cpu, 0);
    return e;
}

// ---- the network as the walker sees it ----------------------------------------------------------

enum class NodeKind { Input, Pad, Conv, Act, Pool, Sigmoid, Mul, Add, Linear };
struct Node {
    NodeKind kind = NodeKind::Input;
    ConvSlot slot = ConvSlot::StemDw;
    int block = -1;
    std::vector<int> in;
    int site = -1;
    std::array<int, 4> pad{0, 0, 0, 0}; ///< left, right, top, bottom (Pad only)
};

/// Records the walker's op order as a graph (T = node index).
struct Recorder {
    std::vector<Node> nodes;
    using T = int;
    int push(Node n)
    {
        nodes.push_back(std::move(n));
        return int(nodes.size()) - 1;
    }
    T input(T, int site) { return push({NodeKind::Input, {}, -1, {}, site}); }
    T pad(T x, const std::array<int, 4>& p)
    {
        Node n{NodeKind::Pad, {}, -1, {x}, -1};
        n.pad = p;
        return push(n);
    }
    T conv(ConvSlot s, int block, T x, int site) { return push({NodeKind::Conv, s, block, {x}, site}); }
    T act(T x, int site) { return push({NodeKind::Act, {}, -1, {x}, site}); }
    T dropout(T x) { return x; }
    T pool(T x, int site) { return push({NodeKind::Pool, {}, -1, {x}, site}); }
    T sigmoid(T x, int site) { return push({NodeKind::Sigmoid, {}, -1, {x}, site}); }
    T mul(T a, T b, int site) { return push({NodeKind::Mul, {}, -1, {a, b}, site}); }
    T add(T a, T b, int site) { return push({NodeKind::Add, {}, -1, {a, b}, site}); }
    T linear(T x, int site) { return push({NodeKind::Linear, {}, -1, {x}, site}); }
    T output(T x) { return x; }
};

// ---- the fused plan ------------------------------------------------------------------------------

/// What a value's bytes mean.
enum class ValueKind {
    Codes, ///< uint8 codes on its site's grid
    Real   ///< float32 real values (the dequantized logits)
};
struct Value {
    memory::desc md;
    ValueKind kind = ValueKind::Codes;
    int site = -1;
    int group = -1; ///< values sharing one buffer (in-place steps) share a group
};

struct StepPlan {
    std::string name, impl;
    std::int64_t macs = 0;
    dnnl::primitive prim;
    std::vector<std::pair<int, int>> valueArgs; ///< (DNNL_ARG_*, value)
    std::unordered_map<int, memory> fixedArgs;  ///< weights, bias, zero points, post-op operands
    std::vector<int> inputs;                    ///< values read (for runStep and lifetimes)
    int output = -1;                            ///< value written
    std::function<void()> before;               ///< host work before the primitive (SE offsets)
    std::function<void(dnnl::stream&)> run;     ///< replaces the single execution (per-image binary)
    bool userInput = false;                     ///< the input reorder reads the caller's tensor
    bool hostQuantize = false;                  ///< input quantized on the host (no reorder)
    std::unordered_map<int, memory> args;       ///< bound at finalize()
};

struct AlignedFree {
    void operator()(void* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<void, AlignedFree>;
Buffer allocate(size_t bytes)
{
    bytes = std::max<size_t>(64, (bytes + 63) / 64 * 64);
    void* p = std::aligned_alloc(64, bytes);
    if (!p) throw std::bad_alloc();
    return Buffer(p);
}

// oneDNN 2.6's brgemm convolutions apply the parameters of the first eltwise post-op of an
// algorithm to every later one of the same algorithm (two linears or two clips in one chain give
// wrong results). So every chain below uses each algorithm at most once, and scales through the
// eltwise post-op's own output scale instead of an extra linear.
void appendRound(dnnl::post_ops& po)
{
    po.append_eltwise(1.f, algorithm::eltwise_round, 0.f, 0.f);
}
/// scale x clip(x, lo, hi)
void appendClip(dnnl::post_ops& po, double lo, double hi, double scale = 1)
{
    po.append_eltwise(float(scale), algorithm::eltwise_clip, float(lo), float(hi));
}
void appendLinear(dnnl::post_ops& po, double a, double b)
{
    po.append_eltwise(1.f, algorithm::eltwise_linear, float(a), float(b));
}

// The core is built for baseline x86-64 (SSE2), so the library runs on any x86-64 CPU. The batched
// SE multiply's loop is also compiled for AVX2, and the loader picks that version where the CPU has it
// (GCC's function multi-versioning; 2x the SSE2 loop on a 56 x 56 x 400 map here). Not AVX-512F: GCC
// contracts the multiply and the add into an FMA there (one rounding instead of the binary
// primitive's two), and it was no faster. Sanitizer builds keep the one baseline version.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) &&               \
    !defined(__SANITIZE_THREAD__)
#define PHINET_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PHINET_SIMD_CLONES
#endif

/// One pixel's channels of the per-image SE multiply: code x gain + offset, rounded half to even
/// (v + 1.5 x 2^23 - 1.5 x 2^23, as the binary primitive's conversion rounds; no -ffast-math here)
/// and saturated to [0, 255]: the top in float (a value beyond int's range must give 255), the
/// bottom on the integer (GCC 12 did not vectorise the std::min / std::max form of this loop; this
/// one is 1.6x the float compare-and-select form on SSE2).
PHINET_SIMD_CLONES void gainRow(std::uint8_t* __restrict row, const float* __restrict a, const float* __restrict o,
                                size_t n)
{
    constexpr float kRound = 12582912.0f;
#pragma omp simd
    for (size_t c = 0; c < n; ++c) {
        const float r = (float(row[c]) * a[c] + o[c] + kRound) - kRound;
        const int v = int(r > 255.0f ? 255.0f : r); // NaN stays NaN here and converts to INT_MIN: 0
        row[c] = std::uint8_t(v < 0 ? 0 : v);
    }
}

std::string implOf(const dnnl::primitive_desc_base& pd)
{
    const char* s = pd.impl_info_str();
    return s ? s : "?";
}

} // namespace

struct OnednnPhiNet::Impl {
    PhiNetPlan plan;
    std::vector<QParams> params;
    std::vector<std::string> sites;
    bool hSwish = true;
    std::vector<Node> nodes;
    std::map<std::pair<int, int>, Int8Layer> layers; ///< (slot, block) -> layer
    Int8Layer classifier;

    struct Plan {
        int batch = 0;
        std::vector<Value> values;
        std::vector<StepPlan> steps;
        std::vector<Buffer> buffers;
        std::vector<memory> groupMemory; ///< one per value (bound to its group's buffer)
        std::vector<Buffer> owned;       ///< weights, biases, zero points, SE offsets
        Buffer scratch;
        size_t scratchBytes = 0;
        memory scratchMem;
        memory userInput;
        int inputValue = -1, outputValue = -1;
    };
    mutable std::mutex mutex;
    mutable std::map<std::pair<int, int>, std::unique_ptr<Plan>> plans; ///< (batch, threads)

    const QParams& qp(int site) const { return params[size_t(site)]; }

    Plan& planFor(int batch) const
    {
        const std::pair<int, int> key{batch, at::get_num_threads()};
        auto it = plans.find(key);
        if (it != plans.end()) return *it->second;
        if (plans.size() >= 4) plans.clear();
        auto p = build(batch);
        return *plans.emplace(key, std::move(p)).first->second;
    }

    std::unique_ptr<Plan> build(int batch) const;
    void execute(Plan& p, dnnl::stream& s, size_t i) const
    {
        auto& st = p.steps[i];
        if (st.before) st.before();
        if (st.hostQuantize) return;
        if (st.run) return st.run(s);
        st.prim.execute(s, st.args);
    }
    void writeInput(Plan& p, const torch::Tensor& x) const;
    torch::Tensor readValue(Plan& p, int v) const;
    void writeValue(Plan& p, int v, const torch::Tensor& real) const;
};

namespace {

/// Builds the plan's steps: the walker's graph with every activation, residual add and
/// requantization folded into the oneDNN primitive that produces its input.
struct Builder {
    const OnednnPhiNet::Impl& m;
    OnednnPhiNet::Impl::Plan& p;
    std::vector<int> valueOfNode;              ///< recorded node -> value (-1: fused away)
    std::vector<std::array<int, 4>> padOfNode; ///< pending explicit zero pad of a Pad node
    std::vector<std::vector<int>> consumers;

    Builder(const OnednnPhiNet::Impl& impl, OnednnPhiNet::Impl::Plan& plan) : m(impl), p(plan)
    {
        valueOfNode.assign(m.nodes.size(), -1);
        padOfNode.assign(m.nodes.size(), {0, 0, 0, 0});
        consumers.resize(m.nodes.size());
        for (size_t i = 0; i < m.nodes.size(); ++i)
            for (int in : m.nodes[i].in)
                consumers[size_t(in)].push_back(int(i));
    }

    int newValue(const memory::desc& md, ValueKind kind, int site, int group = -1)
    {
        Value v;
        v.md = md;
        v.kind = kind;
        v.site = site;
        v.group = group < 0 ? int(p.values.size()) : group;
        p.values.push_back(v);
        return int(p.values.size()) - 1;
    }

    memory own(const memory::desc& md, const void* data, size_t bytes)
    {
        auto b = allocate(md.get_size());
        std::memcpy(b.get(), data, bytes);
        memory mem(md, cpuEngine(), b.get());
        p.owned.push_back(std::move(b));
        return mem;
    }
    memory ownEmpty(const memory::desc& md)
    {
        auto b = allocate(md.get_size());
        std::memset(b.get(), 0, md.get_size());
        memory mem(md, cpuEngine(), b.get());
        p.owned.push_back(std::move(b));
        return mem;
    }

    void noteScratch(const dnnl::primitive_desc_base& pd)
    {
        p.scratchBytes = std::max(p.scratchBytes, size_t(pd.scratchpad_desc().get_size()));
    }

    dnnl::primitive_attr baseAttr() const
    {
        dnnl::primitive_attr a;
        a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        return a;
    }

    /// A reorder step from value `v` to a new value with descriptor `md` (same site).
    int reorderTo(int v, const memory::desc& md, const std::string& name)
    {
        const int out = newValue(md, p.values[size_t(v)].kind, p.values[size_t(v)].site);
        auto attr = baseAttr();
        dnnl::reorder::primitive_desc pd(cpuEngine(), p.values[size_t(v)].md, cpuEngine(), md, attr);
        noteScratch(pd);
        StepPlan st;
        st.name = name + " (reorder)";
        st.impl = implOf(pd);
        st.prim = dnnl::reorder(pd);
        st.valueArgs = {{DNNL_ARG_FROM, v}, {DNNL_ARG_TO, out}};
        st.inputs = {v};
        st.output = out;
        p.steps.push_back(std::move(st));
        return out;
    }

    struct ConvRequest {
        const Int8Layer* layer = nullptr;
        int inValue = -1;
        std::array<int, 4> pad{0, 0, 0, 0}; ///< explicit zero pad merged into the conv (l, r, t, b)
        double targetScale = 1;             ///< output scales map the accumulator onto this grid
        dnnl::post_ops ops;
        dt dstType = dt::u8;
        std::optional<memory::desc> dstDesc; ///< forced destination (in-place sum, plain f32)
        int dstGroup = -1;                   ///< buffer group of a forced in-place destination
        ValueKind outKind = ValueKind::Codes;
        int outSite = -1;
        std::string name;
        std::vector<int> extraInputs; ///< values read through post-ops (the residual)
    };

    int conv(ConvRequest r)
    {
        const auto& L = *r.layer;
        const auto& in = p.values[size_t(r.inValue)];
        const auto sdims = in.md.dims();
        const memory::dim N = sdims[0], C = sdims[1], H = sdims[2], W = sdims[3];
        const bool linear = L.weight.dim() == 2;
        const memory::dim O = L.weight.size(0), k = linear ? 1 : L.weight.size(2);
        const int g = L.groups;
        const memory::dim pt = L.padding + r.pad[2], pb = L.padding + r.pad[3], pl = L.padding + r.pad[0],
                          pr = L.padding + r.pad[1];
        const memory::dim OH = (H + pt + pb - k) / L.stride + 1, OW = (W + pl + pr - k) / L.stride + 1;
        const memory::dims wdims = g > 1 ? memory::dims{g, O / g, C / g, k, k} : memory::dims{O, C, k, k};
        const memory::desc wPlain(wdims, dt::s8, g > 1 ? tag::goihw : tag::oihw);
        const memory::desc wAny(wdims, dt::s8, tag::any);
        const memory::desc bMd({O}, dt::s32, tag::x);
        const memory::desc dstAny = r.dstDesc ? *r.dstDesc : memory::desc({N, O, OH, OW}, r.dstType, tag::any);
        const double inScale = m.qp(in.site).scale;
        const auto zIn = std::int32_t(m.qp(in.site).zeroPoint);
        // A 1x1 convolution without padding reads every tap from the input, so its input zero point
        // is a constant per output channel: sum_c w[o, c] x (q - z) = sum_c w[o, c] x q - z x sum_c
        // w[o, c]. It goes into the int32 bias instead of oneDNN's source zero-point attribute, whose
        // compensation costs the brgemm 1x1 kernels 7-17 % (block1's expand at 3x224x224, 1 thread).
        // oneDNN adds the bias to the accumulator in float, so the fold is taken where every value of
        // that sum is an integer float holds exactly (255 x sum |w| + |bias| < 2^24 per channel): there
        // the folded sum is the exact integer result. Convolutions with padding keep the attribute
        // (their padded taps hold the zero point, which a bias cannot express), as do wider ones
        // beyond that bound.
        torch::Tensor bias = L.biasInt32.defined() ? L.biasInt32.to(torch::kInt).contiguous() : torch::Tensor();
        bool foldZero = false;
        if (zIn != 0 && k == 1 && pt == 0 && pb == 0 && pl == 0 && pr == 0) {
            const auto w = L.weight.to(torch::kLong).reshape({O, -1});
            const auto folded =
                (bias.defined() ? bias.to(torch::kLong) : torch::zeros({O}, torch::kLong)) - w.sum(1) * zIn;
            const auto bound = w.abs().sum(1) * 255 + folded.abs();
            if (bound.max().item<std::int64_t>() < (std::int64_t(1) << 24)) {
                bias = folded.to(torch::kInt).contiguous();
                foldZero = true;
            }
        }
        const bool hasBias = bias.defined();
        const bool srcZero = zIn != 0 && !foldZero;

        auto attr = baseAttr();
        std::vector<float> scales(static_cast<size_t>(O));
        const auto ws = L.weightScale.to(torch::kDouble).contiguous();
        for (memory::dim o = 0; o < O; ++o)
            scales[size_t(o)] = float(inScale * ws[o].item<double>() / r.targetScale);
        attr.set_output_scales(1 << 1, scales);
        if (srcZero) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
        attr.set_post_ops(r.ops);

        auto makePd = [&](const memory::desc& src) {
            const memory::dims strides{L.stride, L.stride}, padL{pt, pl}, padR{pb, pr};
            auto desc =
                hasBias
                    ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, algorithm::convolution_direct,
                                                      src, wAny, bMd, dstAny, strides, padL, padR)
                    : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, algorithm::convolution_direct,
                                                      src, wAny, dstAny, strides, padL, padR);
            return dnnl::convolution_forward::primitive_desc(desc, attr, cpuEngine());
        };
        // oneDNN picks the activation layout (format_tag::any); the producer's layout is kept when
        // the convolution accepts it, else one reorder is added.
        int src = r.inValue;
        auto pd = makePd(memory::desc(sdims, dt::u8, tag::any));
        if (pd.src_desc() != in.md) {
            try {
                pd = makePd(in.md);
            } catch (const dnnl::error&) {
                src = reorderTo(r.inValue, pd.src_desc(), r.name);
            }
        }
        noteScratch(pd);

        StepPlan st;
        st.name = r.name;
        st.impl = implOf(pd);
        st.macs = N * O * OH * OW * (C / g) * k * k;
        st.prim = dnnl::convolution_forward(pd);
        // Weights: plain int8 -> oneDNN's layout, once.
        auto wsrc = L.weight.contiguous();
        memory wUser(wPlain, cpuEngine(), wsrc.data_ptr());
        auto wMem = ownEmpty(pd.weights_desc());
        {
            dnnl::stream s(cpuEngine());
            dnnl::reorder(wUser, wMem).execute(s, wUser, wMem);
            s.wait();
        }
        st.fixedArgs[DNNL_ARG_WEIGHTS] = wMem;
        if (hasBias) st.fixedArgs[DNNL_ARG_BIAS] = own(bMd, bias.data_ptr(), size_t(O) * 4);
        if (srcZero)
            st.fixedArgs[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = own(memory::desc({1}, dt::s32, tag::x), &zIn, 4);
        const int out = newValue(pd.dst_desc(), r.outKind, r.outSite, r.dstGroup);
        st.valueArgs = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out}};
        st.inputs = {src};
        for (int e : r.extraInputs)
            st.inputs.push_back(e);
        st.output = out;
        p.steps.push_back(std::move(st));
        return out;
    }

    /// Post-ops that round and clamp the accumulator (already on the `site` grid) as the uint8
    /// tensor of that site would hold it, relative to its zero point, then multiply by `scale`.
    void siteRounding(dnnl::post_ops& po, int site, double scale = 1) const
    {
        const auto z = double(m.qp(site).zeroPoint);
        appendRound(po);
        appendClip(po, -z, 255.0 - z, scale);
    }

    std::string siteName(int site) const { return m.sites[size_t(site)]; }

    void input(int node)
    {
        const auto& n = m.nodes[size_t(node)];
        const auto& c = m.plan.config.input;
        const memory::dims dims{p.batch, c[0], c[1], c[2]};
        const memory::desc user(dims, dt::f32, tag::nchw);
        const memory::desc codes(dims, dt::u8, tag::nhwc);
        const int v = newValue(codes, ValueKind::Codes, n.site);
        StepPlan st;
        st.name = "input (quantize)";
        st.userInput = true;
        st.output = v;
        try {
            auto attr = baseAttr();
            attr.set_output_scales(0, {float(1.0 / m.qp(n.site).scale)});
            attr.set_zero_points(DNNL_ARG_DST, 0, {std::int32_t(m.qp(n.site).zeroPoint)});
            dnnl::reorder::primitive_desc pd(cpuEngine(), user, cpuEngine(), codes, attr);
            noteScratch(pd);
            st.impl = implOf(pd);
            st.prim = dnnl::reorder(pd);
            st.valueArgs = {{DNNL_ARG_TO, v}};
        } catch (const dnnl::error&) {
            st.impl = "host";
            st.hostQuantize = true;
        }
        p.userInput = memory(user, cpuEngine(), nullptr);
        p.inputValue = v;
        p.steps.push_back(std::move(st));
        valueOfNode[size_t(node)] = v;
    }

    int only(int node, NodeKind kind) const
    {
        const auto& cs = consumers[size_t(node)];
        return cs.size() == 1 && m.nodes[size_t(cs[0])].kind == kind ? cs[0] : -1;
    }

    /// The value feeding node `node`'s first input, and a pending zero pad (through Pad nodes).
    int inputOf(int node, std::array<int, 4>& pad) const
    {
        int src = m.nodes[size_t(node)].in[0];
        pad = {0, 0, 0, 0};
        while (m.nodes[size_t(src)].kind == NodeKind::Pad) {
            for (int i = 0; i < 4; ++i)
                pad[size_t(i)] += m.nodes[size_t(src)].pad[size_t(i)];
            src = m.nodes[size_t(src)].in[0];
        }
        const int v = valueOfNode[size_t(src)];
        if (v < 0) throw std::logic_error("fused engine: a fused-away value is read");
        return v;
    }

    void conv(int node)
    {
        const auto& n = m.nodes[size_t(node)];
        ConvRequest r;
        r.layer = &m.layers.at({int(n.slot), n.block});
        r.inValue = inputOf(node, r.pad);
        const auto& c = m.qp(n.site);
        r.targetScale = c.scale;
        const double zc = double(c.zeroPoint);
        if (const int a = only(node, NodeKind::Act); a >= 0) {
            // Convolution + activation: the conv site's rounding, then hard-swish or ReLU6 onto the
            // activation's grid.
            const auto& q = m.qp(m.nodes[size_t(a)].site);
            if (m.hSwish) {
                siteRounding(r.ops, n.site, c.scale);
                r.ops.append_eltwise(float(1.0 / q.scale), algorithm::eltwise_hardswish, 0.f, 0.f);
                appendLinear(r.ops, 1.0, double(q.zeroPoint));
            } else {
                // at::hardtanh(x, 0, 6) on the conv site's codes: clamp to [q(0), q(6)].
                appendRound(r.ops);
                appendClip(r.ops, 0.0, std::min(255.0 - zc, std::nearbyint(6.0 / c.scale)));
                appendLinear(r.ops, c.scale / q.scale, double(q.zeroPoint));
            }
            r.outSite = m.nodes[size_t(a)].site;
            r.name = siteName(n.site) + "+act";
            valueOfNode[size_t(a)] = conv(std::move(r));
            return;
        }
        if (const int sg = only(node, NodeKind::Sigmoid); sg >= 0) {
            // SE expand: its codes ([N, C, 1, 1]; nhwc, what the brgemm kernels write, is the same
            // bytes as plain [N, C] there); the sigmoid is a 256-entry table on the
            // host in the multiply step (N x C values), which keeps the reference's 1/256 grid.
            appendLinear(r.ops, 1.0, zc);
            const auto dims = p.values[size_t(r.inValue)].md.dims();
            r.dstDesc = memory::desc({dims[0], r.layer->weight.size(0), 1, 1}, dt::u8, tag::nhwc);
            r.outSite = n.site;
            r.name = siteName(n.site);
            valueOfNode[size_t(node)] = valueOfNode[size_t(sg)] = conv(std::move(r));
            return;
        }
        if (const int add = only(node, NodeKind::Add); add >= 0) {
            // Project + residual add: written in place over the block input (a sum post-op).
            const auto& an = m.nodes[size_t(add)];
            const int resNode = an.in[0] == node ? an.in[1] : an.in[0];
            const int res = valueOfNode[size_t(resNode)];
            const auto& sr = m.qp(p.values[size_t(res)].site);
            const auto& sa = m.qp(an.site);
            // No post-op may follow the sum (oneDNN 2.6's brgemm kernels drop it): the output zero
            // point is added before.
            siteRounding(r.ops, n.site);
            appendLinear(r.ops, c.scale / sa.scale, double(sa.zeroPoint));
            r.ops.append_sum(float(sr.scale / sa.scale), std::int32_t(sr.zeroPoint));
            r.dstDesc = p.values[size_t(res)].md;
            r.dstGroup = p.values[size_t(res)].group;
            r.outSite = an.site;
            r.extraInputs = {res};
            r.name = siteName(n.site) + "+add";
            valueOfNode[size_t(add)] = conv(std::move(r));
            return;
        }
        appendLinear(r.ops, 1.0, zc);
        r.outSite = n.site;
        r.name = siteName(n.site);
        valueOfNode[size_t(node)] = conv(std::move(r));
    }

    void pool(int node)
    {
        const auto& n = m.nodes[size_t(node)];
        std::array<int, 4> pad;
        const int v = inputOf(node, pad);
        const auto& in = p.values[size_t(v)];
        const auto d = in.md.dims();
        // The pooled site inherits its input's parameters: the mean of the codes.
        dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm::pooling_avg_exclude_padding,
                                         in.md, memory::desc({d[0], d[1], 1, 1}, dt::u8, tag::any), {1, 1},
                                         {d[2], d[3]}, {0, 0}, {0, 0});
        dnnl::pooling_forward::primitive_desc pd(desc, baseAttr(), cpuEngine());
        noteScratch(pd);
        const int out = newValue(pd.dst_desc(), ValueKind::Codes, n.site);
        StepPlan st;
        st.name = siteName(n.site);
        st.impl = implOf(pd);
        st.prim = dnnl::pooling_forward(pd);
        st.valueArgs = {{DNNL_ARG_SRC, v}, {DNNL_ARG_DST, out}};
        st.inputs = {v};
        st.output = out;
        p.steps.push_back(std::move(st));
        valueOfNode[size_t(node)] = out;
    }

    void mul(int node)
    {
        // y x sigmoid(e), in place over y: y_code x a + (z_mul - z_y x a) with a = gate x s_y / s_mul,
        // one binary primitive with a per-channel binary post-op; a and the offsets come from the
        // SE expand codes through a 256-entry table (the reference's sigmoid onto its 1/256 grid).
        const auto& n = m.nodes[size_t(node)];
        int y = valueOfNode[size_t(n.in[0])];
        const int e = valueOfNode[size_t(n.in[1])];
        const auto ed = p.values[size_t(e)].md.dims();
        // At 1 x 1 pixels y and the gains have the same dims: oneDNN's jit binary then wants both in one
        // layout (with nhwc codes and nchw gains it fell to ref:any, 29% of the MNIST model's batch-1
        // time); for [N, C, 1, 1] nhwc and nchw are the same bytes.
        const bool onePixel = p.values[size_t(y)].md.dims()[2] * p.values[size_t(y)].md.dims()[3] == 1;
        const memory::desc amd({ed[0], ed[1], 1, 1}, dt::f32, onePixel ? tag::nhwc : tag::nchw);
        // oneDNN 2.6's jit binary broadcasts a per-channel operand only ([1, C, 1, 1]); a per-image
        // one ([N, C, 1, 1], N > 1) falls to the reference implementation, ~50x slower, and one
        // primitive per image stalls on OpenMP barriers. So a batch takes one host pass over an
        // nhwc y (reordered to it when the dw conv chose another layout; at 1 x 1 pixels every
        // dense unpadded layout already is the same bytes); batch 1 keeps the binary primitive.
        const auto yd = p.values[size_t(y)].md.dims();
        const memory::desc nhwc(yd, dt::u8, tag::nhwc);
        const bool dense1x1 = yd[2] * yd[3] == 1 && p.values[size_t(y)].md.get_size() == size_t(yd[0] * yd[1]);
        if (yd[0] > 1 && !dense1x1 && p.values[size_t(y)].md != nhwc) y = reorderTo(y, nhwc, siteName(n.site));
        const auto ymd = p.values[size_t(y)].md;
        const bool perImage = yd[0] > 1;
        const memory::desc y1 = perImage ? memory::desc({1, yd[1], yd[2], yd[3]}, dt::u8, tag::nhwc) : ymd;
        const memory::desc a1 =
            perImage ? memory::desc({1, ed[1], 1, 1}, dt::f32, onePixel ? tag::nhwc : tag::nchw) : amd;
        dnnl::post_ops po;
        po.append_binary(algorithm::binary_add, a1);
        auto attr = baseAttr();
        attr.set_post_ops(po);
        dnnl::binary::desc desc(algorithm::binary_mul, y1, a1, y1);
        dnnl::binary::primitive_desc pd(desc, attr, cpuEngine());
        noteScratch(pd);
        auto gain = ownEmpty(amd), offsets = ownEmpty(amd);
        const int out = newValue(ymd, ValueKind::Codes, n.site, p.values[size_t(y)].group);
        StepPlan st;
        st.name = siteName(m.nodes[size_t(n.in[1])].site) + "+" + siteName(n.site);
        st.impl = implOf(pd);
        st.prim = dnnl::binary(pd);
        st.valueArgs = {{DNNL_ARG_SRC_0, y}, {DNNL_ARG_DST, out}};
        st.fixedArgs[DNNL_ARG_SRC_1] = gain;
        st.fixedArgs[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = offsets;
        st.inputs = {y, e};
        st.output = out;
        if (perImage) {
            // A batch: one pass on the host over the nhwc codes, y x a + b per (image, channel),
            // rounded half to even (the float magic-number trick, as the primitive's conversion
            // rounds) and saturated; one parallel region instead of one primitive per image.
            auto* plan = &p;
            const size_t pixels = size_t(yd[2] * yd[3]), channels = size_t(ed[1]);
            const auto images = std::int64_t(yd[0]);
            st.impl = "host (per-image gain)";
            st.run = [plan, y, gain, offsets, pixels, channels, images](dnnl::stream&) {
                auto* yb = static_cast<std::uint8_t*>(plan->groupMemory[size_t(y)].get_data_handle());
                const auto* ab = static_cast<const float*>(gain.get_data_handle());
                const auto* bb = static_cast<const float*>(offsets.get_data_handle());
                at::parallel_for(0, images, 1, [&](std::int64_t b, std::int64_t e) {
                    for (std::int64_t i = b; i < e; ++i) {
                        const float* a = ab + size_t(i) * channels;
                        const float* o = bb + size_t(i) * channels;
                        std::uint8_t* img = yb + size_t(i) * pixels * channels;
                        for (size_t px = 0; px < pixels; ++px)
                            gainRow(img + px * channels, a, o, channels);
                    }
                });
            };
        }
        const auto& qe = m.qp(p.values[size_t(e)].site);
        const auto& qy = m.qp(p.values[size_t(y)].site);
        const auto& qm = m.qp(n.site);
        auto table = std::make_shared<std::array<float, 256>>();
        for (int k = 0; k < 256; ++k) {
            const double real = double(k - qe.zeroPoint) * qe.scale;
            const double gate = std::clamp(std::nearbyint(256.0 / (1.0 + std::exp(-real))), 0.0, 255.0) / 256.0;
            (*table)[size_t(k)] = float(gate * qy.scale / qm.scale);
        }
        const float zm = float(qm.zeroPoint), zy = float(qy.zeroPoint);
        const size_t count = size_t(ed[0] * ed[1]);
        auto* plan = &p;
        st.before = [plan, e, gain, offsets, table, zm, zy, count] {
            const auto* codes = static_cast<const std::uint8_t*>(plan->groupMemory[size_t(e)].get_data_handle());
            auto* av = static_cast<float*>(gain.get_data_handle());
            auto* bv = static_cast<float*>(offsets.get_data_handle());
            for (size_t i = 0; i < count; ++i) {
                av[i] = (*table)[codes[i]];
                bv[i] = zm - zy * av[i];
            }
        };
        p.steps.push_back(std::move(st));
        valueOfNode[size_t(node)] = out;
    }

    void linear(int node)
    {
        const auto& n = m.nodes[size_t(node)];
        ConvRequest r;
        r.layer = &m.classifier;
        r.inValue = inputOf(node, r.pad);
        const auto& c = m.qp(n.site);
        r.targetScale = c.scale;
        siteRounding(r.ops, n.site, c.scale);
        const auto dims = p.values[size_t(r.inValue)].md.dims();
        r.dstDesc = memory::desc({dims[0], m.classifier.weight.size(0), 1, 1}, dt::f32, tag::nhwc);
        r.dstType = dt::f32;
        r.outKind = ValueKind::Real;
        r.outSite = n.site;
        r.name = "classifier";
        valueOfNode[size_t(node)] = conv(std::move(r));
    }

    void run()
    {
        for (size_t i = 0; i < m.nodes.size(); ++i) {
            const auto& n = m.nodes[i];
            switch (n.kind) {
            case NodeKind::Input:
                input(int(i));
                break;
            case NodeKind::Pad:
                break; // merged into the convolution that reads it
            case NodeKind::Conv:
                conv(int(i));
                break;
            case NodeKind::Pool:
                pool(int(i));
                break;
            case NodeKind::Mul:
                mul(int(i));
                break;
            case NodeKind::Linear:
                linear(int(i));
                break;
            case NodeKind::Act:
            case NodeKind::Sigmoid:
            case NodeKind::Add:
                if (valueOfNode[i] < 0)
                    throw std::logic_error("fused engine: an activation, sigmoid or add with no conv before it");
                break;
            }
        }
        p.outputValue = valueOfNode.back();
    }
};

} // namespace

std::unique_ptr<OnednnPhiNet::Impl::Plan> OnednnPhiNet::Impl::build(int batch) const
{
    auto plan = std::make_unique<Plan>();
    auto& p = *plan;
    p.batch = batch;
    Builder b(*this, p);
    b.run();
    // Buffers: one per group of values sharing memory (in-place steps), reused once a group's
    // last reader has run (greedy, largest free buffer that fits).
    const size_t groups = p.values.size();
    std::vector<size_t> bytes(groups, 0);
    std::vector<int> first(groups, -1), last(groups, -1);
    for (size_t v = 0; v < p.values.size(); ++v) {
        const auto g = size_t(p.values[v].group);
        bytes[g] = std::max(bytes[g], size_t(p.values[v].md.get_size()));
    }
    for (size_t i = 0; i < p.steps.size(); ++i) {
        const auto& st = p.steps[i];
        auto touch = [&](int v) {
            const auto g = size_t(p.values[size_t(v)].group);
            if (first[g] < 0) first[g] = int(i);
            last[g] = std::max(last[g], int(i));
        };
        if (st.output >= 0) touch(st.output);
        for (int v : st.inputs)
            touch(v);
    }
    // The output stays alive to the end.
    last[size_t(p.values[size_t(p.outputValue)].group)] = int(p.steps.size());
    std::vector<int> bufferOf(groups, -1);
    std::vector<size_t> bufferBytes;
    std::vector<int> busyUntil;
    std::vector<size_t> order(groups);
    for (size_t g = 0; g < groups; ++g)
        order[g] = g;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t c) { return first[a] < first[c]; });
    for (size_t g : order) {
        if (first[g] < 0 || bytes[g] == 0) continue;
        int best = -1;
        for (size_t k = 0; k < bufferBytes.size(); ++k)
            if (busyUntil[k] < first[g] && bufferBytes[k] >= bytes[g] &&
                (best < 0 || bufferBytes[k] < bufferBytes[size_t(best)]))
                best = int(k);
        if (best < 0) {
            best = int(bufferBytes.size());
            bufferBytes.push_back(bytes[g]);
            busyUntil.push_back(last[g]);
        } else {
            busyUntil[size_t(best)] = last[g];
        }
        bufferOf[g] = best;
    }
    for (size_t k = 0; k < bufferBytes.size(); ++k)
        p.buffers.push_back(allocate(bufferBytes[k]));
    for (auto& v : p.values) {
        const int k = bufferOf[size_t(v.group)];
        p.groupMemory.emplace_back(v.md, cpuEngine(), k >= 0 ? p.buffers[size_t(k)].get() : nullptr);
    }
    if (p.scratchBytes) {
        p.scratch = allocate(p.scratchBytes);
        p.scratchMem =
            memory(memory::desc({memory::dim(p.scratchBytes)}, dt::u8, tag::x), cpuEngine(), p.scratch.get());
    }
    for (auto& st : p.steps) {
        st.args = st.fixedArgs;
        for (const auto& [arg, v] : st.valueArgs)
            st.args[arg] = p.groupMemory[size_t(v)];
        if (st.userInput) st.args[DNNL_ARG_FROM] = p.userInput;
        if (p.scratchBytes) st.args[DNNL_ARG_SCRATCHPAD] = p.scratchMem;
    }
    return plan;
}

void OnednnPhiNet::Impl::writeInput(Plan& p, const torch::Tensor& x) const
{
    auto& st = p.steps.front();
    if (!st.hostQuantize) {
        p.userInput.set_data_handle(x.data_ptr());
        return;
    }
    const auto& q = qp(p.values[size_t(p.inputValue)].site);
    auto codes =
        at::quantize_per_tensor(x, q.scale, q.zeroPoint, at::kQUInt8).int_repr().permute({0, 2, 3, 1}).contiguous();
    std::memcpy(p.groupMemory[size_t(p.inputValue)].get_data_handle(), codes.data_ptr(), size_t(codes.numel()));
}

torch::Tensor OnednnPhiNet::Impl::readValue(Plan& p, int v) const
{
    const auto& val = p.values[size_t(v)];
    const auto dims = val.md.dims();
    const bool f32 = val.kind == ValueKind::Real;
    auto out = torch::empty(dims, f32 ? torch::kFloat : torch::kByte);
    memory plain(memory::desc(dims, f32 ? dt::f32 : dt::u8, tag::nchw), cpuEngine(), out.data_ptr());
    dnnl::stream s(cpuEngine());
    dnnl::reorder(p.groupMemory[size_t(v)], plain).execute(s, p.groupMemory[size_t(v)], plain);
    s.wait();
    switch (val.kind) {
    case ValueKind::Codes: {
        const auto& q = qp(val.site);
        return (out.to(torch::kFloat) - float(q.zeroPoint)) * float(q.scale);
    }
    case ValueKind::Real:
        return out;
    }
    return out;
}

void OnednnPhiNet::Impl::writeValue(Plan& p, int v, const torch::Tensor& real) const
{
    const auto& val = p.values[size_t(v)];
    const auto dims = val.md.dims();
    torch::Tensor src;
    switch (val.kind) {
    case ValueKind::Codes: {
        const auto& q = qp(val.site);
        src = torch::round(real.to(torch::kFloat) / float(q.scale) + float(q.zeroPoint)).clamp(0, 255).to(torch::kByte);
        break;
    }
    case ValueKind::Real:
        src = real.to(torch::kFloat);
        break;
    }
    src = src.reshape(dims).contiguous();
    memory plain(memory::desc(dims, val.kind == ValueKind::Codes ? dt::u8 : dt::f32, tag::nchw), cpuEngine(),
                 src.data_ptr());
    dnnl::stream s(cpuEngine());
    dnnl::reorder(plain, p.groupMemory[size_t(v)]).execute(s, plain, p.groupMemory[size_t(v)]);
    s.wait();
}

OnednnPhiNet::OnednnPhiNet(const PhiNetPlan& plan, std::vector<QParams> siteParams,
                           const std::function<Int8Layer(ConvSlot, int)>& layer, const Int8Layer& classifier)
    : d(std::make_unique<Impl>())
{
    d->plan = plan;
    d->params = std::move(siteParams);
    d->sites = activationSites(plan);
    d->hSwish = plan.config.hSwish;
    Recorder rec;
    detail::walkPhiNet(plan, rec, 0);
    d->nodes = std::move(rec.nodes);
    for (const auto& n : d->nodes)
        if (n.kind == NodeKind::Conv) d->layers[{int(n.slot), n.block}] = layer(n.slot, n.block);
    if (plan.head.present) {
        d->classifier = classifier;
        d->classifier.weight = classifier.weight.reshape({classifier.weight.size(0), classifier.weight.size(1), 1, 1});
    }
}

OnednnPhiNet::~OnednnPhiNet() = default;

bool OnednnPhiNet::available()
{
    return true;
}

torch::Tensor OnednnPhiNet::forward(const torch::Tensor& x) const
{
    return forward(x, {});
}

torch::Tensor OnednnPhiNet::forward(const torch::Tensor& x,
                                    const std::function<void(int, const torch::Tensor&)>& probe) const
{
    std::lock_guard lock(d->mutex);
    const auto in = x.to(torch::kFloat).contiguous();
    auto& p = d->planFor(int(in.size(0)));
    d->writeInput(p, in);
    dnnl::stream s(cpuEngine());
    for (size_t i = 0; i < p.steps.size(); ++i) {
        d->execute(p, s, i);
        if (probe) {
            s.wait();
            const int v = p.steps[i].output;
            probe(p.values[size_t(v)].site, d->readValue(p, v));
        }
    }
    s.wait();
    const auto& out = p.values[size_t(p.outputValue)];
    if (out.kind == ValueKind::Real) {
        const auto dims = out.md.dims();
        auto t = torch::empty({dims[0], dims[1]}, torch::kFloat);
        std::memcpy(t.data_ptr(), p.groupMemory[size_t(p.outputValue)].get_data_handle(), size_t(t.numel()) * 4);
        return t;
    }
    return d->readValue(p, p.outputValue);
}

std::vector<OnednnPhiNet::Step> OnednnPhiNet::steps(int batch) const
{
    std::lock_guard lock(d->mutex);
    auto& p = d->planFor(batch);
    std::vector<Step> out;
    for (const auto& st : p.steps) {
        Step s;
        s.name = st.name;
        for (int v : st.inputs)
            s.inputSites.push_back(p.values[size_t(v)].site);
        s.outputSite = p.values[size_t(st.output)].site;
        out.push_back(s);
    }
    return out;
}

torch::Tensor OnednnPhiNet::runStep(int batch, int step, const std::vector<torch::Tensor>& inputs) const
{
    std::lock_guard lock(d->mutex);
    auto& p = d->planFor(batch);
    auto& st = p.steps.at(size_t(step));
    if (st.userInput) {
        const auto x = inputs.at(0).to(torch::kFloat).contiguous();
        d->writeInput(p, x);
    } else {
        for (size_t i = 0; i < st.inputs.size(); ++i)
            d->writeValue(p, st.inputs[i], inputs.at(i));
    }
    dnnl::stream s(cpuEngine());
    d->execute(p, s, size_t(step));
    s.wait();
    return d->readValue(p, st.output);
}

std::vector<FusedStepTime> OnednnPhiNet::profile(const torch::Tensor& x, int runs) const
{
    std::lock_guard lock(d->mutex);
    const auto in = x.to(torch::kFloat).contiguous();
    auto& p = d->planFor(int(in.size(0)));
    std::vector<std::vector<double>> times(p.steps.size());
    dnnl::stream s(cpuEngine());
    for (int r = 0; r < std::max(1, runs); ++r) {
        d->writeInput(p, in);
        for (size_t i = 0; i < p.steps.size(); ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            d->execute(p, s, i);
            s.wait();
            times[i].push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
    }
    std::vector<FusedStepTime> out;
    for (size_t i = 0; i < p.steps.size(); ++i) {
        auto v = times[i];
        std::sort(v.begin(), v.end());
        out.push_back({p.steps[i].name, p.steps[i].impl, p.steps[i].macs, v[v.size() / 2]});
    }
    return out;
}

#endif

} // namespace phinet
