#include "phinet/model/PhiNetConfig.h"

#include "phinet/common/Limits.h"

#include "phinet/common/Error.h"
#include "phinet/common/JsonRead.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace phinet {

std::string toString(Variant v)
{
    switch (v) {
    case Variant::Original:
        return "original";
    case Variant::Modified:
        return "modified";
    case Variant::ModifiedEarly:
        return "modified-early";
    }
    return "original";
}

std::optional<Variant> variantFromString(const std::string& s)
{
    const std::string l = normalisedName(s);
    if (l == "original") return Variant::Original;
    if (l == "modified" || l == "optimized") return Variant::Modified;
    if (l == "modified-early") return Variant::ModifiedEarly;
    return std::nullopt;
}

int makeDivisible(double v, int divisor)
{
    // Python: max(min_value, int(v + divisor / 2) // divisor * divisor); += divisor if < 0.9 v.
    const int truncated = static_cast<int>(v + divisor / 2.0);
    int r = std::max(divisor, truncated / divisor * divisor);
    if (r < 0.9 * v) r += divisor;
    return r;
}

double expansionFactor(double t0, double beta, int blockId, int numLayers)
{
    return ((t0 * beta) * blockId) / numLayers + (t0 * (numLayers - blockId)) / numLayers;
}

PhiNetConfig PhiNetConfig::study(Variant v, std::array<int, 3> input)
{
    PhiNetConfig c;
    c.input = input;
    c.alpha = 3.0;
    c.beta = 0.75;
    c.t0 = 6.0;
    c.numLayers = 7;
    c.numClasses = 10;
    c.variant = v;
    c.divisor = v == Variant::Modified ? 8 : 1;
    return c;
}

std::vector<int> PhiNetConfig::defaultDownsampling(int numLayers)
{
    std::vector<int> ids;
    for (int id : {5, 7})
        if (id <= numLayers) ids.push_back(id);
    return ids;
}

Problems PhiNetConfig::validate() const
{
    Problems e;
    auto fmt = [](double v) {
        std::ostringstream o;
        o << v;
        return o.str();
    };
    // Ranges: wide enough for every PhiNet of the papers (alpha 0.2..5, 3x224x224 and larger inputs),
    // narrow enough that a typo (alpha 400 for 4.0) is refused instead of asking for tens of GB.
    const auto inputRange = [&](const char* what, int v, int lo, int hi) {
        Problems p;
        checkRange(p, "input", v, lo, hi);
        for (auto& x : p)
            e.push_back({"input", std::string(what) + ": " + x.message});
    };
    inputRange("channels", input[0], 1, 64);
    inputRange("height", input[1], 8, 2048);
    inputRange("width", input[2], 8, 2048);
    checkRangeOpenLow(e, "alpha", alpha, 0.0, 16.0);
    checkRangeOpenLow(e, "beta", beta, 0.0, 16.0);
    checkRangeOpenLow(e, "t0", t0, 0.0, 32.0);
    checkRange(e, "num_layers", numLayers, 1, 64);
    checkRange(e, "num_classes", numClasses, 2, 100000);
    checkRange(e, "divisor", divisor, 1, 256);
    if (variant == Variant::Original && divisor != 1)
        e.push_back(
            {"divisor", "the original variant has no divisor (must be 1, got " + std::to_string(divisor) + ")"});
    for (int id : downsamplingLayers) {
        if (id < 4 || id > numLayers)
            e.push_back({"downsampling_layers", "block id " + std::to_string(id) +
                                                    " must be between 4 and num_layers (" + std::to_string(numLayers) +
                                                    ")"});
    }
    checkRange(e, "conv5_percent", conv5Percent, 0.0, 1.0);
    if (firstConvStride < 1 || firstConvStride > 4)
        e.push_back({"first_conv_stride", "must be 1..4 (got " + std::to_string(firstConvStride) + ")"});
    checkRange(e, "dropout", dropout, 0.0, 1.0, Bounds::OpenHigh);
    checkRange(e, "bn_momentum", bnMomentum, 0.0, 1.0, Bounds::OpenLow);
    checkRangeOpenLow(e, "bn_eps", bnEps, 0.0, 1.0);
    if (downsamplingLayers.size() > 64) e.push_back({"downsampling_layers", "at most 64 block ids"});
    if (e.empty()) {
        // Widths that truncate to zero make an unbuildable network (e.g. alpha 0.01).
        if (static_cast<int>(24 * alpha) < 1)
            e.push_back({"alpha", "too small, int(24 * alpha) is 0 channels (got " + fmt(alpha) +
                                      ", need >= " + fmt(1.0 / 24) + ")"});
    }
    return e;
}

void PhiNetConfig::ensureValid() const
{
    auto errors = validate();
    if (!errors.empty()) throw ConfigError(errors);
}

bool PhiNetConfig::operator==(const PhiNetConfig& o) const
{
    return input == o.input && alpha == o.alpha && beta == o.beta && t0 == o.t0 && numLayers == o.numLayers &&
           numClasses == o.numClasses && variant == o.variant && divisor == o.divisor &&
           downsamplingLayers == o.downsamplingLayers && conv5Percent == o.conv5Percent &&
           firstConvStride == o.firstConvStride && residuals == o.residuals && hSwish == o.hSwish &&
           squeezeExcite == o.squeezeExcite && includeTop == o.includeTop && dropout == o.dropout &&
           bnMomentum == o.bnMomentum && bnEps == o.bnEps;
}

} // namespace phinet
