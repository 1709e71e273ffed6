#pragma once
// The small PhiNet the core tests train and quantize: 1x28x28, alpha 0.5, beta 0.75, t0 4, 4 blocks
// (~22k params in the modified variant), BatchNorm momentum 0.1 (evaluation on a small test set is
// steadier with averaged statistics).

#include "phinet/model/PhiNetConfig.h"

namespace phinet::testing {

inline PhiNetConfig smallModel(Variant v = Variant::Modified)
{
    PhiNetConfig c;
    c.input = {1, 28, 28};
    c.alpha = 0.5;
    c.beta = 0.75;
    c.t0 = 4;
    c.numLayers = 4;
    c.variant = v;
    c.divisor = v == Variant::Modified ? 8 : 1;
    c.downsamplingLayers = {};
    c.bnMomentum = 0.1;
    return c;
}

} // namespace phinet::testing
