// FP32 checkpoints (safetensors with the config in the metadata): loadCheckpoint on the fuzzed file,
// then, for a small enough input, one forward pass of the loaded network (a tensor of the wrong
// shape that loading let through shows up there as a c10::Error, a finding).
#include "FuzzUtil.h"

#include "phinet/train/Trainer.h"

using namespace phinet;
using namespace phinet::fuzz;

namespace phinet::fuzz {
/// One input of fuzz_checkpoint (also run by tests/core/tst_fuzzregress.cpp on the saved findings).
inline int checkpoint(const std::uint8_t* data, size_t size)
{
    const auto p = freshDir("ckpt") / "model.ckpt";
    writeFile(p, std::string_view(reinterpret_cast<const char*>(data), size));
    return expectCleanError([&] {
        auto ck = loadCheckpoint(p);
        if (!ck.model) finding("loadCheckpoint returned no model");
        const auto& in = ck.model->config().input;
        if (std::int64_t(in[0]) * in[1] * in[2] > 3 * 64 * 64) return;
        torch::NoGradGuard ng;
        ck.model->eval();
        const auto y = ck.model->forward(torch::zeros({1, in[0], in[1], in[2]}));
        if (y.size(0) != 1) finding("forward: batch of 1 gave " + std::to_string(y.size(0)));
        if (ck.model->config().includeTop && y.sizes() != torch::IntArrayRef({1, ck.model->config().numClasses}))
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
    return phinet::fuzz::checkpoint(data, size);
}
#endif
