#pragma once
/// Activation observers and weight quantization parameters. Includes Torch.

#include "phinet/quant/QuantConfig.h"

#include <torch/torch.h>

#include <memory>

namespace phinet {

/// Affine uint8 (activations) or symmetric int8 (weights) parameters.
struct QParams {
    double scale = 1.0;
    std::int64_t zeroPoint = 0;
};

/// uint8 affine parameters covering [min, max] (widened to include 0, so zero is exact).
QParams affineQParams(double min, double max, int qmin = 0, int qmax = 255);

/// Records the range of the tensors it sees (calibration, QAT).
class ActivationObserver {
public:
    virtual ~ActivationObserver() = default;
    virtual void observe(const torch::Tensor& x) = 0;
    /// The chosen range; {0, 0} before anything was observed.
    virtual std::pair<double, double> range() const = 0;
    bool empty() const { return count_ == 0; }
    /// uint8 parameters for codes 0..qmax (127 with a reduced range).
    QParams qparams(int qmax = 255) const
    {
        const auto r = range();
        return affineQParams(r.first, r.second, 0, qmax);
    }

protected:
    std::int64_t count_ = 0;
};

std::unique_ptr<ActivationObserver> makeObserver(const QuantConfig& cfg);

/// Symmetric qint8 weight quantization (per output channel or per tensor): scale = max|w| / 127.5.
/// Returns the quantized weight tensor (a real quantized tensor).
torch::Tensor quantizeWeight(const torch::Tensor& w, WeightGranularity g);
/// Per-channel (or per-tensor, broadcast) symmetric scales of a weight, float32 [out_channels].
torch::Tensor weightScales(const torch::Tensor& w, WeightGranularity g);

/// 10 log10(sum ref^2 / sum (ref - test)^2), +inf when equal.
double sqnrDb(const torch::Tensor& reference, const torch::Tensor& test);

} // namespace phinet
