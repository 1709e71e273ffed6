// FP32 vs INT8 latency of the study's networks (prints figures; never pass/fail).
//
// Batch 1, 1 and 2 threads, MODIFIED (divisor 8) at 3x224x224 and 1x28x28: FP32 (oneDNN/OpenBLAS)
// and INT8 on ONEDNN, their ratio; INT8 on QNNPACK at 224; the ORIGINAL network's INT8 latency (the
// study's point: the MODIFIED one quantizes to faster code). Random weights and random calibration,
// as the study's 224 demo: latency does not depend on the weights' values. When Debian's
// python3-torch is installed, PyTorch eager FP32 and INT8 (the study's eager-mode recipe) run in the
// same process order, interleaved A B A B, and every figure is a median over rounds.
//
//   phinet-bench-int8 [--quick] [--no-reference] [--only qnnpack]
#include "BenchCommon.h"
#include "phinet/bench/ModelBench.h"
#include "phinet/common/Threads.h"
#include "phinet/quant/Quantizer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace phinet;

namespace {

struct Row {
    std::vector<double> fp32, int8, pyFp32, pyInt8, p90Int8;
};

} // namespace

int main(int argc, char** argv)
{
    bool quick = false, reference = true;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--no-reference")) reference = false;
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else {
            std::fprintf(stderr, "usage: phinet-bench-int8 [--quick] [--no-reference] [--only TEXT (cases whose name holds it)]\n");
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
    std::printf("protocol: batch 1, 10 warm-up + %d timed runs per measurement, %d interleaved round(s), medians in ms; "
                "FP32 = PhiNet module (NCHW, oneDNN conv, OpenBLAS), INT8 = the workbench's runtime; allocator pinned; "
                "PyTorch = Debian python3-torch eager (FP32 module; INT8 via fuse/prepare/convert, the study's recipe)\n\n",
                quick ? 30 : 100, rounds);
    std::printf("%-28s %3s | %9s %9s %9s %7s | %9s %9s %7s\n", "model", "thr", "FP32", "INT8", "INT8 p90", "speedup",
                "PyT FP32", "PyT INT8", "vs PyT");

    struct Case {
        const char* name;
        PhiNetConfig cfg;
        QuantEngine engine;
    };
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
                auto i8 = int8CpuLatency(q.model, lp);
                row.int8.push_back(i8.median);
                row.p90Int8.push_back(i8.p90);
                if (reference) {
                    const std::string in = std::to_string(c.cfg.input[0]) + "," + std::to_string(c.cfg.input[1]) + "," +
                                           std::to_string(c.cfg.input[2]);
                    const std::string common = " --input " + in + " --threads " + std::to_string(threads) + " --runs " +
                                               std::to_string(lp.runs);
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
            const double f = bench::median(row.fp32), i = bench::median(row.int8), pf = bench::median(row.pyFp32), pi = bench::median(row.pyInt8);
            char pyF[16] = "-", pyI[16] = "-", vs[16] = "-";
            if (pf > 0) std::snprintf(pyF, sizeof pyF, "%.2f", pf);
            if (pi > 0) {
                std::snprintf(pyI, sizeof pyI, "%.2f", pi);
                std::snprintf(vs, sizeof vs, "%.2fx", pi / i);
            }
            std::printf("%-28s %3d | %9.2f %9.2f %9.2f %6.2fx | %9s %9s %7s\n", c.name, threads, f, i, bench::median(row.p90Int8),
                        f / i, pyF, pyI, vs);
            std::fflush(stdout);
        }
    }
    std::printf("\nspeedup = our FP32 / our INT8; vs PyT = PyTorch eager INT8 / our INT8 (above 1 = ours is faster). "
                "PyTorch eager cannot convert the ORIGINAL network (hard-swish, + and * on quantized tensors): no "
                "reference there.\n");
    return 0;
}
