#include "CliCommon.h"

#include "phinet/common/Error.h"

#include <map>
#include <sstream>

namespace phinet::cli {

void ModelArgs::add(CLI::App* app)
{
    app->add_option("--input", input, "input shape C,H,W (e.g. 1,28,28 or 3,32,32)")->capture_default_str();
    app->add_option("--alpha", alpha, "width multiplier")->capture_default_str();
    app->add_option("--beta", beta, "shape factor (last/first block expansion)")->capture_default_str();
    app->add_option("--t0", t0, "base expansion factor")->capture_default_str();
    app->add_option("--layers", layers, "number of expanding blocks N")->capture_default_str();
    app->add_option("--classes", classes, "number of classes")->capture_default_str();
    app->add_option("--variant", variant, "original | modified | modified-early")->capture_default_str();
    app->add_option("--divisor", divisor, "channel divisor of the modified variant (default 8)");
    app->add_option("--downsampling", downsampling,
                    "block ids (>= 4) with stride 2, e.g. 5,7 (default: 5,7 where they exist)");
    app->add_option("--bn-momentum", bnMomentum, "BatchNorm momentum, PyTorch meaning (PhiNet: 0.999)")
        ->capture_default_str();
}

std::array<int, 3> parseShape(const std::string& text, const std::string& option)
{
    std::array<int, 3> out{};
    std::stringstream ss(text);
    std::string part;
    int i = 0;
    while (std::getline(ss, part, ',')) {
        if (i >= 3) break;
        try {
            size_t used = 0;
            out[i] = std::stoi(part, &used);
            if (used != part.size()) throw std::invalid_argument(part);
        } catch (const std::exception&) {
            throw UsageError(option + ": expected C,H,W integers, got \"" + text + "\"");
        }
        ++i;
    }
    if (i != 3 || ss.rdbuf()->in_avail() > 0)
        throw UsageError(option + ": expected C,H,W (three integers), got \"" + text + "\"");
    return out;
}

PhiNetConfig ModelArgs::toConfig() const
{
    PhiNetConfig c;
    c.input = parseShape(input, "--input");
    c.alpha = alpha;
    c.beta = beta;
    c.t0 = t0;
    c.numLayers = layers;
    c.numClasses = classes;
    auto v = variantFromString(variant);
    if (!v) throw UsageError("--variant: expected original, modified or modified-early, got \"" + variant + "\"");
    c.variant = *v;
    c.divisor = divisor > 0 ? divisor : (c.variant == Variant::Modified ? 8 : 1);
    c.bnMomentum = bnMomentum;
    if (downsampling.empty()) {
        c.downsamplingLayers = PhiNetConfig::defaultDownsampling(layers);
    } else {
        c.downsamplingLayers.clear();
        std::stringstream ss(downsampling);
        std::string part;
        while (std::getline(ss, part, ',')) {
            try {
                c.downsamplingLayers.push_back(std::stoi(part));
            } catch (const std::exception&) {
                throw UsageError("--downsampling: expected block ids like 5,7, got \"" + downsampling + "\"");
            }
        }
    }
    static const std::map<std::string, std::string> flagOf{{"input", "--input"},
                                                           {"alpha", "--alpha"},
                                                           {"beta", "--beta"},
                                                           {"t0", "--t0"},
                                                           {"num_layers", "--layers"},
                                                           {"num_classes", "--classes"},
                                                           {"divisor", "--divisor"},
                                                           {"downsampling_layers", "--downsampling"},
                                                           {"bn_momentum", "--bn-momentum"}};
    if (auto problems = c.validate(); !problems.empty()) {
        const auto& p = problems.front();
        const auto it = flagOf.find(p.field);
        throw UsageError(it != flagOf.end() ? it->second + ": " + p.message : p.text());
    }
    return c;
}

} // namespace phinet::cli
