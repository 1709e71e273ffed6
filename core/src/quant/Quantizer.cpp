#include "phinet/quant/Quantizer.h"

#include "phinet/model/MemoryEstimate.h"
#include "phinet/model/ConfigJson.h"
#include "phinet/train/Distributed.h"

#include "phinet/common/Error.h"
#include "phinet/common/Log.h"
#include "phinet/common/Threads.h"

#include "Walker.h"

#include <chrono>
#include <cmath>

namespace phinet {
namespace F = torch::nn::functional;
using Clock = std::chrono::steady_clock;

std::vector<QParams> calibrate(const FoldedPhiNet& net, const std::function<bool(torch::Tensor&)>& next,
                               const QuantConfig& cfg, const CancelToken* cancel, int* batchesSeen)
{
    const auto sites = activationSites(net.plan);
    std::vector<std::unique_ptr<ActivationObserver>> observers;
    for (size_t i = 0; i < sites.size(); ++i)
        observers.push_back(makeObserver(cfg));
    torch::NoGradGuard ng;
    int n = 0;
    torch::Tensor x;
    while (next(x)) {
        if (isCancelled(cancel)) throw Cancelled();
        forwardFolded(net, x, [&](int s, const torch::Tensor& t) {
            if (siteKind(sites[size_t(s)]) == SiteKind::Observed) observers[size_t(s)]->observe(t);
            return t;
        });
        ++n;
    }
    if (batchesSeen) *batchesSeen = n;
    if (n == 0)
        throw ConfigError("quantization.calib_batches: calibration saw no batch (is the training split empty?)");
    std::vector<QParams> params(sites.size());
    for (size_t i = 0; i < sites.size(); ++i)
        if (siteKind(sites[i]) == SiteKind::Observed) params[i] = observers[i]->qparams(cfg.activationQMax());
    return params;
}

PtqResult quantizePtq(PhiNet& model, const DataSplits& data, const QuantConfig& cfg, const CancelToken* cancel)
{
    if (auto e = cfg.validate(); !e.empty()) throw ConfigError(prefixed("quantization.", e));
    ensureMemoryFits(model->config(), cfg.calibrationBatchSize, MemoryUse::Quantize,
                     "calibration at batch size " + std::to_string(cfg.calibrationBatchSize));
    setComputeThreads(cfg.threads);
    pinAllocator();
    model->eval();
    PtqResult r;
    r.folded = foldBatchNorm(model);
    BatchLoader::Options o;
    o.batchSize = cfg.calibrationBatchSize;
    o.shuffle = true;
    o.seed = 12345;
    BatchLoader loader(data.train, data.config.mean, data.config.std, o);
    loader.startEpoch(0);
    int left = cfg.calibrationBatches;
    auto params = calibrate(
        r.folded,
        [&](torch::Tensor& x) {
            Batch b;
            if (left-- <= 0 || !loader.next(b)) return false;
            x = b.images;
            r.calibrationImages += x.size(0);
            return true;
        },
        cfg, cancel, &r.calibrationBatches);
    r.model = QuantizedPhiNet::convert(r.folded, std::move(params), cfg.weights, cfg.engine);
    logger()->info("PTQ: calibrated {} activation sites on {} batches ({} images), {} observer, {} weights, {}, "
                   "activations 0..{}",
                   r.model.siteNames().size(), r.calibrationBatches, r.calibrationImages, toString(cfg.observer),
                   toString(cfg.weights), toString(cfg.engine), cfg.activationQMax());
    return r;
}

PtqResult quantizeWithRandomCalibration(PhiNet& model, const QuantConfig& cfg, bool warn)
{
    ensureMemoryFits(model->config(), 4, MemoryUse::Quantize, "quantization");
    setComputeThreads(cfg.threads);
    pinAllocator();
    model->eval();
    PtqResult r;
    r.calibratedOnData = false;
    r.folded = foldBatchNorm(model);
    const auto& in = model->config().input;
    auto gen = at::detail::createCPUGenerator(0);
    int left = std::min(cfg.calibrationBatches, 4);
    auto params = calibrate(
        r.folded,
        [&](torch::Tensor& x) {
            if (left-- <= 0) return false;
            x = torch::randn({4, in[0], in[1], in[2]}, gen);
            r.calibrationImages += 4;
            return true;
        },
        cfg, nullptr, &r.calibrationBatches);
    r.model = QuantizedPhiNet::convert(r.folded, std::move(params), cfg.weights, cfg.engine);
    if (warn)
        logger()->warn("INT8 model calibrated on random inputs, not data: its scales only serve size and latency "
                       "measurements, not accuracy");
    return r;
}

// ---- QAT -------------------------------------------------------------------------------------------

namespace {

/// One stretch of the per-tensor fake quant (a plain function of its arguments, so that GCC
/// vectorises the loop: no && and nothing read through a lambda's captures).
void fakeQuantRange(const float* __restrict x, float* __restrict out, bool* __restrict mask, std::int64_t n, float inv,
                    float scale, float z, float lo, float hi)
{
    constexpr float kRound = 12582912.0f;
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) {
        const float q = ((x[i] * inv + kRound) - kRound) + z;
        mask[i] = (q >= lo) & (q <= hi);
        out[i] = (std::min(std::max(q, lo), hi) - z) * scale;
    }
}

/// The straight-through gradient: g times the in-range mask (as LibTorch's grad * mask: a NaN stays NaN).
/// (The mask's bytes are read as 0 / 1 integers: GCC does not vectorise loads of bool.)
void maskedGradient(const float* __restrict g, const std::uint8_t* __restrict mask, float* __restrict out,
                    std::int64_t n)
{
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = g[i] * float(mask[i]);
}

/// Forward: fake-quantized values and the in-range mask; backward: the gradient where the mask holds.
class FakeQuantPerTensorFn : public torch::autograd::Function<FakeQuantPerTensorFn> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, double scale,
                                 std::int64_t zeroPoint, std::int64_t qmin, std::int64_t qmax)
    {
        const auto x = input.is_non_overlapping_and_dense() ? input : input.contiguous();
        auto out = torch::empty_like(x);
        auto mask = torch::empty_like(x, torch::kBool);
        // As LibTorch's kernel: x times the float inverse scale, rounded half to even, plus the zero
        // point; clamped; back times the scale. Rounding: v + 1.5 * 2^23 - 1.5 * 2^23 is v rounded
        // half to even for |v| < 2^22 (in the default rounding mode); beyond that v is clamped anyway.
        const float inv = 1.0f / float(scale), s = float(scale), z = float(zeroPoint);
        const float lo = float(qmin), hi = float(qmax);
        const float* xp = x.data_ptr<float>();
        float* op = out.data_ptr<float>();
        bool* mp = mask.data_ptr<bool>();
        at::parallel_for(0, x.numel(), 32768, [=](std::int64_t b, std::int64_t e) {
            fakeQuantRange(xp + b, op + b, mp + b, e - b, inv, s, z, lo, hi);
        });
        ctx->save_for_backward({mask});
        return out;
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grad)
    {
        const auto mask = ctx->get_saved_variables()[0];
        const auto& g = grad[0];
        if (g.scalar_type() != torch::kFloat || g.strides() != mask.strides() || !g.is_non_overlapping_and_dense())
            return {g * mask, {}, {}, {}, {}};
        // One pass, no float copy of the mask (grad * mask converted the mask to float first: in the
        // QAT profile that multiply and its copy took a fifth of every step).
        auto out = torch::empty_like(g);
        const float* gp = g.data_ptr<float>();
        const auto* mp = reinterpret_cast<const std::uint8_t*>(mask.data_ptr<bool>());
        float* op = out.data_ptr<float>();
        at::parallel_for(0, g.numel(), 32768,
                         [=](std::int64_t b, std::int64_t e) { maskedGradient(gp + b, mp + b, op + b, e - b); });
        return {out, {}, {}, {}, {}};
    }
};

/// Channel-last and plain layouts of a 4-D float tensor: pixels x channels, or planes of pixels.
enum class ChannelLayout { Last, Planes, Other };
ChannelLayout channelLayout(const torch::Tensor& t)
{
    if (t.dim() != 4 || t.scalar_type() != torch::kFloat) return ChannelLayout::Other;
    if (t.is_contiguous()) return ChannelLayout::Planes;
    if (t.is_contiguous(at::MemoryFormat::ChannelsLast)) return ChannelLayout::Last;
    return ChannelLayout::Other;
}

void divideRow(const float* __restrict x, const float* __restrict s, float* __restrict out, std::int64_t n)
{
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = x[i] / s[i];
}
void dividePlane(const float* __restrict x, float s, float* __restrict out, std::int64_t n)
{
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = x[i] / s;
}
void accumulateRow(const float* __restrict g, const float* __restrict y, double* __restrict acc, std::int64_t n)
{
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i)
        acc[i] += double(g[i]) * double(y[i]);
}
double dotPlane(const float* __restrict g, const float* __restrict y, std::int64_t n)
{
    double acc = 0;
#pragma omp simd reduction(+ : acc)
    for (std::int64_t i = 0; i < n; ++i)
        acc += double(g[i]) * double(y[i]);
    return acc;
}

/// x / s per channel (s: [C]); its gradient in one pass over the tensors: dx = g / s and
/// ds = -sum(g * out) / s per channel (LibTorch's DivBackward made four passes and a temporary, a
/// fifth of a QAT step in the profile). The per-channel sums run in fixed chunks, so the result does
/// not depend on the thread count.
class ChannelDivideFn : public torch::autograd::Function<ChannelDivideFn> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& s)
    {
        const auto layout = channelLayout(x);
        const auto sc = s.contiguous();
        auto out = torch::empty_like(x);
        const std::int64_t n = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
        const float* xp = x.data_ptr<float>();
        const float* sp = sc.data_ptr<float>();
        float* op = out.data_ptr<float>();
        if (layout == ChannelLayout::Last) {
            at::parallel_for(0, n * hw, std::max<std::int64_t>(1, 32768 / c), [=](std::int64_t b, std::int64_t e) {
                for (std::int64_t p = b; p < e; ++p)
                    divideRow(xp + p * c, sp, op + p * c, c);
            });
        } else {
            at::parallel_for(0, n * c, std::max<std::int64_t>(1, 32768 / hw), [=](std::int64_t b, std::int64_t e) {
                for (std::int64_t q = b; q < e; ++q)
                    dividePlane(xp + q * hw, sp[q % c], op + q * hw, hw);
            });
        }
        ctx->save_for_backward({out, sc});
        return out;
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grad)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& out = saved[0];
        const auto& s = saved[1];
        const auto& g = grad[0];
        const std::int64_t n = out.size(0), c = out.size(1), hw = out.size(2) * out.size(3);
        const auto layout = channelLayout(out);
        if (channelLayout(g) != layout || g.strides() != out.strides()) {
            const auto sv = s.view({1, -1, 1, 1});
            return {g / sv, -(g * out).sum({0, 2, 3}) / s};
        }
        auto dx = torch::empty_like(g);
        const float* gp = g.data_ptr<float>();
        const float* yp = out.data_ptr<float>();
        const float* sp = s.data_ptr<float>();
        float* dp = dx.data_ptr<float>();
        std::vector<double> sums(size_t(c), 0.0);
        if (layout == ChannelLayout::Last) {
            constexpr std::int64_t kChunk = 256; // pixels per partial sum
            const std::int64_t pixels = n * hw, chunks = (pixels + kChunk - 1) / kChunk;
            std::vector<double> partial(size_t(chunks * c), 0.0);
            double* pp = partial.data();
            at::parallel_for(0, chunks, 1, [=](std::int64_t b, std::int64_t e) {
                for (std::int64_t k = b; k < e; ++k)
                    for (std::int64_t p = k * kChunk; p < std::min(pixels, (k + 1) * kChunk); ++p) {
                        divideRow(gp + p * c, sp, dp + p * c, c);
                        accumulateRow(gp + p * c, yp + p * c, pp + k * c, c);
                    }
            });
            for (std::int64_t k = 0; k < chunks; ++k)
                for (std::int64_t j = 0; j < c; ++j)
                    sums[size_t(j)] += partial[size_t(k * c + j)];
        } else {
            std::vector<double> partial(size_t(n * c), 0.0);
            double* pp = partial.data();
            at::parallel_for(0, n * c, 1, [=](std::int64_t b, std::int64_t e) {
                for (std::int64_t q = b; q < e; ++q) {
                    dividePlane(gp + q * hw, sp[q % c], dp + q * hw, hw);
                    pp[q] = dotPlane(gp + q * hw, yp + q * hw, hw);
                }
            });
            for (std::int64_t i = 0; i < n; ++i)
                for (std::int64_t j = 0; j < c; ++j)
                    sums[size_t(j)] += partial[size_t(i * c + j)];
        }
        auto ds = torch::empty({c}, s.options());
        float* dsp = ds.data_ptr<float>();
        for (std::int64_t j = 0; j < c; ++j)
            dsp[j] = float(-sums[size_t(j)] / double(sp[j]));
        return {dx, ds};
    }
};

} // namespace

torch::Tensor divideByChannel(const torch::Tensor& x, const torch::Tensor& s)
{
    if (channelLayout(x) == ChannelLayout::Other || x.numel() == 0 || s.dim() != 1 || s.size(0) != x.size(1) ||
        s.scalar_type() != torch::kFloat || !x.device().is_cpu())
        return x / s.view({1, -1, 1, 1});
    return ChannelDivideFn::apply(x, s);
}

torch::Tensor fakeQuantizePerTensor(const torch::Tensor& x, double scale, std::int64_t zeroPoint, std::int64_t qmin,
                                    std::int64_t qmax)
{
    if (x.scalar_type() != torch::kFloat || !x.device().is_cpu())
        return at::fake_quantize_per_tensor_affine(x, scale, zeroPoint, qmin, qmax);
    return FakeQuantPerTensorFn::apply(x, scale, zeroPoint, qmin, qmax);
}

namespace {

/// Fake-quantizes a weight symmetrically per output channel (or per tensor), straight-through.
torch::Tensor fakeQuantWeight(const torch::Tensor& w, WeightGranularity g)
{
    auto scales = weightScales(w, g);
    auto zps = torch::zeros({w.size(0)}, torch::kInt);
    return at::fake_quantize_per_channel_affine(w, scales, zps, 0, -128, 127);
}

/// The QAT graph: the PhiNet module's own parameters, Conv+BN simulated as folded convolutions.
struct QatState {
    PhiNet& model;
    const QuantConfig& cfg;
    std::vector<std::string> sites;
    std::vector<double> lo, hi;          // activation ranges (moving average while not frozen)
    std::vector<torch::Tensor> lsqScale; // LSQ: learned scales (observed sites)
    std::vector<torch::Tensor> lsqZero;
    bool observersFrozen = false;
    bool bnFrozen = false;
    bool training = true;

    QParams params(int s) const
    {
        if (cfg.learnedScales && lsqScale[size_t(s)].defined())
            return {std::max(1e-8, lsqScale[size_t(s)].item<double>()), std::int64_t(lsqZero[size_t(s)].item<float>())};
        return affineQParams(lo[size_t(s)], hi[size_t(s)], 0, cfg.activationQMax());
    }
};

struct QatOps {
    QatState& st;
    int previousSite = -1;

    torch::Tensor site(int s, const torch::Tensor& x)
    {
        const auto kind = siteKind(st.sites[size_t(s)]);
        QParams q;
        if (kind == SiteKind::Sigmoid) {
            q = {1.0 / 256.0, 0};
        } else if (kind == SiteKind::Inherit) {
            q = st.params(previousSite);
        } else {
            if (st.cfg.learnedScales && st.lsqScale[size_t(s)].defined()) {
                previousSite = s;
                const double grad = 1.0 / std::sqrt(double(x.numel()) * 255.0);
                return at::_fake_quantize_learnable_per_tensor_affine(x, st.lsqScale[size_t(s)], st.lsqZero[size_t(s)],
                                                                      0, st.cfg.activationQMax(), grad);
            }
            if (st.training && !st.observersFrozen) {
                auto mm = torch::aminmax(x.detach());
                st.lo[size_t(s)] += 0.01 * (std::get<0>(mm).item<double>() - st.lo[size_t(s)]);
                st.hi[size_t(s)] += 0.01 * (std::get<1>(mm).item<double>() - st.hi[size_t(s)]);
            }
            q = st.params(s);
        }
        previousSite = s;
        return fakeQuantizePerTensor(x, q.scale, q.zeroPoint, 0, 255);
    }

    torch::Tensor input(const torch::Tensor& x, int s) { return site(s, x); }
    torch::Tensor pad(const torch::Tensor& x, const std::array<int, 4>& p)
    {
        return torch::constant_pad_nd(x, {p[0], p[1], p[2], p[3]}, 0);
    }
    torch::Tensor dropout(const torch::Tensor& x) { return x; } // set below per block (module's Dropout2d)

    /// conv (+ BN simulated as a folded conv, PyTorch's ConvBn QAT recipe)
    torch::Tensor convBn(const torch::nn::Conv2d& conv, torch::nn::BatchNorm2d& bn, const torch::Tensor& x,
                         bool depthwise, int stride, int padding)
    {
        const auto sf = bn->weight * torch::rsqrt(bn->running_var + bn->options.eps());
        auto w = fakeQuantWeight(conv->weight * sf.view({-1, 1, 1, 1}), st.cfg.weights);
        auto y = depthwise ? depthwiseConv2d(x, w, stride, padding)
                           : torch::conv2d(x, w, {}, stride, padding, 1, conv->options.groups());
        y = divideByChannel(y, sf);
        return bn->forward(y); // train mode: batch statistics; frozen (eval mode): running statistics = the folded conv
    }
    torch::Tensor plain(const torch::nn::Conv2d& conv, const torch::Tensor& x, int stride, int padding)
    {
        auto w = fakeQuantWeight(conv->weight, st.cfg.weights);
        return torch::conv2d(x, w, {}, stride, padding, 1, conv->options.groups());
    }
    torch::Tensor conv(ConvSlot slot, int block, const torch::Tensor& x, int s)
    {
        auto& m = st.model;
        torch::Tensor y;
        if (block < 0) {
            const auto& p = m->stem->plan;
            y = slot == ConvSlot::StemDw ? plain(m->stem->dw, x, p.stride, 0)
                                         : convBn(m->stem->pw, m->stem->bn, x, false, 1, 0);
        } else {
            auto& b = m->blocks[size_t(block)];
            switch (slot) {
            case ConvSlot::Expand:
                y = convBn(b->expand, b->bnExpand, x, false, 1, 0);
                break;
            case ConvSlot::Dw:
                y = convBn(b->dw, b->bnDw, b->dropout(x), true, b->plan.stride, b->plan.convPadding);
                break;
            case ConvSlot::SeReduce:
                y = plain(b->seReduce, x, 1, 0);
                break;
            case ConvSlot::SeExpand:
                y = plain(b->seExpand, x, 1, 0);
                break;
            case ConvSlot::Project:
                y = convBn(b->project, b->bnProject, x, false, 1, 0);
                break;
            default:
                break;
            }
        }
        return site(s, y);
    }
    torch::Tensor act(const torch::Tensor& x, int s) { return site(s, phinetActivation(x, st.model->config().hSwish)); }
    torch::Tensor pool(const torch::Tensor& x, int s)
    {
        return site(s, F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1)));
    }
    torch::Tensor sigmoid(const torch::Tensor& x, int s) { return site(s, torch::sigmoid(x)); }
    torch::Tensor mul(const torch::Tensor& a, const torch::Tensor& b, int s) { return site(s, a * b); }
    torch::Tensor add(const torch::Tensor& a, const torch::Tensor& b, int s) { return site(s, a + b); }
    torch::Tensor linear(const torch::Tensor& x, int s)
    {
        auto& fc = st.model->classifier;
        return site(s, torch::linear(x.flatten(1), fakeQuantWeight(fc->weight, st.cfg.weights), fc->bias));
    }
    torch::Tensor output(const torch::Tensor& x) { return x; }
};

torch::Tensor qatForward(QatState& st, const torch::Tensor& x)
{
    QatOps ops{st};
    return detail::walkPhiNet(st.model->plan(), ops, x);
}

void setQatModes(QatState& st, bool training)
{
    st.training = training;
    st.model->train(training);
    if (st.bnFrozen || !training) {
        for (auto& m : st.model->modules())
            if (auto* bn = m->as<torch::nn::BatchNorm2dImpl>()) bn->eval();
    }
}

} // namespace

nlohmann::json toJson(const QatEpoch& e)
{
    return {{"epoch", e.epoch},
            {"train_loss", e.trainLoss},
            {"train_accuracy", e.trainAccuracy},
            {"fake_quant_accuracy", e.fakeQuant.accuracy},
            {"fake_quant_loss", e.fakeQuant.loss},
            {"int8_accuracy", e.int8.accuracy},
            {"int8_loss", e.int8.loss},
            {"observers_frozen", e.observersFrozen},
            {"bn_frozen", e.bnFrozen},
            {"seconds", e.seconds}};
}

QatResult quantizeQat(PhiNet& model, const DataSplits& data, const QuantConfig& qcfg, const TrainConfig& tcfg,
                      QatObserver* observer, const CancelToken* cancel, const QuantizedPhiNet* calibratedFrom,
                      ProcessGroup* groupIn)
{
    ProcessGroup* group = groupIn && groupIn->worldSize() > 1 ? groupIn : nullptr;
    const int rank = group ? group->rank() : 0;
    if (auto e = qcfg.validate(); !e.empty()) throw ConfigError(prefixed("quantization.", e));
    ensureMemoryFits(model->config(), tcfg.batchSize, MemoryUse::Training,
                     "QAT at batch size " + std::to_string(tcfg.batchSize));
    QatResult result;
    // Start from PTQ: calibrated ranges are the observers' initial state (the caller's PTQ model's, or
    // a calibration of our own).
    std::optional<PtqResult> ptq;
    std::vector<QParams> startParams;
    if (rank != 0) {
        // rank 0's calibration arrives below; the sites are the network's
    } else if (calibratedFrom) {
        if (calibratedFrom->siteNames() != activationSites(planPhiNet(model->config())))
            throw ConfigError(
                "quantization: the PTQ model given to start QAT from is not of this network (its activation "
                "sites differ)");
        logger()->info("QAT: starting from the PTQ calibration ({} activation sites), no second calibration",
                       calibratedFrom->siteNames().size());
    } else {
        ptq = quantizePtq(model, data, qcfg, cancel);
        calibratedFrom = &ptq->model;
    }
    QatState st{model, qcfg, rank == 0 ? calibratedFrom->siteNames() : activationSites(planPhiNet(model->config()))};
    if (rank == 0) startParams = calibratedFrom->siteParams();
    if (group) {
        // every rank starts from rank 0's weights, BatchNorm statistics and calibrated ranges
        group->checkSameConfig("QAT configuration", stableHash(nlohmann::json{{"model", toJson(model->config())},
                                                                              {"quantization", toJson(qcfg)},
                                                                              {"train_images", data.train->size()},
                                                                              {"batch_size", tcfg.batchSize},
                                                                              {"seed", tcfg.seed}}
                                                                   .dump()));
        broadcastModel(*group, model);
        auto q = torch::zeros({std::int64_t(st.sites.size()), 2}, torch::kDouble);
        if (rank == 0)
            for (size_t i = 0; i < startParams.size(); ++i) {
                q[std::int64_t(i)][0] = startParams[i].scale;
                q[std::int64_t(i)][1] = double(startParams[i].zeroPoint);
            }
        std::vector<torch::Tensor> t{q};
        group->broadcast(t, 0);
        startParams.assign(st.sites.size(), QParams{});
        auto a = t[0].accessor<double, 2>();
        for (size_t i = 0; i < st.sites.size(); ++i)
            startParams[i] = {a[std::int64_t(i)][0], std::int64_t(a[std::int64_t(i)][1])};
    }
    const auto& calibrated = startParams;
    for (size_t i = 0; i < st.sites.size(); ++i) {
        const auto& q = calibrated[i];
        st.lo.push_back((0 - q.zeroPoint) * q.scale);
        st.hi.push_back((qcfg.activationQMax() - q.zeroPoint) * q.scale);
    }
    std::vector<torch::Tensor> params = model->parameters();
    if (qcfg.learnedScales) {
        st.lsqScale.resize(st.sites.size());
        st.lsqZero.resize(st.sites.size());
        for (size_t i = 0; i < st.sites.size(); ++i) {
            if (siteKind(st.sites[i]) != SiteKind::Observed) continue;
            st.lsqScale[i] = torch::full({1}, calibrated[i].scale, torch::kFloat).requires_grad_(true);
            st.lsqZero[i] = torch::full({1}, float(calibrated[i].zeroPoint), torch::kFloat);
            params.push_back(st.lsqScale[i]);
        }
    }
    setComputeThreads(tcfg.threads);
    setChannelsLast(model, tcfg.channelsLast);
    torch::optim::Adam optimizer(params, torch::optim::AdamOptions(qcfg.qatLr));

    BatchLoader::Options lo;
    lo.batchSize = tcfg.batchSize;
    lo.shuffle = true;
    lo.augment = data.config.augment;
    lo.seed = tcfg.seed + 17;
    lo.channelsLast = tcfg.channelsLast;
    lo.shardIndex = rank;
    lo.shardCount = group ? group->worldSize() : 1;
    std::unique_ptr<GradientReducer> reducer;
    if (group) reducer = std::make_unique<GradientReducer>(*group, params);
    result.worldSize = group ? group->worldSize() : 1;
    BatchLoader loader(data.train, data.config.mean, data.config.std, lo);
    const auto batches = loader.batchesPerEpoch();
    const auto runStart = Clock::now();

    auto convertNow = [&] {
        std::vector<QParams> q(st.sites.size());
        for (size_t i = 0; i < st.sites.size(); ++i)
            if (siteKind(st.sites[i]) == SiteKind::Observed) q[i] = st.params(int(i));
        model->eval();
        auto folded = foldBatchNorm(model);
        auto int8 = QuantizedPhiNet::convert(folded, std::move(q), qcfg.weights, qcfg.engine);
        return std::make_pair(std::move(folded), std::move(int8));
    };

    for (int epoch = 0; epoch < qcfg.qatEpochs; ++epoch) {
        st.observersFrozen = epoch >= qcfg.freezeObserversAfter;
        st.bnFrozen = epoch >= qcfg.freezeBnAfter;
        torch::manual_seed(tcfg.seed * 7919ULL + 1000 + std::uint64_t(epoch));
        loader.startEpoch(epoch);
        setQatModes(st, true);
        const auto t0 = Clock::now();
        double lossSum = 0;
        std::int64_t seen = 0, correct = 0, index = 0;
        Batch b;
        while (loader.next(b)) {
            // Distributed: a cancelled rank still takes part in this step's collectives; all stop after it.
            const bool cancelHere = isCancelled(cancel);
            if (cancelHere && !group) {
                result.cancelled = true;
                break;
            }
            ++index;
            optimizer.zero_grad();
            auto n = b.labels.size(0);
            double l = 0;
            std::int64_t stepCorrect = 0;
            if (reducer) reducer->prepare(b.globalSize > 0 ? double(n) / double(b.globalSize) : 0.0);
            if (n > 0 && !cancelHere) {
                auto logits = qatForward(st, b.images);
                auto loss = F::cross_entropy(logits, b.labels);
                l = loss.item<double>();
                if (!std::isfinite(l) && !group)
                    throw TrainingDiverged("QAT diverged at epoch " + std::to_string(epoch + 1) + ", batch " +
                                           std::to_string(index) + ": the loss is " + std::to_string(l));
                loss.backward();
                stepCorrect = logits.argmax(1).eq(b.labels).sum().item<int64_t>();
            } else {
                n = 0;
            }
            if (group) {
                reducer->finish();
                const auto total = reduceStep(*group, l, stepCorrect, n, cancelHere);
                if (total.stop) {
                    result.cancelled = true;
                    break;
                }
                n = total.images;
                l = total.meanLoss();
                stepCorrect = total.correct;
                if (!std::isfinite(l))
                    throw TrainingDiverged("QAT diverged at epoch " + std::to_string(epoch + 1) + ", batch " +
                                           std::to_string(index) + ": the loss is " + std::to_string(l));
            }
            optimizer.step();
            lossSum += l * double(n);
            seen += n;
            correct += stepCorrect;
            if (observer && (index % tcfg.reportEvery == 0 || index == batches)) {
                BatchProgress p;
                p.epoch = epoch + 1;
                p.epochs = qcfg.qatEpochs;
                p.batch = index;
                p.batchesPerEpoch = batches;
                p.globalBatch = std::int64_t(epoch) * batches + index;
                p.loss = l;
                p.lr = qcfg.qatLr;
                const double el = std::chrono::duration<double>(Clock::now() - t0).count();
                p.imagesPerSecond = el > 0 ? double(seen) / el : 0;
                p.elapsedSeconds = std::chrono::duration<double>(Clock::now() - runStart).count();
                p.etaSeconds = el / double(index) * double(std::int64_t(qcfg.qatEpochs - epoch) * batches - index);
                observer->onBatch(p);
            }
        }
        if (result.cancelled) break;
        if (group) {
            // each rank's ranges and BatchNorm statistics followed its own slices: their mean from here on
            averageBuffers(*group, model);
            auto r = torch::zeros({2, std::int64_t(st.sites.size())}, torch::kDouble);
            for (size_t i = 0; i < st.sites.size(); ++i) {
                r[0][std::int64_t(i)] = st.lo[i];
                r[1][std::int64_t(i)] = st.hi[i];
            }
            std::vector<torch::Tensor> t{r};
            group->allreduceSum(t);
            t[0] /= double(group->worldSize());
            auto a = t[0].accessor<double, 2>();
            for (size_t i = 0; i < st.sites.size(); ++i) {
                st.lo[i] = a[0][std::int64_t(i)];
                st.hi[i] = a[1][std::int64_t(i)];
            }
            if (rank != 0) { // rank 0 evaluates and converts; the others wait for its next epoch (or the end)
                group->await("phinet/qat/epoch/" + std::to_string(epoch), cancel);
                continue;
            }
        }
        QatEpoch e;
        e.epoch = epoch + 1;
        e.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        result.trainSeconds += e.seconds;
        e.trainLoss = seen ? lossSum / double(seen) : 0;
        e.trainAccuracy = seen ? 100.0 * double(correct) / double(seen) : 0;
        e.observersFrozen = st.observersFrozen;
        e.bnFrozen = st.bnFrozen;
        setQatModes(st, false);
        {
            torch::NoGradGuard ng;
            e.fakeQuant = evaluate([&](const torch::Tensor& x) { return qatForward(st, x); }, data.test, data.config,
                                   tcfg.evalBatchSize, tcfg.channelsLast, model->config().numClasses, cancel);
        }
        auto [folded, int8] = convertNow();
        e.int8 = evaluate([&, &q = int8](const torch::Tensor& x) { return q.forward(x); }, data.test, data.config,
                          tcfg.evalBatchSize, false, model->config().numClasses, cancel);
        logger()->info("QAT epoch {}/{}: train loss {:.4f}, fake-quant {:.2f}%, INT8 {:.2f}%", e.epoch, qcfg.qatEpochs,
                       e.trainLoss, e.fakeQuant.accuracy, e.int8.accuracy);
        result.epochs.push_back(e);
        if (observer) observer->onQatEpoch(e);
        if (group) group->publish("phinet/qat/epoch/" + std::to_string(epoch), "evaluated");
    }
    if (rank != 0) {
        setChannelsLast(model, false);
        return result; // rank 0 converts
    }
    auto [folded, int8] = convertNow();
    result.folded = std::move(folded);
    result.model = std::move(int8);
    setChannelsLast(model, false);
    return result;
}

} // namespace phinet
