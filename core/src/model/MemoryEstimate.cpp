#include "phinet/model/MemoryEstimate.h"

#include "phinet/common/Error.h"
#include "phinet/common/Limits.h"

#include <algorithm>

namespace phinet {

MemoryEstimate estimateMemory(const ModelSummary& s, std::int64_t batch, MemoryUse use)
{
    MemoryEstimate e;
    // Sizes stay far below 2^63: params <= ~2^40 for the largest valid config, batch <= 2^16.
    e.weights = s.params * 4;
    if (use == MemoryUse::Weights) return e;
    if (use == MemoryUse::Quantize) {
        // folded copy (1x), int8 weights and their packed copies (~0.5x), conversion temporaries (1x)
        e.optimizer = s.params * 10;
        e.activations = batch * 4 * 2 * s.peakRamElements;
        return e;
    }
    if (use == MemoryUse::Training) {
        e.optimizer = s.params * 12;
        std::int64_t saved = 0;
        for (const auto& r : s.rows)
            saved += 6 * std::max(r.peakElements, r.outputElements);
        e.activations = batch * 4 * saved;
    } else {
        e.activations = batch * 4 * 2 * s.peakRamElements;
    }
    return e;
}

void ensureMemoryFits(const MemoryEstimate& e, const ModelSummary& s, std::int64_t batch, const std::string& what)
{
    if (s.params > kMaxParams)
        throw ConfigError(what + ": the network would have " + withThousands(s.params) + " parameters, more than the " +
                          withThousands(kMaxParams) +
                          " this workbench takes (lower alpha, beta, t0 or the number of blocks)");
    const std::int64_t available = availableMemoryBytes();
    if (available <= 0) return;
    const std::int64_t margin = 256LL << 20;
    if (e.total() + margin <= available) return;
    const auto& in = s.plan.config.input;
    std::string msg = what + " needs about " + humanBytes(e.total()) + " of memory (weights " + humanBytes(e.weights);
    if (e.optimizer) msg += ", gradients and optimizer state " + humanBytes(e.optimizer);
    if (e.activations)
        msg += ", activations for batch " + std::to_string(batch) + " at " + std::to_string(in[0]) + "x" +
               std::to_string(in[1]) + "x" + std::to_string(in[2]) + " " + humanBytes(e.activations);
    msg += "); this machine has " + humanBytes(available) + " available. Lower ";
    msg += e.activations > e.weights + e.optimizer ? "the batch size or the input size"
                                                   : "alpha, the number of blocks or the input size";
    throw ConfigError(msg);
}

void ensureMemoryFits(const PhiNetConfig& cfg, std::int64_t batch, MemoryUse use, const std::string& what)
{
    const auto s = summarize(cfg);
    ensureMemoryFits(estimateMemory(s, batch, use), s, batch, what);
}

} // namespace phinet
