// Training and FP32 inference throughput of the core (prints figures; never pass/fail).
//
// For the study's MODIFIED MNIST model (alpha 3, beta 0.75, t0 6, 7 blocks, 1x28x28) and a small one
// (alpha 0.5, 4 blocks), at 1 and 2 threads: training images/s at batch 128 (Adam, the Trainer's own
// loop: data loading and normalisation included), evaluation images/s at batch 256, and FP32 latency
// at batch 1. When Debian's python3-torch is installed, PyTorch eager runs the same model in the same
// run, interleaved (C++, Python, C++, Python), and the ratios compare medians.
//
//   phinet-bench-train [--quick] [--no-reference] [--data-dir DIR]
#include "BenchCommon.h"
#include "phinet/bench/Latency.h"
#include "phinet/common/Log.h"
#include "phinet/common/Threads.h"
#include "phinet/train/Trainer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

struct ModelCase {
    const char* name;
    PhiNetConfig config;
};

double cppTrainImagesPerSecond(const PhiNetConfig& cfg, const DataSplits& data, int threads, int batches)
{
    TrainRequest req;
    req.config.epochs = 1;
    req.config.batchSize = 128;
    req.config.threads = threads;
    req.config.evaluateEachEpoch = false;
    DataSplits d = data;
    auto limit = [&](int64_t n) {
        auto ds = std::make_shared<ImageDataset>(*data.train);
        ds->images = ds->images.slice(0, 0, n);
        ds->labels = ds->labels.slice(0, 0, n);
        return ds;
    };
    d.test = limit(256);
    d.train = limit(128 * 3);
    torch::manual_seed(1);
    PhiNet warm(cfg); // warm-up: oneDNN primitive creation, allocator
    train(warm, d, req);
    d.train = limit(int64_t(128) * batches);
    torch::manual_seed(1);
    PhiNet model(cfg);
    return train(model, d, req).imagesPerSecond;
}

} // namespace

int main(int argc, char** argv)
{
    bool quick = false, reference = true;
    std::string dataDir;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick"))
            quick = true;
        else if (!std::strcmp(argv[i], "--no-reference"))
            reference = false;
        else if (!std::strcmp(argv[i], "--data-dir") && i + 1 < argc)
            dataDir = argv[++i];
        else {
            std::fprintf(stderr, "usage: phinet-bench-train [--quick] [--no-reference] [--data-dir DIR]\n");
            return 2;
        }
    }
    if (dataDir.empty() && fs::exists(fs::path(PHINET_SOURCE_DIR) / ".." / "shared" / "data" / "mnist"))
        dataDir = (fs::path(PHINET_SOURCE_DIR) / ".." / "shared" / "data" / "mnist").string();
    DataConfig dc;
    dc.dataDir = dataDir;
    const auto data = loadData(dc);
    if (reference && !bench::havePythonTorch()) {
        std::printf(
            "note: python3-torch is not installed: no PyTorch reference in this run (apt-get install python3-torch)\n");
        reference = false;
    }
    const std::string pyData = " --data-dir " + (dataDir.empty() ? resolveDataDir(dc).string() : dataDir);

    PhiNetConfig small = PhiNetConfig::study(Variant::Modified, {1, 28, 28});
    small.alpha = 0.5;
    small.numLayers = 4;
    small.downsamplingLayers = {};
    std::vector<ModelCase> cases{{"study MODIFIED a3 b0.75 t6 N7", PhiNetConfig::study(Variant::Modified, {1, 28, 28})},
                                 {"small MODIFIED a0.5 N4", small}};
    const int batches = quick ? 8 : 20;
    const int rounds = quick ? 1 : 2;
    std::printf(
        "machine: %s, %d hardware threads; LibTorch %s; FP32 convolutions on oneDNN, GEMM on OpenBLAS (pthread)\n",
        cpuModel().c_str(), hardwareThreads(), TORCH_VERSION);
    std::printf("protocol: train = Adam lr 1e-3, batch 128, %d timed batches after a warm-up run, channels-last, data "
                "loading included; eval = batch 256 over 2,560 test images; latency = batch 1, 10 warm-up, 100 runs; "
                "allocator pinned (mallopt); %d interleaved round(s); medians\n\n",
                batches, rounds);
    std::printf("%-32s %3s | %12s %12s %7s | %12s %12s %7s | %9s %9s %9s %9s\n", "model", "thr", "train C++",
                "train PyT", "ratio", "eval C++", "eval PyT", "ratio", "lat C++", "p90", "lat PyT", "ratio");
    std::printf("%-32s %3s | %12s %12s %7s | %12s %12s %7s | %9s %9s %9s %9s\n", "", "", "img/s", "img/s", "", "img/s",
                "img/s", "", "ms", "ms", "ms", "");
    for (const auto& mc : cases) {
        for (int threads : {1, 2}) {
            std::vector<double> cTrain, pTrain, cEval, pEval, cLat, pLat, cP90;
            const std::string pyModel = " --alpha " + std::to_string(mc.config.alpha) + " --layers " +
                                        std::to_string(mc.config.numLayers) + " --threads " + std::to_string(threads);
            for (int r = 0; r < rounds; ++r) {
                cTrain.push_back(cppTrainImagesPerSecond(mc.config, data, threads, batches));
                setComputeThreads(threads);
                torch::manual_seed(1);
                PhiNet model(mc.config);
                setChannelsLast(model, true);
                auto testSlice = std::make_shared<ImageDataset>(*data.test);
                testSlice->images = testSlice->images.slice(0, 0, 2560);
                testSlice->labels = testSlice->labels.slice(0, 0, 2560);
                evaluate(model, testSlice, data.config, 256); // warm-up
                cEval.push_back(evaluate(model, testSlice, data.config, 256).imagesPerSecond);
                model->eval();
                auto x = torch::randn({1, 1, 28, 28}).contiguous(at::MemoryFormat::ChannelsLast);
                LatencyProtocol lp;
                lp.threads = threads;
                auto lat = measureLatency(
                    [&] {
                        torch::NoGradGuard ng;
                        model->forward(x);
                    },
                    lp);
                cLat.push_back(lat.median);
                cP90.push_back(lat.p90);
                if (reference) {
                    auto t = bench::pythonReference("train --batch 128 --batches " + std::to_string(batches) + pyModel +
                                                    pyData);
                    auto e = bench::pythonReference("eval --batch 256 --images 2560" + pyModel + pyData);
                    auto l = bench::pythonReference("latency --input 1,28,28" + pyModel);
                    if (t.is_object()) pTrain.push_back(t["images_per_second"]);
                    if (e.is_object()) pEval.push_back(e["images_per_second"]);
                    if (l.is_object()) pLat.push_back(l["median"]);
                }
            }
            auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
            const double ct = bench::median(cTrain), pt = bench::median(pTrain), ce = bench::median(cEval),
                         pe = bench::median(pEval), cl = bench::median(cLat), pl = bench::median(pLat);
            std::printf("%-32s %3d | %12.1f %12.1f %6.2fx | %12.1f %12.1f %6.2fx | %9.2f %9.2f %9.2f %8.2fx\n", mc.name,
                        threads, ct, pt, ratio(ct, pt), ce, pe, ratio(ce, pe), cl, bench::median(cP90), pl,
                        ratio(pl, cl));
            std::fflush(stdout);
        }
    }
    std::printf("\nratios: C++/PyTorch for throughput, PyTorch/C++ for latency (above 1 = the workbench is faster). "
                "PyTorch = Debian python3-torch eager, default memory format, as the study ran it.\n");
    return 0;
}
