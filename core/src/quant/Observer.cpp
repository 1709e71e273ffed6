#include "phinet/quant/Observer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace phinet {

QParams affineQParams(double min, double max, int qmin, int qmax)
{
    min = std::min(min, 0.0);
    max = std::max(max, 0.0);
    QParams q;
    q.scale = (max - min) / double(qmax - qmin);
    if (!(q.scale > 1e-8)) q.scale = 1.0 / 256; // an all-zero (or degenerate) tensor: any scale is exact
    q.zeroPoint = std::clamp<std::int64_t>(std::llround(double(qmin) - min / q.scale), qmin, qmax);
    return q;
}

namespace {

class MinMaxObserver : public ActivationObserver {
public:
    void observe(const torch::Tensor& x) override
    {
        auto mm = torch::aminmax(x.detach());
        const double lo = std::get<0>(mm).item<double>(), hi = std::get<1>(mm).item<double>();
        min_ = count_ ? std::min(min_, lo) : lo;
        max_ = count_ ? std::max(max_, hi) : hi;
        ++count_;
    }
    std::pair<double, double> range() const override { return {min_, max_}; }

private:
    double min_ = 0, max_ = 0;
};

class MovingAverageObserver : public ActivationObserver {
public:
    /// `averaging`: the weight of each new batch's min and max (PyTorch's averaging_constant, 0.01).
    explicit MovingAverageObserver(double averaging) : averaging_(averaging) {}
    void observe(const torch::Tensor& x) override
    {
        auto mm = torch::aminmax(x.detach());
        const double lo = std::get<0>(mm).item<double>(), hi = std::get<1>(mm).item<double>();
        if (count_ == 0) {
            min_ = lo;
            max_ = hi;
        } else {
            min_ += averaging_ * (lo - min_);
            max_ += averaging_ * (hi - max_);
        }
        ++count_;
    }
    std::pair<double, double> range() const override { return {min_, max_}; }

private:
    double averaging_ = 0.01;
    double min_ = 0, max_ = 0;
};

/// 2048-bin histogram whose range grows with the data (old counts are re-binned by bin centre).
class HistogramObserver : public ActivationObserver {
public:
    HistogramObserver(bool mse, double percentile) : mse_(mse), percentile_(percentile) {}

    void observe(const torch::Tensor& xIn) override
    {
        auto x = xIn.detach().to(torch::kFloat).flatten();
        auto mm = torch::aminmax(x);
        double lo = std::get<0>(mm).item<double>(), hi = std::get<1>(mm).item<double>();
        if (count_ == 0) {
            lo_ = std::min(lo, 0.0);
            hi_ = std::max(hi, 0.0);
            if (hi_ - lo_ < 1e-12) hi_ = lo_ + 1e-6;
            hist_ = torch::zeros({kBins}, torch::kDouble);
        } else if (lo < lo_ || hi > hi_) {
            rebin(std::min(lo, lo_), std::max(hi, hi_));
        }
        hist_ += torch::histc(x, kBins, lo_, hi_).to(torch::kDouble);
        ++count_;
    }

    std::pair<double, double> range() const override
    {
        if (count_ == 0) return {0, 0};
        auto h = hist_.contiguous();
        const double* c = h.data_ptr<double>();
        const double total = h.sum().item<double>();
        const double width = (hi_ - lo_) / kBins;
        // Tail masses to trim from each end; the first holds the full range.
        if (!mse_) {
            const double tail = total * (100.0 - percentile_) / 100.0;
            const int a = firstBinWithCumulativeAbove(c, tail), b = lastBinWithCumulativeAbove(c, tail);
            return {std::min(0.0, lo_ + a * width), std::max(0.0, lo_ + (b + 1) * width)};
        }
        static const double fractions[] = {0, 1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2};
        double best = std::numeric_limits<double>::infinity();
        std::pair<double, double> bestRange{lo_, hi_};
        for (double fl : fractions) {
            const int a = firstBinWithCumulativeAbove(c, fl * total);
            for (double fh : fractions) {
                const int b = lastBinWithCumulativeAbove(c, fh * total);
                if (b < a) continue;
                const double rlo = std::min(0.0, lo_ + a * width), rhi = std::max(0.0, lo_ + (b + 1) * width);
                const double err = expectedError(c, rlo, rhi, width);
                if (err < best) {
                    best = err;
                    bestRange = {rlo, rhi};
                }
            }
        }
        return bestRange;
    }

private:
    static constexpr int kBins = 2048;

    int firstBinWithCumulativeAbove(const double* c, double mass) const
    {
        double cum = 0;
        for (int i = 0; i < kBins; ++i) {
            cum += c[i];
            if (cum > mass) return i;
        }
        return kBins - 1;
    }
    int lastBinWithCumulativeAbove(const double* c, double mass) const
    {
        double cum = 0;
        for (int i = kBins - 1; i >= 0; --i) {
            cum += c[i];
            if (cum > mass) return i;
        }
        return 0;
    }
    /// Expected squared error of quantizing the histogram to 256 levels over [rlo, rhi]:
    /// rounding noise step^2/12 inside, squared distance to the clip edge outside.
    double expectedError(const double* c, double rlo, double rhi, double width) const
    {
        const double step = (rhi - rlo) / 255.0;
        const double inside = step * step / 12.0;
        double err = 0;
        for (int i = 0; i < kBins; ++i) {
            if (c[i] == 0) continue;
            const double centre = lo_ + (i + 0.5) * width;
            if (centre < rlo)
                err += c[i] * (rlo - centre) * (rlo - centre);
            else if (centre > rhi)
                err += c[i] * (centre - rhi) * (centre - rhi);
            else
                err += c[i] * inside;
        }
        return err;
    }
    void rebin(double lo, double hi)
    {
        auto old = hist_.contiguous();
        auto fresh = torch::zeros({kBins}, torch::kDouble);
        const double* o = old.data_ptr<double>();
        double* n = fresh.data_ptr<double>();
        const double oldWidth = (hi_ - lo_) / kBins, newWidth = (hi - lo) / kBins;
        for (int i = 0; i < kBins; ++i) {
            if (o[i] == 0) continue;
            const double centre = lo_ + (i + 0.5) * oldWidth;
            const int j = std::clamp(int((centre - lo) / newWidth), 0, kBins - 1);
            n[j] += o[i];
        }
        hist_ = fresh;
        lo_ = lo;
        hi_ = hi;
    }

    bool mse_;
    double percentile_;
    double lo_ = 0, hi_ = 0;
    torch::Tensor hist_;
};

} // namespace

std::unique_ptr<ActivationObserver> makeObserver(const QuantConfig& cfg)
{
    switch (cfg.observer) {
    case ObserverKind::MinMax:
        return std::make_unique<MinMaxObserver>();
    case ObserverKind::MovingAverageMinMax:
        return std::make_unique<MovingAverageObserver>(cfg.averagingConstant);
    case ObserverKind::HistogramPercentile:
        return std::make_unique<HistogramObserver>(false, cfg.percentile);
    case ObserverKind::HistogramMse:
        return std::make_unique<HistogramObserver>(true, cfg.percentile);
    }
    return std::make_unique<MinMaxObserver>();
}

torch::Tensor weightScales(const torch::Tensor& w, WeightGranularity g)
{
    auto amax = g == WeightGranularity::PerChannel ? w.detach().abs().flatten(1).amax(1)
                                                   : w.detach().abs().max().expand({w.size(0)});
    return (amax / 127.5).clamp_min(1e-12).to(torch::kFloat).contiguous();
}

torch::Tensor quantizeWeight(const torch::Tensor& w, WeightGranularity g)
{
    auto scales = weightScales(w, g);
    if (g == WeightGranularity::PerTensor)
        return at::quantize_per_tensor(w.detach().contiguous(), scales[0].item<double>(), 0, at::kQInt8);
    return at::quantize_per_channel(w.detach().contiguous(), scales.to(torch::kDouble),
                                    torch::zeros({w.size(0)}, torch::kLong), 0, at::kQInt8);
}

double sqnrDb(const torch::Tensor& reference, const torch::Tensor& test)
{
    const auto r = reference.detach().to(torch::kDouble);
    const double signal = r.pow(2).sum().item<double>();
    const double noise = (r - test.detach().to(torch::kDouble)).pow(2).sum().item<double>();
    if (noise == 0) return std::numeric_limits<double>::infinity();
    if (signal == 0) return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(signal / noise);
}

} // namespace phinet
