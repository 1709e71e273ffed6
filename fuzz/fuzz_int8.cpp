// INT8 model files (safetensors: int8 weights, int32 biases, float scales and zero points, the config
// and quantization settings in the metadata): QuantizedPhiNet::load, then, for a small enough input,
// one forward pass through the int8 kernels.
#include "FuzzUtil.h"

#include "phinet/model/LayerTable.h"
#include "phinet/quant/QuantizedPhiNet.h"

#include <torch/torch.h>

using namespace phinet;
using namespace phinet::fuzz;

namespace phinet::fuzz {
/// One input of fuzz_int8 (also run by tests/core/tst_fuzzregress.cpp on the saved findings).
inline int int8(const std::uint8_t* data, size_t size)
{
    const auto p = freshDir("int8") / "model.int8";
    writeFile(p, std::string_view(reinterpret_cast<const char*>(data), size));
    return expectCleanError([&] {
        const auto q = QuantizedPhiNet::load(p);
        const auto& cfg = q.plan().config;
        if (q.siteNames().size() != q.siteParams().size()) finding("site names and parameters disagree");
        const auto& in = cfg.input;
        if (std::int64_t(in[0]) * in[1] * in[2] > 3 * 64 * 64) return;
        torch::NoGradGuard ng;
        const auto y = q.forward(torch::zeros({1, in[0], in[1], in[2]}));
        if (y.size(0) != 1) finding("forward: batch of 1 gave " + std::to_string(y.size(0)));
        if (cfg.includeTop && y.sizes() != torch::IntArrayRef({1, cfg.numClasses}))
            finding("forward: logits of the wrong shape");
    });
}
} // namespace phinet::fuzz

#ifndef PHINET_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    init();
    torch::set_num_threads(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size)
{
    return phinet::fuzz::int8(data, size);
}
#endif
