#pragma once
/// The fused INT8 engine: a converted PhiNet run as a short list of oneDNN primitives (int8
/// convolutions with their activation, residual add and requantization fused as post-ops), built
/// from the same walker, sites and int8 weights as QuantizedPhiNet (the LibTorch-kernel reference).
/// It keeps the reference's arithmetic: every site the INT8 file names is still rounded and clamped
/// to its uint8 grid (inside the post-op chain, not in memory), so both engines compute the same
/// model. Includes Torch; dnnl.hpp stays in the .cpp.

#include "phinet/quant/Folding.h"
#include "phinet/quant/Observer.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace phinet {

/// One int8 layer as the fused engine takes it (a convolution, or the classifier as a 1x1 one).
struct Int8Layer {
    torch::Tensor weight;      ///< int8 (kChar), [out, in/groups, k, k] or [out, in] for the classifier
    torch::Tensor weightScale; ///< float64 [out], symmetric (zero point 0)
    torch::Tensor biasInt32;   ///< int32 [out] on the input x weight scale grid, or undefined
    int stride = 1, padding = 0, groups = 1;
};

/// One step of the fused graph and where one forward pass spent its time.
struct FusedStepTime {
    std::string name; ///< e.g. "block3.expand+act", "block3.se_mul", "block3.project+add"
    std::string impl; ///< oneDNN's implementation name (e.g. "brg:avx512_core_vnni")
    std::int64_t macs = 0;
    double ms = 0; ///< median over the profiled runs
};

class OnednnPhiNet {
public:
    /// `layer(slot, block)` gives every convolution of the plan; `classifier` the head (ignored
    /// without one). `siteParams` in activationSites(plan) order, Inherit/Sigmoid sites resolved.
    OnednnPhiNet(const PhiNetPlan& plan, std::vector<QParams> siteParams,
                 const std::function<Int8Layer(ConvSlot, int)>& layer, const Int8Layer& classifier);
    ~OnednnPhiNet();
    OnednnPhiNet(const OnednnPhiNet&) = delete;
    OnednnPhiNet& operator=(const OnednnPhiNet&) = delete;

    /// True when this build has oneDNN (libdnnl-dev) and the fused engine can run.
    static bool available();

    /// FP32 NCHW input -> FP32 logits (or dequantized features without a head). Primitives and
    /// buffers are built on the first call for each (batch, thread count) and reused afterwards.
    /// Calls from several threads are serialised.
    torch::Tensor forward(const torch::Tensor& x) const;
    /// Same, calling `probe(site, dequantized NCHW tensor)` for every site the fused graph holds in
    /// memory (fused-away sites, e.g. a convolution's output before its activation, are skipped).
    torch::Tensor forward(const torch::Tensor& x, const std::function<void(int, const torch::Tensor&)>& probe) const;

    /// One step of the fused graph: which sites it reads and which site it writes.
    struct Step {
        std::string name;
        std::vector<int> inputSites;
        int outputSite = -1;
    };
    /// The steps for a batch of `batch` at the current thread count.
    std::vector<Step> steps(int batch) const;
    /// Runs one step alone (for tests): `inputs` are the dequantized NCHW tensors of its input sites
    /// (on their grids); returns its output site's dequantized NCHW tensor.
    torch::Tensor runStep(int batch, int step, const std::vector<torch::Tensor>& inputs) const;
    /// Per-step median time over `runs` forward passes on `x`, in execution order.
    std::vector<FusedStepTime> profile(const torch::Tensor& x, int runs) const;

    struct Impl; ///< opaque: the recorded graph and, per batch and thread count, the primitives

private:
    std::unique_ptr<Impl> d;
};

} // namespace phinet
