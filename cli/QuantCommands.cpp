#include "QuantCommands.h"

#include "phinet/common/Limits.h"
#include "phinet/common/Paths.h"
#include "phinet/common/Files.h"
#include "phinet/common/SafeTensors.h"

#include "Progress.h"

#include "phinet/bench/ModelBench.h"
#include "phinet/common/Error.h"
#include "phinet/export/Micromind.h"
#include "phinet/common/Log.h"
#include "phinet/common/Threads.h"
#include "phinet/model/ConfigJson.h"
#include "phinet/quant/Quantizer.h"

#include <cstdio>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <iostream>

namespace phinet::cli {
namespace fs = std::filesystem;
using nlohmann::json;

void QuantizeArgs::add(CLI::App* app)
{
    app->add_option("--ckpt", ckpt, "trained FP32 checkpoint (from phinet train)");
    app->add_flag("--model-only", modelOnly,
                  "no checkpoint: random weights and random calibration, for size and latency of any configuration");
    model.add(app);
    data.add(app);
    app->add_option("--method", method, "ptq | qat")->capture_default_str();
    // Every quantization setting, named after its JSON key (earlier names kept as aliases).
    quantOptions.add(app, quant, "Quantization",
                     {{"freeze_observers_after", "--freeze-observers"},
                      {"freeze_bn_after", "--freeze-bn"},
                      {"learned_scales", "--lsq"}});
    app->add_option("--batch-size", batchSize, "QAT batch size")->capture_default_str();
    app->add_option("--eval-batch-size", evalBatchSize, "evaluation batch size")->capture_default_str();
    app->add_option("--runs", runs, "timed latency runs")->capture_default_str();
    app->add_option("--warmup", warmup, "latency warm-up runs")->capture_default_str();
    app->add_option("--out", out, "INT8 model file to write")->required();
    app->add_flag("--json", json, "one JSON object on the last line of stdout");
}

namespace {

class CliQatObserver : public QatObserver {
public:
    explicit CliQatObserver(ProgressBar& bar) : bar_(bar) {}
    void onBatch(const BatchProgress& p) override { bar_.reportBatch("QAT ", p); }
    void onQatEpoch(const QatEpoch& e) override
    {
        char text[256];
        std::snprintf(text, sizeof text,
                      "QAT epoch %d: train loss %.4f, fake-quant %.2f%%, converted INT8 %.2f%% (%.1f s)", e.epoch,
                      e.trainLoss, e.fakeQuant.accuracy, e.int8.accuracy, e.seconds);
        bar_.line(text);
    }

private:
    ProgressBar& bar_;
};

} // namespace

int runQuantize(const QuantizeArgs& a, CLI::App* app)
{
    if (a.modelOnly == !a.ckpt.empty())
        throw UsageError(a.modelOnly ? "--model-only: give either --model-only or --ckpt, not both"
                                     : "--ckpt: a trained checkpoint is needed (or --model-only for size and latency)");
    if (!a.ckpt.empty() && !fs::exists(a.ckpt))
        throw UsageError("--ckpt: checkpoint \"" + a.ckpt + "\" does not exist");
    if (a.method != "ptq" && a.method != "qat")
        throw UsageError("--method: expected ptq or qat, got \"" + a.method + "\"");
    if (a.modelOnly && a.method == "qat")
        throw UsageError("--method: qat needs a trained checkpoint (--ckpt) and data");
    const QuantConfig qcfg = a.quant;
    a.quantOptions.throwIfProblems(qcfg.validate());
    if (a.runs < 1) throw UsageError("--runs: must be >= 1");
    if (a.warmup < 0) throw UsageError("--warmup: must be >= 0");
    CancelToken& cancel = interruptToken();
    installInterruptHandler();
    const int threads = setComputeThreads(qcfg.threads);
    ProgressBar bar;

    PhiNet model{nullptr};
    CheckpointMeta meta;
    std::optional<DataSplits> data;
    if (a.modelOnly) {
        torch::manual_seed(0);
        meta.model = a.model.toConfig();
        model = PhiNet(meta.model);
    } else {
        // Any FP32 model file; a micromind file without a config takes the model options.
        auto ck = openFp32Model(a.ckpt, a.model.toConfig());
        model = ck.model;
        meta = ck.meta;
        DataConfig d = meta.data;
        if (app->count("--dataset") || app->count("--data-dir")) {
            auto kind = datasetKindFromString(a.data.dataset);
            if (!kind) throw UsageError("--dataset: expected mnist, fashion-mnist, cifar10 or folder");
            if (!a.data.dataDir.empty() && !fs::is_directory(a.data.dataDir))
                throw UsageError("--data-dir: folder \"" + a.data.dataDir + "\" does not exist");
            if (*kind != d.kind) d.mean.clear(), d.std.clear();
            d.kind = *kind;
            d.dataDir = a.data.dataDir;
        }
        d.limitTrain = a.data.limitTrain;
        d.limitTest = a.data.limitTest;
        d.validationFraction = 0;
        data = loadData(d, &cancel);
    }

    json out;
    const PhiNetConfig cfg = model->config();
    TrainConfig tcfg = meta.training;
    tcfg.batchSize = a.batchSize;
    tcfg.evalBatchSize = a.evalBatchSize;
    tcfg.threads = qcfg.threads;
    std::optional<EvalResult> fp32Eval;
    if (data) {
        fp32Eval = evaluate(model, data->test, data->config, a.evalBatchSize, true, &cancel);
        bar.line("FP32 checkpoint: " + std::to_string(fp32Eval->accuracy) + "% on " + std::to_string(fp32Eval->count) +
                 " test images");
    }
    // FP32 size and latency before QAT changes the weights.
    const auto fp32Bytes = fp32ModelBytes(model);
    LatencyProtocol lp;
    lp.runs = a.runs;
    lp.warmup = a.warmup;
    lp.threads = threads;
    const auto gpuLat = fp32GpuLatency(model, lp);
    const auto fp32Forward = forwardFromModel(model, 1);

    QuantizedPhiNet int8;
    FoldedPhiNet folded;
    json qatEpochs = json::array();
    bool calibratedOnData = true;
    if (a.method == "ptq") {
        auto r = a.modelOnly ? quantizeWithRandomCalibration(model, qcfg) : quantizePtq(model, *data, qcfg, &cancel);
        int8 = std::move(r.model);
        folded = std::move(r.folded);
        calibratedOnData = r.calibratedOnData;
    } else {
        CliQatObserver obs(bar);
        auto r = quantizeQat(model, *data, qcfg, tcfg, &obs, &cancel);
        bar.finish();
        if (r.cancelled) {
            std::cerr << "phinet: QAT cancelled; nothing written" << std::endl;
            return CancelledByUser;
        }
        int8 = std::move(r.model);
        folded = std::move(r.folded);
        for (const auto& e : r.epochs)
            qatEpochs.push_back(toJson(e));
        out["qat_train_seconds"] = r.trainSeconds;
    }
    int8.save(a.out);
    const auto int8Bytes = std::int64_t(fs::file_size(a.out));
    // FP32 and INT8 interleaved round by round (the one latency measurement: compareLatency).
    ComparisonProtocol cp;
    cp.rounds = 10;
    cp.runsPerRound = std::max(1, (a.runs + cp.rounds - 1) / cp.rounds);
    cp.warmup = a.warmup;
    cp.threads = threads;
    const auto cmp = compareForwards({"fp32", "int8"}, {fp32Forward, forwardFromInt8(int8, 1)}, cp, &cancel);
    const auto fp32Lat = toReport(cmp.models[0], cmp.protocol);
    const auto int8Lat = toReport(cmp.models[1], cmp.protocol);
    const auto speedup = pairedRatio(cmp.models[0], cmp.models[1]);

    std::optional<EvalResult> int8Eval;
    std::vector<LayerError> layers;
    if (data) {
        int8Eval = evaluate([&](const torch::Tensor& x) { return int8.forward(x); }, data->test, data->config,
                            a.evalBatchSize, false, cfg.numClasses, &cancel);
        // Per-layer SQNR on a batch of real test images.
        BatchLoader::Options o;
        o.batchSize = 64;
        BatchLoader loader(data->test, data->config.mean, data->config.std, o);
        Batch b;
        loader.next(b);
        layers = compareLayers(folded, int8, b.images);
    } else {
        layers = compareLayers(folded, int8, torch::randn({8, cfg.input[0], cfg.input[1], cfg.input[2]}));
    }

    const double mib = 1024.0 * 1024.0;
    char line[256];
    if (fp32Eval && int8Eval) {
        std::snprintf(line, sizeof line, "accuracy: FP32 %.2f%%, INT8 %.2f%% (%+.2f points)", fp32Eval->accuracy,
                      int8Eval->accuracy, int8Eval->accuracy - fp32Eval->accuracy);
        bar.line(line);
    }
    std::snprintf(line, sizeof line, "size: FP32 %.3f MiB, INT8 %.3f MiB (%.2fx smaller)", fp32Bytes / mib,
                  int8Bytes / mib, double(fp32Bytes) / double(int8Bytes));
    bar.line(line);
    std::snprintf(
        line, sizeof line,
        "CPU latency (batch 1, %d threads, %d interleaved rounds of %d runs): FP32 %.2f ms [%.2f, %.2f], INT8 "
        "%.2f ms [%.2f, %.2f] on %s, FP32 / INT8 %.2fx [%.2f, %.2f]%s",
        cmp.protocol.threads, cmp.protocol.rounds, cmp.protocol.runsPerRound, fp32Lat.median, fp32Lat.intervalLow,
        fp32Lat.intervalHigh, int8Lat.median, int8Lat.intervalLow, int8Lat.intervalHigh,
        toString(int8.engine()).c_str(), speedup.ratio, speedup.intervalLow, speedup.intervalHigh,
        speedup.resolved() ? "" : " (not resolved)");
    bar.line(line);
    for (const auto& w : cmp.warnings)
        bar.line("warning: " + w);
    if (!gpuLat.available) bar.line("GPU latency: unavailable (" + gpuLat.unavailableReason + ")");
    double worst = 1e9;
    std::string worstName;
    for (const auto& l : layers)
        if (l.sqnrDb < worst) worst = l.sqnrDb, worstName = l.name;
    std::snprintf(line, sizeof line, "lowest per-layer SQNR: %.1f dB at %s; INT8 model: %s", worst, worstName.c_str(),
                  a.out.c_str());
    bar.line(line);

    if (a.json) {
        json lj = json::array();
        for (const auto& l : layers)
            lj.push_back({{"name", l.name}, {"sqnr_db", l.sqnrDb}, {"scale", l.scale}, {"zero_point", l.zeroPoint}});
        out["method"] = a.method;
        out["model"] = toJson(cfg);
        out["quantization"] = toJson(qcfg);
        out["fp32_accuracy"] = fp32Eval ? json(fp32Eval->accuracy) : json(nullptr);
        out["int8_accuracy"] = int8Eval ? json(int8Eval->accuracy) : json(nullptr);
        out["fp32_loss"] = fp32Eval ? json(fp32Eval->loss) : json(nullptr);
        out["int8_loss"] = int8Eval ? json(int8Eval->loss) : json(nullptr);
        if (int8Eval) out["int8_confusion"] = int8Eval->confusion;
        if (fp32Eval) out["fp32_confusion"] = fp32Eval->confusion;
        out["fp32_bytes"] = fp32Bytes;
        out["int8_bytes"] = int8Bytes;
        out["fp32_size_mib"] = fp32Bytes / mib;
        out["int8_size_mib"] = int8Bytes / mib;
        out["fp32_latency_ms"] = toJson(fp32Lat);
        out["int8_latency_ms"] = toJson(int8Lat);
        out["fp32_int8_latency_ratio"] = toJson(speedup);
        out["fp32_gpu_latency_ms"] = toJson(gpuLat);
        out["layers"] = lj;
        out["calibrated_on_data"] = calibratedOnData;
        out["qat_epochs"] = qatEpochs;
        out["out"] = a.out;
        std::cout << out.dump() << std::endl;
    }
    return Ok;
}

void BenchArgs::add(CLI::App* app)
{
    app->add_option("--model", modelFiles,
                    "FP32 checkpoint or INT8 model file; repeat to compare files interleaved (ratios to the first)")
        ->required();
    app->add_option("--input", input, "C,H,W (must match the models; default: the model's)");
    app->add_option("--threads", threads, "compute threads (0 = all cores)")->capture_default_str();
    app->add_option("--rounds", rounds, "rounds: each loads every model afresh and times it (interleaved)")
        ->capture_default_str();
    app->add_option("--runs", runs, "timed runs per model, split evenly across the rounds")->capture_default_str();
    app->add_option("--warmup", warmup,
                    "warm-up runs before each model's timed runs in every round (each round's models are fresh)")
        ->capture_default_str();
    app->add_option("--batch", batch, "batch size")->capture_default_str();
    app->add_option("--engine", engine, "INT8 engine: onednn-fused | onednn | qnnpack (default: the file's)");
    app->add_option("--max-interval", maxInterval, "warn when a 95% interval is wider than this fraction of its median")
        ->capture_default_str();
    app->add_option("--isolation", isolation,
                    "what each round measures afresh: process (a new worker process, the default: process-to-process "
                    "differences enter the interval) or instance (a new model instance in this process)")
        ->capture_default_str();
    app->add_flag("--worker", worker, "internal: time one round of the models and print their samples")->group("");
    app->add_option("--first", first, "internal (--worker): the model the interleaving starts at")->group("");
    app->add_flag("--json", json, "one JSON object on the last line of stdout");
}

namespace {

/// Runs `argv` (argv[0] a path), returns its exit status and standard output; stderr passes through.
std::pair<int, std::string> runCaptured(const std::vector<std::string>& argv)
{
    int out[2];
    if (pipe(out) != 0) throw DataError("cannot start a benchmark worker (pipe failed)");
    const pid_t pid = fork();
    if (pid < 0) throw DataError("cannot start a benchmark worker (fork failed)");
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        std::vector<char*> args;
        for (const auto& s : argv)
            args.push_back(const_cast<char*>(s.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(out[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = read(out[0], buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        text.append(buf, size_t(n));
    }
    close(out[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), text};
}

/// CPU seconds of finished child processes (the workers), user + system.
double childCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

} // namespace

int runBench(const BenchArgs& a, CLI::App* app)
{
    if (a.worker) { // one round of every model, in a fresh process: warm-up, timed runs, samples as JSON
        if (a.modelFiles.empty()) throw UsageError("--worker: give at least one --model");
        std::optional<QuantEngine> engine;
        if (!a.engine.empty()) engine = engineFromString(a.engine);
        pinAllocator();
        const int threads = setComputeThreads(a.threads);
        std::vector<std::function<void()>> forwards;
        for (const auto& f : a.modelFiles)
            forwards.push_back(forwardFromFile(f, a.batch, engine)());
        const auto samples = measureInterleaved(forwards, a.warmup, a.runs,
                                                size_t(std::max(0, a.first)) % forwards.size(), &interruptToken());
        std::cout << json{{"samples", samples}, {"threads", threads}}.dump() << std::endl;
        return Ok;
    }
    if (a.modelFiles.empty()) throw UsageError("--model: give at least one model file");
    for (const auto& f : a.modelFiles)
        if (!fs::exists(f)) throw UsageError("--model: file \"" + f + "\" does not exist");
    if (a.rounds < 2 || a.rounds > 1000)
        throw UsageError("--rounds: must be in [2, 1000] (got " + std::to_string(a.rounds) + ")");
    if (a.runs < 1 || a.runs > 100000)
        throw UsageError("--runs: must be in [1, 100000] (got " + std::to_string(a.runs) + ")");
    if (a.warmup < 0 || a.warmup > 100000)
        throw UsageError("--warmup: must be in [0, 100000] (got " + std::to_string(a.warmup) + ")");
    if (a.batch < 1 || a.batch > 4096)
        throw UsageError("--batch: must be in [1, 4096] (got " + std::to_string(a.batch) + ")");
    if (a.threads < 0 || a.threads > maxThreads())
        throw UsageError("--threads: must be in [0, " + std::to_string(maxThreads()) + "] (got " +
                         std::to_string(a.threads) + ")");
    if (!(a.maxInterval > 0 && a.maxInterval <= 1)) throw UsageError("--max-interval: must be in (0, 1]");
    if (a.isolation != "process" && a.isolation != "instance")
        throw UsageError("--isolation: expected process or instance, got \"" + a.isolation + "\"");
    std::optional<QuantEngine> engine;
    if (!a.engine.empty()) {
        engine = engineFromString(a.engine);
        if (!engine) throw UsageError("--engine: expected onednn-fused, onednn or qnnpack, got \"" + a.engine + "\"");
    }
    struct FileInfo {
        std::string kind, engine;
        std::int64_t bytes = 0;
        PhiNetConfig config;
        LatencyReport gpu;
    };
    std::vector<FileInfo> infos;
    std::vector<std::string> names;
    std::vector<ForwardFactory> factories;
    for (const auto& f : a.modelFiles) {
        FileInfo info;
        info.bytes = std::int64_t(fs::file_size(f));
        switch (modelFileKind(f)) {
        case ModelFileKind::Int8: {
            const auto q = QuantizedPhiNet::load(f, engine);
            info.kind = "int8";
            info.engine = toString(q.engine());
            info.config = q.plan().config;
            break;
        }
        case ModelFileKind::Unknown:
            if (!isMicromindFile(f))
                throw DataError(
                    f + ": not a PhiNet model file (FP32 checkpoint, INT8 file or micromind-named safetensors)");
            [[fallthrough]];
        case ModelFileKind::Fp32: {
            auto ck = openFp32Model(f);
            info.kind = "fp32";
            info.engine = "fp32 (oneDNN conv, OpenBLAS GEMM)";
            info.config = ck.meta.model;
            LatencyProtocol lp;
            lp.runs = a.runs;
            lp.warmup = a.warmup;
            lp.batch = a.batch;
            lp.threads = a.threads;
            info.gpu = fp32GpuLatency(ck.model, lp);
            break;
        }
        default:
            throw DataError(f + ": not a PhiNet workbench model file (FP32 checkpoint or INT8 file)");
        }
        if (!a.input.empty() && parseShape(a.input, "--input") != info.config.input)
            throw UsageError("--input: " + f + " takes " + std::to_string(info.config.input[0]) + "," +
                             std::to_string(info.config.input[1]) + "," + std::to_string(info.config.input[2]));
        // Names: the file name, made unique when two files share it.
        std::string name = fs::path(f).filename().string();
        if (std::count(names.begin(), names.end(), name)) name = f;
        names.push_back(name);
        factories.push_back(forwardFromFile(f, a.batch, engine));
        infos.push_back(std::move(info));
    }
    ComparisonProtocol p;
    p.rounds = a.rounds;
    p.runsPerRound = (a.runs + a.rounds - 1) / a.rounds;
    p.warmup = a.warmup;
    p.batch = a.batch;
    p.threads = a.threads;
    p.maxRelativeInterval = a.maxInterval;
    installInterruptHandler();
    LatencyComparison c;
    if (a.isolation == "instance") {
        c = compareForwards(names, factories, p, &interruptToken());
    } else {
        // Each round of each model in a fresh worker process (this program, --worker): what differs
        // between processes (allocation addresses, thread placement, oneDNN's first-run choices)
        // varies between rounds and so enters the interval, instead of biasing one process's figure.
        p.isolation = "fresh process per round";
        const std::string self = (executableDir() / "phinet").string();
        const double cpu0 = childCpuSeconds();
        auto run = [&](int round) {
            std::vector<std::string> argv{self,
                                          "bench",
                                          "--worker",
                                          "--first",
                                          std::to_string(round),
                                          "--runs",
                                          std::to_string(p.runsPerRound),
                                          "--warmup",
                                          std::to_string(p.warmup),
                                          "--threads",
                                          std::to_string(a.threads),
                                          "--batch",
                                          std::to_string(a.batch)};
            for (const auto& f : a.modelFiles)
                argv.insert(argv.end(), {"--model", f});
            if (!a.engine.empty()) argv.insert(argv.end(), {"--engine", a.engine});
            const auto [status, out] = runCaptured(argv);
            if (status != 0)
                throw DataError("the benchmark worker of round " + std::to_string(round + 1) + " failed (exit status " +
                                std::to_string(status) + ")");
            const auto brace = out.rfind("{\"samples\"");
            if (brace == std::string::npos)
                throw DataError("the benchmark worker of round " + std::to_string(round + 1) + " printed no result");
            const auto j = parseJsonBounded(out.substr(brace), "benchmark worker output");
            p.threads = j.value("threads", a.threads);
            auto samples = j.at("samples").get<std::vector<std::vector<double>>>();
            if (samples.size() != a.modelFiles.size())
                throw DataError("the benchmark worker of round " + std::to_string(round + 1) + " timed " +
                                std::to_string(samples.size()) + " models, expected " +
                                std::to_string(a.modelFiles.size()));
            return samples;
        };
        c = compareLatency(names, run, p, &interruptToken(), [&] { return childCpuSeconds() - cpu0; });
        c.protocol.threads = p.threads; // as the workers reported it
        for (auto& m : c.models)
            m.pooled.protocol.threads = p.threads;
    }
    if (a.json) {
        auto out = toJson(c);
        for (size_t i = 0; i < infos.size(); ++i) {
            auto& m = out["models"][i];
            m["file"] = a.modelFiles[i];
            m["kind"] = infos[i].kind;
            m["engine"] = infos[i].engine;
            m["bytes"] = infos[i].bytes;
            if (infos[i].kind == "fp32") m["gpu_latency_ms"] = toJson(infos[i].gpu);
        }
        out["cpu"] = cpuModel();
        out["vnni"] = cpuHasVnni();
        std::cout << out.dump() << std::endl;
    } else {
        std::printf("%s", formatComparison(c).c_str());
        std::printf("CPU: %s (VNNI: %s)\n", cpuModel().c_str(), cpuHasVnni() ? "yes" : "no");
        for (size_t i = 0; i < infos.size(); ++i) {
            std::printf("%s: %s, %.3f MiB, engine %s\n", names[i].c_str(), infos[i].kind.c_str(),
                        double(infos[i].bytes) / 1048576.0, infos[i].engine.c_str());
            if (infos[i].kind == "fp32" && !infos[i].gpu.available)
                std::printf("  GPU: unavailable (%s)\n", infos[i].gpu.unavailableReason.c_str());
        }
    }
    return Ok;
}

} // namespace phinet::cli
