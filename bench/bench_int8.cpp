// FP32 vs INT8 latency of the study's networks (prints figures; never pass/fail).
//
// Batch 1, 1 and 2 threads, MODIFIED (divisor 8) at 3x224x224 and 1x28x28: FP32 (oneDNN/OpenBLAS)
// and INT8 on ONEDNN, their ratio; INT8 on QNNPACK at 224; the ORIGINAL network's INT8 latency (the
// study's point: the MODIFIED one quantizes to faster code). Random weights and random calibration,
// as the study's 224 demo: latency does not depend on the weights' values. When Debian's
// python3-torch is installed, PyTorch eager FP32 and INT8 (the study's eager-mode recipe) run in the
// same process order, interleaved A B A B, and every figure is a median over rounds.
//
// On x86 every ONEDNN case also runs the fused engine (onednn-fused: the workbench's own oneDNN
// primitives with fused post-ops) on the same converted weights: its column, its ratio to the
// LibTorch-kernel runtime and to eager, INT8 evaluation throughput at batch 256 on the MNIST model,
// and a per-step profile with the distance to the arithmetic limit (~5 ms per core for 1.52 GMAC).
//
//   phinet-bench-int8 [--quick] [--no-reference] [--only qnnpack] [--no-profile]
#include "BenchCommon.h"
#include "phinet/bench/ModelBench.h"
#include "phinet/common/Threads.h"
#include "phinet/quant/OnednnEngine.h"
#include "phinet/quant/Quantizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace phinet;

namespace {

struct Row {
    std::vector<double> fp32, int8, fused, pyFp32, pyInt8, p90Fused;
};

/// The estimate of this machine kind's INT8 arithmetic limit: ~5 ms per core for the 1.52
/// GMAC network, i.e. ~0.3 TMAC/s per core.
constexpr double kLimitMacsPerMsPerCore = 1.52e9 / 5.0;

void printProfile(const char* name, const QuantizedPhiNet& q, int threads, int batch)
{
    setComputeThreads(threads);
    auto x = torch::rand({batch, q.plan().config.input[0], q.plan().config.input[1], q.plan().config.input[2]});
    const auto steps = q.fused()->profile(x, 30);
    double total = 0;
    std::int64_t macs = 0;
    for (const auto& s : steps) {
        total += s.ms;
        macs += s.macs;
    }
    const double limit = double(macs) / kLimitMacsPerMsPerCore / threads;
    std::printf(
        "\nprofile: %s, onednn-fused, batch %d, %d thread(s), median of 30 runs per step: %.3f ms for %.3f GMAC; "
        "arithmetic limit ~%.3f ms (%.2fx from it)\n",
        name, batch, threads, total, double(macs) / 1e9, limit, total / limit);
    std::printf("  %-26s %-28s %9s %8s %6s %8s\n", "step", "oneDNN implementation", "MMAC", "ms", "%", "GMAC/s");
    for (const auto& s : steps)
        std::printf("  %-26s %-28s %9.2f %8.3f %5.1f%% %8.1f\n", s.name.c_str(), s.impl.c_str(), double(s.macs) / 1e6,
                    s.ms, 100.0 * s.ms / total, s.ms > 0 ? double(s.macs) / 1e6 / s.ms : 0.0);
    std::fflush(stdout);
}

/// Images per second of `forward` over `batches` batches of 256 (after one warm-up batch).
double imagesPerSecond(const std::function<torch::Tensor(const torch::Tensor&)>& forward, const PhiNetConfig& c,
                       int batches)
{
    auto x = torch::rand({256, c.input[0], c.input[1], c.input[2]});
    forward(x);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < batches; ++i)
        forward(x).argmax(1);
    return 256.0 * batches / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char** argv)
{
    bool quick = false, reference = true, profile = true;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick"))
            quick = true;
        else if (!std::strcmp(argv[i], "--no-reference"))
            reference = false;
        else if (!std::strcmp(argv[i], "--no-profile"))
            profile = false;
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            std::fprintf(stderr, "usage: phinet-bench-int8 [--quick] [--no-reference] [--only TEXT (cases whose name "
                                 "holds it)] [--no-profile]\n");
            return 2;
        }
    }
    if (reference && !bench::havePythonTorch()) {
        std::printf("note: python3-torch is not installed: no PyTorch reference in this run\n");
        reference = false;
    }
    const int rounds = quick ? 1 : 3;
    std::printf("machine: %s, %d hardware threads, VNNI %s; LibTorch %s\n", cpuModel().c_str(), hardwareThreads(),
                cpuHasVnni() ? "yes" : "no (ONEDNN activations use 7 bits)", TORCH_VERSION);
    std::printf(
        "protocol: batch 1, 10 warm-up + %d timed runs per measurement, %d interleaved round(s), medians in ms; "
        "FP32 = PhiNet module (NCHW, oneDNN conv, OpenBLAS), INT8 = the workbench's LibTorch-kernel runtime, fused = "
        "the onednn-fused engine on the same int8 weights and scales; allocator pinned; "
        "PyTorch = Debian python3-torch eager (FP32 module; INT8 via fuse/prepare/convert, the study's recipe)\n\n",
        quick ? 30 : 100, rounds);
    const bool fusedAvailable = OnednnPhiNet::available();
    if (!fusedAvailable) std::printf("note: this build has no oneDNN (libdnnl-dev): no fused column\n");
    std::printf("%-28s %3s | %9s %9s %9s %9s %8s | %9s %9s %8s %8s\n", "model", "thr", "FP32", "INT8", "fused",
                "fused p90", "f/INT8", "PyT FP32", "PyT INT8", "PyT/INT8", "PyT/fus");

    struct Case {
        const char* name;
        PhiNetConfig cfg;
        QuantEngine engine;
    };
    struct Later {
        const char* name;
        std::shared_ptr<QuantizedPhiNet> model;
        int threads;
        int batch = 1;
    };
    std::vector<Later> printLater;
    std::vector<Case> cases{
        {"MODIFIED 3x224x224 onednn", PhiNetConfig::study(Variant::Modified, {3, 224, 224}), QuantEngine::Onednn},
        {"ORIGINAL 3x224x224 onednn", PhiNetConfig::study(Variant::Original, {3, 224, 224}), QuantEngine::Onednn},
        {"MODIFIED 1x28x28 onednn", PhiNetConfig::study(Variant::Modified, {1, 28, 28}), QuantEngine::Onednn},
        {"MODIFIED 3x224x224 qnnpack", PhiNetConfig::study(Variant::Modified, {3, 224, 224}), QuantEngine::Qnnpack},
    };
    for (const auto& c : cases) {
        if (!only.empty() && std::string(c.name).find(only) == std::string::npos) continue;
        for (int threads : {1, 2}) {
            if (c.engine == QuantEngine::Qnnpack && threads == 1 && quick) continue;
            Row row;
            LatencyProtocol lp;
            lp.threads = threads;
            lp.runs = quick ? 30 : 100;
            try {
                for (int r = 0; r < rounds; ++r) {
                    setComputeThreads(threads);
                    torch::manual_seed(0);
                    PhiNet model(c.cfg);
                    QuantConfig qc;
                    qc.engine = c.engine;
                    qc.calibrationBatches = 2;
                    qc.threads = threads;
                    auto q = quantizeWithRandomCalibration(model, qc, false);
                    row.fp32.push_back(fp32CpuLatency(model, lp).median);
                    row.int8.push_back(int8CpuLatency(q.model, lp).median);
                    if (fusedAvailable && c.engine == QuantEngine::Onednn) {
                        auto fused = QuantizedPhiNet::convert(q.folded, q.model.siteParams(), qc.weights,
                                                              QuantEngine::OnednnFused);
                        auto f = int8CpuLatency(fused, lp);
                        row.fused.push_back(f.median);
                        row.p90Fused.push_back(f.p90);
                        if (profile && r == rounds - 1 && c.cfg.variant == Variant::Modified)
                            printLater.push_back(
                                {c.name, std::make_shared<QuantizedPhiNet>(std::move(fused)), threads});
                    }
                    if (reference) {
                        const std::string in = std::to_string(c.cfg.input[0]) + "," + std::to_string(c.cfg.input[1]) +
                                               "," + std::to_string(c.cfg.input[2]);
                        const std::string common = " --input " + in + " --threads " + std::to_string(threads) +
                                                   " --runs " + std::to_string(lp.runs);
                        if (c.cfg.variant == Variant::Modified) {
                            auto f = bench::pythonReference("latency" + common);
                            auto i = bench::pythonReference("int8-latency --engine " + toString(c.engine) + common);
                            if (f.is_object()) row.pyFp32.push_back(f["median"]);
                            if (i.is_object()) row.pyInt8.push_back(i["median"]);
                        }
                    }
                }
            } catch (const std::exception& e) {
                std::printf("%-28s %3d | failed: %s\n", c.name, threads, e.what());
                continue;
            }
            const double f = bench::median(row.fp32), i = bench::median(row.int8), fu = bench::median(row.fused),
                         pf = bench::median(row.pyFp32), pi = bench::median(row.pyInt8);
            char pyF[16] = "-", pyI[16] = "-", vs[16] = "-", fus[16] = "-", fusP90[16] = "-", fvsI[16] = "-",
                 vsF[16] = "-";
            if (fu > 0) {
                std::snprintf(fus, sizeof fus, "%.2f", fu);
                std::snprintf(fusP90, sizeof fusP90, "%.2f", bench::median(row.p90Fused));
                std::snprintf(fvsI, sizeof fvsI, "%.2fx", i / fu);
            }
            if (pf > 0) std::snprintf(pyF, sizeof pyF, "%.2f", pf);
            if (pi > 0) {
                std::snprintf(pyI, sizeof pyI, "%.2f", pi);
                std::snprintf(vs, sizeof vs, "%.2fx", pi / i);
                if (fu > 0) std::snprintf(vsF, sizeof vsF, "%.2fx", pi / fu);
            }
            std::printf("%-28s %3d | %9.2f %9.2f %9s %9s %8s | %9s %9s %8s %8s\n", c.name, threads, f, i, fus, fusP90,
                        fvsI, pyF, pyI, vs, vsF);
            std::fflush(stdout);
        }
    }
    std::printf(
        "\nf/INT8 = our LibTorch-kernel INT8 / fused (above 1 = fused is faster); PyT/INT8 and PyT/fus = PyTorch "
        "eager INT8 / ours (above 1 = ours is faster). PyTorch eager cannot convert the ORIGINAL network "
        "(hard-swish, + and * on quantized tensors): no reference there.\n");

    // INT8 evaluation throughput, batch 256, the MNIST model (interleaved rounds).
    if (fusedAvailable && (only.empty() || std::string("eval 1x28x28").find(only) != std::string::npos)) {
        const auto cfg = PhiNetConfig::study(Variant::Modified, {1, 28, 28});
        std::printf("\nINT8 evaluation, MODIFIED 1x28x28, batch 256, images/s (median of %d rounds):\n", rounds);
        std::printf("%3s | %9s %9s %9s | %8s %8s\n", "thr", "INT8", "fused", "PyT INT8", "f/INT8", "f/PyT");
        for (int threads : {1, 2}) {
            std::vector<double> ref, fus, py;
            for (int r = 0; r < rounds; ++r) {
                setComputeThreads(threads);
                torch::manual_seed(0);
                PhiNet model(cfg);
                QuantConfig qc;
                qc.engine = QuantEngine::Onednn;
                qc.calibrationBatches = 2;
                qc.threads = threads;
                auto q = quantizeWithRandomCalibration(model, qc, false);
                auto fused =
                    QuantizedPhiNet::convert(q.folded, q.model.siteParams(), qc.weights, QuantEngine::OnednnFused);
                q.model.repack();
                const int batches = quick ? 4 : 12;
                ref.push_back(
                    imagesPerSecond([&](const torch::Tensor& x) { return q.model.forward(x); }, cfg, batches));
                fus.push_back(imagesPerSecond([&](const torch::Tensor& x) { return fused.forward(x); }, cfg, batches));
                if (reference) {
                    auto j = bench::pythonReference("int8-eval --batch 256 --images " + std::to_string(256 * batches) +
                                                    " --threads " + std::to_string(threads));
                    if (j.is_object()) py.push_back(j["images_per_second"]);
                }
            }
            const double a = bench::median(ref), b = bench::median(fus), c = bench::median(py);
            char pyS[16] = "-", vs[16] = "-";
            if (c > 0) {
                std::snprintf(pyS, sizeof pyS, "%.0f", c);
                std::snprintf(vs, sizeof vs, "%.2fx", b / c);
            }
            std::printf("%3d | %9.0f %9.0f %9s | %7.2fx %8s\n", threads, a, b, pyS, b / a, vs);
            if (profile) {
                torch::manual_seed(0);
                PhiNet model(cfg);
                QuantConfig qc;
                qc.engine = QuantEngine::Onednn;
                qc.calibrationBatches = 2;
                auto q = quantizeWithRandomCalibration(model, qc, false);
                printLater.push_back({"MODIFIED 1x28x28 (evaluation)",
                                      std::make_shared<QuantizedPhiNet>(QuantizedPhiNet::convert(
                                          q.folded, q.model.siteParams(), qc.weights, QuantEngine::OnednnFused)),
                                      threads, 256});
            }
            std::fflush(stdout);
        }
    }

    for (const auto& l : printLater)
        printProfile(l.name, *l.model, l.threads, l.batch);
    return 0;
}
