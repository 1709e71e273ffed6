#include "phinet/model/LayerTable.h"

#include "phinet/common/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace phinet {
namespace {

/// micromind's correct_pad(shape, k=3): (left, right, top, bottom) for ZeroPad2d.
std::array<int, 4> correctPad(int h, int w, int k = 3)
{
    const int adjH = 1 - (h % 2);
    const int adjW = 1 - (w % 2);
    return {k / 2 - adjW, k / 2, k / 2 - adjH, k / 2};
}

int convOut(int size, int padBefore, int padAfter, int k, int stride)
{
    return (size + padBefore + padAfter - k) / stride + 1;
}

/// The widest layer a plan may have. Valid configs stay far below it; the check keeps a config at
/// the edge of every range (beta 16, many downsampling blocks) from overflowing int widths.
constexpr double kMaxChannels = 1 << 18;

int checkedWidth(double w, const char* what)
{
    if (!(w <= kMaxChannels))
        throw ConfigError(std::string("alpha/beta/t0: a layer would have ") + std::to_string(w) + " " + what +
                          " channels, more than the " + std::to_string(int(kMaxChannels)) + " a PhiNet may have here");
    return static_cast<int>(w);
}

/// Width rules per variant (spec a.2, a.6).
struct Widths {
    const PhiNetConfig& c;
    int base(double unscaled) const
    {
        const int w = checkedWidth(unscaled * c.alpha, "output");
        return c.variant == Variant::Modified ? makeDivisible(w, c.divisor) : w;
    }
    int expanded(double t, int cin) const
    {
        const int e = checkedWidth(t * cin, "expanded");
        switch (c.variant) {
        case Variant::Original:
            return e;
        case Variant::Modified:
            return makeDivisible(e, c.divisor);
        case Variant::ModifiedEarly:
            return makeDivisible(e, 8);
        }
        return e;
    }
    int se(double t, int cin, int ce) const
    {
        switch (c.variant) {
        case Variant::Original:
            return std::max(1, static_cast<int>(t * cin / 6));
        case Variant::Modified:
            return makeDivisible(std::max(1, ce / 6), c.divisor);
        case Variant::ModifiedEarly:
            return std::max(1, ce / 6);
        }
        return 1;
    }
};

} // namespace

PhiNetPlan planPhiNet(const PhiNetConfig& cfg)
{
    cfg.ensureValid();
    const Widths w{cfg};
    PhiNetPlan p;
    p.config = cfg;
    const int res = std::max(cfg.input[1], cfg.input[2]);

    p.stem.inChannels = cfg.input[0];
    p.stem.outChannels = w.base(48);
    p.stem.stride = cfg.firstConvStride;
    p.stem.zeroPad = correctPad(res, res);
    p.stem.inH = cfg.input[1];
    p.stem.inW = cfg.input[2];
    p.stem.outH = convOut(p.stem.inH, p.stem.zeroPad[2], p.stem.zeroPad[3], 3, p.stem.stride);
    p.stem.outW = convOut(p.stem.inW, p.stem.zeroPad[0], p.stem.zeroPad[1], 3, p.stem.stride);

    int h = p.stem.outH, wd = p.stem.outW, cin = p.stem.outChannels;
    auto addBlock = [&](int id, int out, int stride, double t, int kernel) {
        BlockPlan b;
        b.id = id;
        b.inChannels = cin;
        b.outChannels = out;
        b.stride = stride;
        b.kernel = kernel;
        b.expansion = t;
        b.hasExpansion = id > 0;
        b.expandedChannels = b.hasExpansion ? w.expanded(t, cin) : cin;
        b.seChannels = (id > 0 && cfg.squeezeExcite) ? w.se(t, cin, b.expandedChannels) : 0;
        b.inH = h;
        b.inW = wd;
        if (stride == 1) {
            b.convPadding = kernel / 2;
            b.outH = convOut(h, b.convPadding, b.convPadding, kernel, 1);
            b.outW = convOut(wd, b.convPadding, b.convPadding, kernel, 1);
        } else {
            // Quirk Q1: ORIGINAL computes the pad from the boolean `residuals` (True -> odd -> 1,1,1,1).
            const int flag = cfg.residuals ? 1 : 0;
            const auto pad = correctPad(flag, flag);
            if (cfg.variant == Variant::Original) {
                b.zeroPad = pad;
                b.convPadding = 0;
                b.outH = convOut(h, pad[2], pad[3], kernel, stride);
                b.outW = convOut(wd, pad[0], pad[1], kernel, stride);
            } else {
                b.convPadding = pad[1]; // elements 1 and 3 of the same tuple, symmetric
                b.outH = convOut(h, pad[3], pad[3], kernel, stride);
                b.outW = convOut(wd, pad[1], pad[1], kernel, stride);
            }
        }
        if (b.outH < 1 || b.outW < 1)
            throw ConfigError("input: " + std::to_string(cfg.input[1]) + "x" + std::to_string(cfg.input[2]) +
                              " is too small for the downsampling blocks (block " + std::to_string(id) +
                              " would have no pixels left)");
        b.residual = cfg.residuals && b.inChannels == b.outChannels && stride == 1;
        p.blocks.push_back(b);
        h = b.outH;
        wd = b.outW;
        cin = out;
    };

    const int n = cfg.numLayers;
    addBlock(0, w.base(24), 1, 1.0, 3);
    addBlock(1, w.base(24), 2, expansionFactor(cfg.t0, cfg.beta, 1, n), 3);
    addBlock(2, w.base(24), 1, expansionFactor(cfg.t0, cfg.beta, 2, n), 3);
    addBlock(3, w.base(48), 2, expansionFactor(cfg.t0, cfg.beta, 3, n), 3);
    double blockFilters = 48;
    for (int id = 4; id <= n; ++id) {
        const bool down =
            std::find(cfg.downsamplingLayers.begin(), cfg.downsamplingLayers.end(), id) != cfg.downsamplingLayers.end();
        if (down) blockFilters *= 2;
        const int kernel = (static_cast<double>(id) / n > 1.0 - cfg.conv5Percent) ? 5 : 3;
        addBlock(id, w.base(blockFilters), down ? 2 : 1, expansionFactor(cfg.t0, cfg.beta, id, n), kernel);
    }
    p.head.present = cfg.includeTop;
    p.head.inChannels = cin;
    p.head.numClasses = cfg.numClasses;
    return p;
}

ModelSummary summarize(const PhiNetConfig& cfg)
{
    ModelSummary s;
    s.plan = planPhiNet(cfg);
    const auto& p = s.plan;

    std::string peakAt;
    std::int64_t peak = 0;
    auto live = [&](const std::string& where, std::int64_t elements, LayerRow& row) {
        row.peakElements = std::max(row.peakElements, elements);
        if (elements > peak) {
            peak = elements;
            peakAt = where;
        }
    };
    auto conv = [&](LayerRow& row, std::int64_t weights, int outC, std::int64_t spatial) {
        row.params += weights;
        row.macs += weights * spatial;
        s.weightElements += weights;
        s.outputChannelsQuantized += outC;
    };
    auto bn = [&](LayerRow& row, int c) {
        row.params += 2 * c;
        row.macs += 2 * c;
        row.bnLayers += 1;
        s.bnChannels += c;
    };

    {
        const auto& st = p.stem;
        LayerRow r;
        r.name = "stem";
        r.kind = "sep-conv 3x3 s" + std::to_string(st.stride);
        r.inChannels = st.inChannels;
        r.outChannels = st.outChannels;
        r.kernel = 3;
        r.stride = st.stride;
        r.inH = st.inH;
        r.inW = st.inW;
        r.outH = st.outH;
        r.outW = st.outW;
        const std::int64_t so = std::int64_t(st.outH) * st.outW;
        conv(r, 9LL * st.inChannels, st.inChannels, so);
        conv(r, std::int64_t(st.inChannels) * st.outChannels, st.outChannels, so);
        bn(r, st.outChannels);
        const std::int64_t in = std::int64_t(st.inChannels) * st.inH * st.inW;
        const std::int64_t dw = std::int64_t(st.inChannels) * so;
        r.outputElements = std::int64_t(st.outChannels) * so;
        live("stem/depthwise", in + dw, r);
        live("stem/pointwise", dw + r.outputElements, r);
        s.rows.push_back(r);
    }
    for (const auto& b : p.blocks) {
        LayerRow r;
        r.name = "block" + std::to_string(b.id);
        r.kind = std::string(b.hasExpansion ? "MBConv" : "DWConv") + " s" + std::to_string(b.stride) +
                 (b.seChannels ? " +SE" : "") + (b.residual ? " +res" : "");
        r.inChannels = b.inChannels;
        r.expandedChannels = b.expandedChannels;
        r.seChannels = b.seChannels;
        r.outChannels = b.outChannels;
        r.kernel = b.kernel;
        r.stride = b.stride;
        r.expansion = b.expansion;
        r.residual = b.residual;
        r.inH = b.inH;
        r.inW = b.inW;
        r.outH = b.outH;
        r.outW = b.outW;
        const std::int64_t si = std::int64_t(b.inH) * b.inW, so = std::int64_t(b.outH) * b.outW;
        const std::int64_t in = b.inChannels * si;
        const std::int64_t saved = b.residual ? in : 0; // kept alive for the final add
        std::int64_t cur = in;
        if (b.hasExpansion) {
            conv(r, std::int64_t(b.inChannels) * b.expandedChannels, b.expandedChannels, si);
            bn(r, b.expandedChannels);
            const std::int64_t e = std::int64_t(b.expandedChannels) * si;
            live(r.name + "/expand", in + e, r);
            cur = e;
        }
        conv(r, std::int64_t(b.kernel) * b.kernel * b.expandedChannels, b.expandedChannels, so);
        bn(r, b.expandedChannels);
        const std::int64_t d = std::int64_t(b.expandedChannels) * so;
        live(r.name + "/depthwise", cur + d + (b.hasExpansion ? saved : 0), r);
        if (b.seChannels) {
            conv(r, std::int64_t(b.expandedChannels) * b.seChannels, b.seChannels, 1);
            conv(r, std::int64_t(b.seChannels) * b.expandedChannels, b.expandedChannels, 1);
            // pooled vector + hidden + gate are tiny; the gating multiply writes a new tensor.
            live(r.name + "/se", d + d + b.expandedChannels + saved, r);
        }
        conv(r, std::int64_t(b.expandedChannels) * b.outChannels, b.outChannels, so);
        bn(r, b.outChannels);
        r.outputElements = std::int64_t(b.outChannels) * so;
        live(r.name + "/project", d + r.outputElements + saved, r);
        s.rows.push_back(r);
    }
    if (p.head.present) {
        LayerRow r;
        r.name = "head";
        r.kind = "avgpool + linear";
        r.inChannels = p.head.inChannels;
        r.outChannels = p.head.numClasses;
        r.inH = p.blocks.back().outH;
        r.inW = p.blocks.back().outW;
        r.outH = r.outW = 1;
        const std::int64_t w = std::int64_t(p.head.inChannels) * p.head.numClasses;
        r.params = w + p.head.numClasses;
        r.macs = r.params;
        s.weightElements += w;
        s.outputChannelsQuantized += p.head.numClasses;
        r.outputElements = p.head.numClasses;
        const std::int64_t x = std::int64_t(r.inChannels) * r.inH * r.inW;
        live("head/pool", x + r.inChannels, r);
        live("head/linear", r.inChannels + r.outputElements, r);
        s.rows.push_back(r);
    }

    for (const auto& r : s.rows) {
        s.params += r.params;
        s.macs += r.macs;
        s.bnLayers += r.bnLayers;
    }
    const std::int64_t biases = s.bnChannels + (p.head.present ? p.head.numClasses : 0);
    s.flashBytesFp32 = 4 * (s.weightElements + biases);
    s.flashBytesInt8 = s.weightElements + 4 * biases + 4 * s.outputChannelsQuantized;
    s.peakRamElements = peak;
    s.peakRamBytesFp32 = 4 * peak;
    s.peakRamBytesInt8 = peak;
    s.peakRamAt = peakAt;
    return s;
}

std::string withThousands(std::int64_t v)
{
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    int count = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (count && count % 3 == 0) out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
        ++count;
    }
    return v < 0 ? "-" + out : out;
}

std::string humanBytes(std::int64_t bytes)
{
    char buf[64];
    if (bytes < 1024)
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    else if (bytes < 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
    else
        std::snprintf(buf, sizeof buf, "%.3f MiB", bytes / (1024.0 * 1024.0));
    return buf;
}

std::string formatLayerTable(const ModelSummary& s)
{
    std::ostringstream o;
    char line[256];
    const auto& c = s.plan.config;
    std::snprintf(line, sizeof line,
                  "PhiNet %s  input %dx%dx%d  alpha %g  beta %g  t0 %g  layers %d  classes %d  divisor %d\n",
                  toString(c.variant).c_str(), c.input[0], c.input[1], c.input[2], c.alpha, c.beta, c.t0, c.numLayers,
                  c.numClasses, c.divisor);
    o << line;
    std::snprintf(line, sizeof line, "%-8s %-20s %5s %6s %5s %5s %2s %2s %7s %-11s %12s %15s\n", "layer", "kind", "in",
                  "exp", "se", "out", "k", "s", "t", "spatial", "params", "MACs");
    o << line;
    for (const auto& r : s.rows) {
        char spatial[32], t[16] = "-";
        std::snprintf(spatial, sizeof spatial, "%dx%d->%dx%d", r.inH, r.inW, r.outH, r.outW);
        if (r.expansion > 0) std::snprintf(t, sizeof t, "%.4f", r.expansion);
        std::snprintf(line, sizeof line, "%-8s %-20s %5d %6s %5s %5d %2s %2d %7s %-11s %12s %15s\n", r.name.c_str(),
                      r.kind.c_str(), r.inChannels,
                      r.expandedChannels ? std::to_string(r.expandedChannels).c_str() : "-",
                      r.seChannels ? std::to_string(r.seChannels).c_str() : "-", r.outChannels,
                      r.kernel ? std::to_string(r.kernel).c_str() : "-", r.stride, t, spatial,
                      withThousands(r.params).c_str(), withThousands(r.macs).c_str());
        o << line;
    }
    o << "total params " << withThousands(s.params) << ", MACs " << withThousands(s.macs) << ", BN layers "
      << s.bnLayers << "\n";
    o << "flash (BN folded): FP32 " << humanBytes(s.flashBytesFp32) << ", INT8 " << humanBytes(s.flashBytesInt8)
      << "\n";
    o << "peak activation RAM (batch 1): FP32 " << humanBytes(s.peakRamBytesFp32) << ", INT8 "
      << humanBytes(s.peakRamBytesInt8) << " at " << s.peakRamAt << "\n";
    return o.str();
}

} // namespace phinet
