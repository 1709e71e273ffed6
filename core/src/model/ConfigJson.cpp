#include "phinet/model/ConfigJson.h"

#include "phinet/common/Error.h"
#include "phinet/common/JsonRead.h"

namespace phinet {
using nlohmann::json;

json toJson(const PhiNetConfig& c)
{
    return json{{"input", {c.input[0], c.input[1], c.input[2]}},
                {"alpha", c.alpha},
                {"beta", c.beta},
                {"t0", c.t0},
                {"num_layers", c.numLayers},
                {"num_classes", c.numClasses},
                {"variant", toString(c.variant)},
                {"divisor", c.divisor},
                {"downsampling_layers", c.downsamplingLayers},
                {"conv5_percent", c.conv5Percent},
                {"first_conv_stride", c.firstConvStride},
                {"residuals", c.residuals},
                {"h_swish", c.hSwish},
                {"squeeze_excite", c.squeezeExcite},
                {"include_top", c.includeTop},
                {"dropout", c.dropout},
                {"bn_momentum", c.bnMomentum},
                {"bn_eps", c.bnEps}};
}

PhiNetConfig phinetConfigFromJson(const json& j, const std::string& ctx)
{
    if (!j.is_object()) throw ConfigError(ctx + ": expected an object");
    PhiNetConfig c;
    if (j.contains("input")) {
        const auto& in = j.at("input");
        if (!in.is_array() || in.size() != 3 || !in[0].is_number_integer() || !in[1].is_number_integer() ||
            !in[2].is_number_integer())
            throw ConfigError(ctx + ".input: expected [C, H, W] integers, got " + in.dump());
        c.input = {in[0].get<int>(), in[1].get<int>(), in[2].get<int>()};
    }
    readField(j, "alpha", c.alpha, ctx, "a number");
    readField(j, "beta", c.beta, ctx, "a number");
    readField(j, "t0", c.t0, ctx, "a number");
    readField(j, "num_layers", c.numLayers, ctx, "an integer");
    readField(j, "num_classes", c.numClasses, ctx, "an integer");
    if (j.contains("variant")) {
        std::string v;
        readField(j, "variant", v, ctx, "a string");
        auto parsed = variantFromString(v);
        if (!parsed)
            throw ConfigError(ctx + ".variant: expected original, modified or modified-early, got \"" + v + "\"");
        c.variant = *parsed;
        if (!j.contains("divisor")) c.divisor = c.variant == Variant::Modified ? 8 : 1;
    }
    readField(j, "divisor", c.divisor, ctx, "an integer");
    if (j.contains("downsampling_layers"))
        readField(j, "downsampling_layers", c.downsamplingLayers, ctx, "a list of block ids");
    else
        c.downsamplingLayers = PhiNetConfig::defaultDownsampling(c.numLayers);
    readField(j, "conv5_percent", c.conv5Percent, ctx, "a number");
    readField(j, "first_conv_stride", c.firstConvStride, ctx, "an integer");
    readField(j, "residuals", c.residuals, ctx, "true or false");
    readField(j, "h_swish", c.hSwish, ctx, "true or false");
    readField(j, "squeeze_excite", c.squeezeExcite, ctx, "true or false");
    readField(j, "include_top", c.includeTop, ctx, "true or false");
    readField(j, "dropout", c.dropout, ctx, "a number");
    readField(j, "bn_momentum", c.bnMomentum, ctx, "a number");
    readField(j, "bn_eps", c.bnEps, ctx, "a number");
    if (auto problems = c.validate(); !problems.empty()) throw ConfigError(prefixed(ctx + ".", problems));
    return c;
}

json toJson(const ModelSummary& s)
{
    json rows = json::array();
    for (const auto& r : s.rows) {
        rows.push_back({{"name", r.name},
                        {"kind", r.kind},
                        {"in_channels", r.inChannels},
                        {"expanded_channels", r.expandedChannels},
                        {"se_channels", r.seChannels},
                        {"out_channels", r.outChannels},
                        {"kernel", r.kernel},
                        {"stride", r.stride},
                        {"expansion", r.expansion},
                        {"residual", r.residual},
                        {"in_size", {r.inH, r.inW}},
                        {"out_size", {r.outH, r.outW}},
                        {"params", r.params},
                        {"macs", r.macs},
                        {"activation_bytes_fp32", 4 * r.outputElements},
                        {"activation_bytes_int8", r.outputElements},
                        {"peak_ram_bytes_fp32", 4 * r.peakElements}});
    }
    return json{{"config", toJson(s.plan.config)},
                {"params", s.params},
                {"macs", s.macs},
                {"bn_layers", s.bnLayers},
                {"layers", rows},
                {"flash_bytes_fp32", s.flashBytesFp32},
                {"flash_bytes_int8", s.flashBytesInt8},
                {"peak_ram_bytes_fp32", s.peakRamBytesFp32},
                {"peak_ram_bytes_int8", s.peakRamBytesInt8},
                {"peak_ram_at", s.peakRamAt}};
}

} // namespace phinet
