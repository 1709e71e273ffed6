// FP32 inference latency at 1 and 2 threads, with and without the direct oneDNN path for 1x1
// convolutions (pointwiseConv2d; prints figures, never pass/fail).
//
// LibTorch 1.13 runs a 1x1, stride-1 convolution of fewer than 16 images on its native im2col/GEMM
// path whenever one thread is in effect (ConvParams::use_mkldnn), and PhiNet is mostly 1x1
// convolutions. Each case is measured as an interleaved comparison (compareForwards: rounds of
// fresh model instances, A B A B, medians with bootstrap 95% intervals), "direct" against "native"
// at the same thread count; the 1-thread / 2-thread ratio is of medians from the same run.
//
//   phinet-bench-fp32-threads [--quick]
#include "phinet/bench/Latency.h"
#include "phinet/bench/ModelBench.h"
#include "phinet/common/Threads.h"
#include "phinet/model/PhiNet.h"
#include "phinet/train/Trainer.h"

#include <cstdio>
#include <cstring>

using namespace phinet;

namespace {

LatencyComparison measure(PhiNet& model, int threads, bool quick)
{
    const auto base = forwardFromModel(model, 1);
    const auto with = [&](bool direct) -> ForwardFactory {
        return [base, direct] {
            auto run = base();
            return std::function<void()>([run, direct] {
                setDirectOnednnPointwise(direct);
                run();
            });
        };
    };
    ComparisonProtocol p;
    p.rounds = quick ? 3 : 8;
    p.runsPerRound = quick ? 5 : 15;
    p.warmup = 3;
    p.threads = threads;
    auto c = compareForwards({"direct", "native"}, {with(true), with(false)}, p);
    setDirectOnednnPointwise(true);
    return c;
}

} // namespace

int main(int argc, char** argv)
{
    const bool quick = argc > 1 && !std::strcmp(argv[1], "--quick");
    torch::NoGradGuard ng;
    std::printf("machine: %s, %d hardware threads; LibTorch %s; FP32, batch 1, eval mode, channels-last\n",
                cpuModel().c_str(), hardwareThreads(), TORCH_VERSION);
    std::printf("%-28s %3s | %22s | %22s | %18s\n", "model", "thr", "direct oneDNN 1x1 (ms)", "LibTorch's choice (ms)",
                "native / direct");
    for (const auto& [name, cfg] :
         {std::pair{"MODIFIED 3x224x224 (study)", PhiNetConfig::study(Variant::Modified, {3, 224, 224})},
          std::pair{"MODIFIED 1x28x28 (study)", PhiNetConfig::study(Variant::Modified, {1, 28, 28})}}) {
        torch::manual_seed(0);
        PhiNet model(cfg);
        model->eval();
        setChannelsLast(model, true);
        double direct[3] = {0, 0, 0};
        for (int threads : {1, 2}) {
            const auto c = measure(model, threads, quick);
            const auto* d = c.find("direct");
            const auto* n = c.find("native");
            const auto& r = c.ratios.front(); // native / direct
            direct[threads] = d->median;
            std::printf("%-28s %3d | %7.2f [%6.2f, %6.2f] | %7.2f [%6.2f, %6.2f] | %5.2fx [%4.2f, %4.2f]\n", name,
                        threads, d->median, d->intervalLow, d->intervalHigh, n->median, n->intervalLow, n->intervalHigh,
                        r.ratio, r.intervalLow, r.intervalHigh);
            for (const auto& w : c.warnings)
                std::printf("    warning: %s\n", w.c_str());
            std::fflush(stdout);
        }
        std::printf("%-28s     1 thread / 2 threads (direct): %.2fx\n", name, direct[1] / direct[2]);
    }
    return 0;
}
