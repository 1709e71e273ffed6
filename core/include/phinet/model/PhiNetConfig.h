#pragma once
/// PhiNet configuration: every constructor parameter of micromind's PhiNet that the original study
/// uses, plus the variant and channel divisor. Torch-free: the GUI includes this header.

#include "phinet/common/Error.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace phinet {

/// Which PhiNet is built. See ../shared/PHINET_SPEC.md a.6.
enum class Variant {
    Original,     ///< micromind 0.0.5: int() truncation, explicit ZeroPad2d before stride-2 depthwise convs
    Modified,     ///< the study's quantization-friendly PhiNet: every width through make_divisible(., divisor),
                  ///< padding folded into the depthwise conv, SE width from the rounded expanded width
    ModifiedEarly ///< the study's first modified network (used for its sweep plots): only expanded widths
                  ///< rounded to multiples of 8, SE width max(1, int(C_e/6)), padding folded
};

std::string toString(Variant v);
/// Parses "original", "modified" or "modified-early" (case-insensitive); nullopt otherwise.
std::optional<Variant> variantFromString(const std::string& s);

struct PhiNetConfig {
    /// Input tensor shape C, H, W. PhiNet assumes square inputs (res = max(H, W)).
    std::array<int, 3> input{1, 28, 28};
    double alpha = 0.2;  ///< width multiplier (> 0)
    double beta = 1.0;   ///< shape factor: last block expands by t0*beta, first by ~t0 (> 0)
    double t0 = 6.0;     ///< base expansion factor (> 0)
    int numLayers = 7;   ///< expanding blocks N (blocks 1..3 are always built)
    int numClasses = 10; ///< classifier outputs (>= 2)
    Variant variant = Variant::Original;
    int divisor = 1;                           ///< channel divisor for Variant::Modified (the study used 8)
    std::vector<int> downsamplingLayers{5, 7}; ///< block ids >= 4 with stride 2 and doubled width
    double conv5Percent = 0.0;                 ///< fraction of the last blocks using 5x5 depthwise kernels
    int firstConvStride = 2;
    bool residuals = true;
    bool hSwish = true; ///< hard-swish; ReLU6 when false
    bool squeezeExcite = true;
    bool includeTop = true; ///< global pool + Linear head
    double dropout = 0.05;  ///< Dropout2d rate inside every block
    /// BatchNorm momentum in PyTorch's meaning (new = (1-m)*old + m*batch). PhiNet's 0.999 is a Keras
    /// leftover that makes running statistics follow the last training batch; kept by default for the
    /// ORIGINAL reproduction. 0.1 is PyTorch's usual value.
    double bnMomentum = 0.999;
    double bnEps = 1e-3;

    /// The study's MNIST/CIFAR model: alpha 3, beta 0.75, t0 6, 7 blocks, 10 classes.
    static PhiNetConfig study(Variant v, std::array<int, 3> input);

    /// Every problem with this configuration, one sentence each naming the field; empty when valid.
    /// Every problem, each with its JSON key ("alpha", "input", ...).
    Problems validate() const;
    /// Throws ConfigError with all messages of validate() when the config is invalid.
    void ensureValid() const;

    /// micromind's default downsampling ids {5, 7} restricted to the blocks that exist (<= numLayers).
    static std::vector<int> defaultDownsampling(int numLayers);

    bool operator==(const PhiNetConfig& o) const;
    bool operator!=(const PhiNetConfig& o) const { return !(*this == o); }
};

/// MobileNet/TF rounding used by the MODIFIED variant: max(d, int(v + d/2) // d * d), +d if that
/// lost more than 10%.
int makeDivisible(double v, int divisor);

/// Expansion factor of block i of N: (t0*beta)*i/N + t0*(N-i)/N, evaluated as Python does.
double expansionFactor(double t0, double beta, int blockId, int numLayers);

} // namespace phinet
