#pragma once
/// The INT8 runtime: a converted PhiNet made of packed int8 weights and LibTorch's quantized
/// kernels (ONEDNN on x86, QNNPACK on ARM), uint8 affine activations, per-channel (or per-tensor)
/// symmetric int8 weights. Includes Torch.

#include "phinet/quant/Folding.h"
#include "phinet/quant/Observer.h"

#include <filesystem>
#include <memory>

namespace phinet {

class OnednnPhiNet;

/// Selects LibTorch's quantized engine; throws ConfigError if this build lacks it.
void selectQuantEngine(QuantEngine e);

class QuantizedPhiNet {
public:
    QuantizedPhiNet();
    ~QuantizedPhiNet();
    QuantizedPhiNet(QuantizedPhiNet&&) noexcept;
    QuantizedPhiNet& operator=(QuantizedPhiNet&&) noexcept;

    /// Converts a folded network given the quantization parameters of every activation site
    /// (activationSites(plan) order; Inherit/Sigmoid sites are filled in here).
    static QuantizedPhiNet convert(const FoldedPhiNet& net, std::vector<QParams> siteParams, WeightGranularity weights,
                                   QuantEngine engine);

    /// FP32 NCHW input -> FP32 logits (or features without a head), through int8 kernels.
    torch::Tensor forward(const torch::Tensor& x) const;
    /// Same, calling `probe` with every site's dequantized output.
    torch::Tensor forward(const torch::Tensor& x, const std::function<void(int, const torch::Tensor&)>& probe) const;

    /// Writes int8 weights, scales, biases and activation parameters (atomic).
    void save(const std::filesystem::path& path) const;
    /// Reads a file written by save(); packs for `engine` (default: the one it was saved with).
    static QuantizedPhiNet load(const std::filesystem::path& path, std::optional<QuantEngine> engine = std::nullopt);

    const PhiNetPlan& plan() const;
    const std::vector<std::string>& siteNames() const;
    const std::vector<QParams>& siteParams() const;
    QuantEngine engine() const;
    WeightGranularity weightGranularity() const;
    /// Re-packs the weights for the current thread count and engine (ONEDNN kernels keep the thread
    /// count they were first run with; forward() re-packs by itself when it changes).
    void repack() const;
    /// The fused oneDNN engine forward() runs without a probe (engine OnednnFused), else null.
    const OnednnPhiNet* fused() const;

    struct Impl; ///< opaque: packed weights and activation parameters

private:
    std::unique_ptr<Impl> d;
};

/// Per-site SQNR of the INT8 model against the folded FP32 model on the same inputs.
std::vector<LayerError> compareLayers(const FoldedPhiNet& fp32, const QuantizedPhiNet& int8,
                                      const torch::Tensor& inputs);

} // namespace phinet
