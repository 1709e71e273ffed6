#include "StudyCommands.h"

#include "phinet/export/ModelExport.h"

#include "Progress.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/Threads.h"
#include "phinet/experiment/Experiment.h"
#include "phinet/model/ConfigJson.h"
#include "phinet/report/Report.h"
#include "phinet/report/ResultColumns.h"
#include "phinet/report/RunStore.h"
#include "phinet/train/Distributed.h"

#include <chrono>
#include <memory>

#include <spdlog/fmt/fmt.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace phinet::cli {
namespace fs = std::filesystem;
using nlohmann::json;

void StudyArgs::add(CLI::App* app)
{
    app->add_option("--preset", preset,
                    "a study preset (study-mnist, study-cifar10, quick, ...; phinet runs presets lists them)");
    app->add_option("--config", config, "an experiment JSON file");
    app->add_option("--out", out, "output folder (default: the user's data folder, runs/NAME-DATE)");
    app->add_option("--data-dir", dataDir, "data set folder (overrides the preset's)");
    app->add_option("--epochs", epochs, "override every training stage's epochs (the presets keep the study's 10)");
    app->add_option("--threads", threads, "compute threads for every stage (0 = all cores)");
    app->add_flag("--resume", resume, "continue the run in --out (finished stages are reused)");
    app->add_flag("--json", json, "one JSON object on the last line of stdout");
    app->add_option("--weights-modified", weightsModified,
                    "trained FP32 weights (a workbench checkpoint or micromind-named safetensors) used instead of "
                    "training MODIFIED: the study takes the file's network, PTQ, QAT and the measurements run on it");
    app->add_option("--weights-original", weightsOriginal,
                    "trained FP32 weights used instead of training ORIGINAL (the file's network)");
    app->add_flag("--distributed", distributed,
                  "train data-parallel over c10d/Gloo when started as one of several ranks (phinet launch, "
                  "torchrun's or Slurm's environment; the config's \"distributed\": true does the same); every "
                  "rank needs the same --out (rank 0 alone writes it)");
    app->add_option("--dist-timeout", distTimeout,
                    "seconds a rank waits for the others in a collective before giving up")
        ->capture_default_str();
}

void SweepArgs::add(CLI::App* app)
{
    app->add_option("--preset", preset, "a sweep preset (sweep-layers, sweep-alpha, sweep-beta, sweep-t0, ...)");
    app->add_option("--knob", knob, "num_layers | alpha | beta | t0");
    app->add_option("--values", values, "comma-separated values, or FROM:TO:COUNT for evenly spaced ones");
    model.add(app);
    app->add_option("--out", out, "output folder (default: the user's data folder, runs/NAME-DATE)");
    app->add_option("--runs", runs, "timed latency runs per measurement");
    app->add_option("--threads", threads, "compute threads (0 = all cores)");
    app->add_flag("--params-only", paramsOnly, "only params, MACs and memory estimates (no latency, no INT8)");
    app->add_flag("--resume", resume, "continue the sweep in --out");
    app->add_option("--target", target, "an MCU target (phinet fit --list): marks the points whose INT8 model fits it");
    app->add_option("--reserve-ram", reserveRamKb, "KB of the target's RAM kept for stack and runtime (default 32)");
    app->add_option("--reserve-flash", reserveFlashKb, "KB of the target's flash kept for the firmware (default 128)");
    app->add_flag("--json", json, "one JSON object on the last line of stdout");
    app->add_option("--shard", shard,
                    "K/N: run only every N-th point starting at K (0-based), e.g. one task of a job array; "
                    "combine the folders with phinet sweep merge");
    auto* merge = app->add_subcommand("merge", "combine the folders of a sharded sweep into one CSV/JSON and run");
    merge->add_option("dirs", mergeDirs, "the shards' output folders")->required();
    merge->add_option("--out", mergeOut,
                      "folder for the merged sweep (default: the user's data folder, runs/NAME-DATE)");
    merge->add_flag("--json", mergeJson, "one JSON object on the last line of stdout");
}

namespace {

class CliExperimentObserver : public ExperimentObserver {
public:
    explicit CliExperimentObserver(ProgressBar& bar) : bar_(bar) {}
    void onEvent(const ExperimentEvent& e) override
    {
        using T = ExperimentEvent::Type;
        char text[320];
        const std::string stage = toString(e.stage);
        switch (e.type) {
        case T::StageStarted:
            bar_.line("[" + stage + "] started" + (e.model.empty() ? "" : " (" + e.model + ")") +
                      (e.message.empty() ? "" : ": " + e.message));
            break;
        case T::StageFinished:
            if (e.stage != Stage::Report) bar_.line("[" + stage + "] " + e.message);
            break;
        case T::StageSkipped:
            bar_.line("[" + stage + "] skipped: " + e.message);
            break;
        case T::StageFailed:
            bar_.line("[" + stage + "] failed: " + e.message);
            break;
        case T::Batch: {
            std::snprintf(text, sizeof text, "%s epoch %d/%d batch %lld/%lld loss %.4f, overall ETA %s",
                          e.model.c_str(), e.batch.epoch, e.batch.epochs, (long long)e.batch.batch,
                          (long long)e.batch.batchesPerEpoch, e.batch.loss,
                          e.etaSeconds >= 0 ? formatDuration(e.etaSeconds).c_str() : "?");
            bar_.report("[" + stage + "] overall", e.overall, text);
            break;
        }
        case T::Epoch:
            std::snprintf(text, sizeof text, "[%s] %s epoch %d: train loss %.4f, test %.2f%% (%.1f s)", stage.c_str(),
                          e.model.c_str(), e.epoch.epoch, e.epoch.trainLoss,
                          e.epoch.test ? e.epoch.test->accuracy : 0.0, e.epoch.epochSeconds);
            bar_.line(text);
            break;
        case T::QatEpoch:
            std::snprintf(text, sizeof text, "[%s] QAT epoch %d: fake-quant %.2f%%, converted INT8 %.2f%%",
                          stage.c_str(), e.qatEpoch.epoch, e.qatEpoch.fakeQuant.accuracy, e.qatEpoch.int8.accuracy);
            bar_.line(text);
            break;
        case T::ModelMeasured:
            if (e.stage == Stage::Sweep) {
                std::snprintf(text, sizeof text, "[sweep %3.0f%%] %s %s: %lld params, %lld MACs%s", e.overall * 100,
                              e.message.c_str(), e.model.c_str(), (long long)e.result.params, (long long)e.result.macs,
                              e.result.cpuLatency
                                  ? fmt::format(", FP32 {:.2f} ms, INT8 {:.2f} ms", e.result.cpuLatency->median,
                                                e.result.int8CpuLatency ? e.result.int8CpuLatency->median : 0.0)
                                        .c_str()
                                  : "");
                bar_.line(text);
            } else {
                bar_.line(
                    "[measure] " + e.model + ": " +
                    (e.result.cpuLatency ? fmt::format("CPU {:.2f} ms (median)", e.result.cpuLatency->median) : ""));
            }
            break;
        case T::Progress:
            break;
        }
    }

private:
    ProgressBar& bar_;
};

std::vector<double> parseValues(const std::string& text)
{
    std::vector<double> out;
    if (std::count(text.begin(), text.end(), ':') == 2) {
        double from = 0, to = 0;
        int count = 0;
        if (std::sscanf(text.c_str(), "%lf:%lf:%d", &from, &to, &count) != 3 || count < 1)
            throw UsageError("--values: expected FROM:TO:COUNT, got \"" + text + "\"");
        for (int i = 0; i < count; ++i)
            out.push_back(count == 1 ? from : from + (to - from) * i / (count - 1));
        return out;
    }
    std::stringstream ss(text);
    for (std::string part; std::getline(ss, part, ',');) {
        try {
            size_t used = 0;
            out.push_back(std::stod(part, &used));
            if (used != part.size()) throw std::invalid_argument(part);
        } catch (const std::exception&) {
            throw UsageError("--values: expected numbers like 0.5,1,2 or FROM:TO:COUNT, got \"" + text + "\"");
        }
    }
    return out;
}

fs::path chooseOut(const std::string& out, bool resume, const std::string& name)
{
    if (out.empty()) {
        if (resume) throw UsageError("--resume: give the folder of the run to continue with --out");
        return defaultRunDir(name);
    }
    const fs::path p = out;
    const bool hasState = fs::exists(p / "state.json") || fs::exists(p / "sweep.json");
    if (hasState && !resume)
        throw UsageError("--out: " + out +
                         " holds an earlier run; add --resume to continue it, or choose another folder");
    if (resume && !hasState) throw UsageError("--resume: " + out + " holds no run to continue");
    return p;
}

/// The preset --preset names; an unknown name is a usage error listing the known ones.
Preset presetArg(const std::string& name)
{
    try {
        return findPreset(name);
    } catch (const ConfigError& e) {
        throw UsageError(std::string("--preset: ") + e.what());
    }
}

} // namespace

int runStudy(const StudyArgs& a, CLI::App* app)
{
    if (a.preset.empty() == a.config.empty()) throw UsageError("--preset: give either --preset NAME or --config FILE");
    ExperimentConfig cfg;
    if (!a.preset.empty()) {
        const Preset p = presetArg(a.preset);
        if (!p.study) throw UsageError("--preset: " + a.preset + " is a sweep preset (use phinet sweep --preset)");
        cfg = *p.study;
    } else {
        if (!fs::exists(a.config)) throw UsageError("--config: file \"" + a.config + "\" does not exist");
        cfg = loadExperimentConfig(a.config);
    }
    if (a.epochs >= 0) {
        if (a.epochs < 1) throw UsageError("--epochs: must be >= 1");
        cfg.trainOriginal.epochs = cfg.trainModified.epochs = a.epochs;
        cfg.quant.qatEpochs = std::min(cfg.quant.qatEpochs, a.epochs);
    }
    if (a.threads >= 0)
        cfg.trainOriginal.threads = cfg.trainModified.threads = cfg.quant.threads = cfg.bench.threads = a.threads;
    if (!a.dataDir.empty()) {
        if (!fs::is_directory(a.dataDir)) throw UsageError("--data-dir: folder \"" + a.dataDir + "\" does not exist");
        cfg.data.dataDir = a.dataDir;
    }
    // Given weights: the study takes the file's network (a micromind file without a config keeps the
    // study's), and the training stage loads them instead of training.
    for (const auto& [option, file, variant] :
         {std::tuple{"--weights-original", a.weightsOriginal, Variant::Original},
          std::tuple{"--weights-modified", a.weightsModified, Variant::Modified}}) {
        if (file.empty()) continue;
        if (!fs::is_regular_file(file))
            throw UsageError(std::string(option) + ": file \"" + file + "\" does not exist");
        ModelFileInfo info;
        try {
            info = inspectModelFile(file, variant == Variant::Original ? cfg.originalModel() : cfg.modifiedModel(),
                                    cfg.data);
        } catch (const Error& e) {
            throw UsageError(std::string(option) + ": " + e.what());
        }
        if (info.type == ModelFileType::WorkbenchInt8)
            throw UsageError(std::string(option) + ": " + file + " is an INT8 model; give the FP32 weights");
        if ((info.config.variant == Variant::Original) != (variant == Variant::Original))
            throw UsageError(std::string(option) + ": " + file + " holds a " + toString(info.config.variant) +
                             " PhiNet");
        if (info.configFromFile) adoptNetwork(cfg, info.config);
        (variant == Variant::Original ? cfg.weights.original : cfg.weights.modified) = fs::absolute(file).string();
        cfg.stages.trainOriginal = cfg.stages.trainOriginal || variant == Variant::Original;
        cfg.stages.trainModified = cfg.stages.trainModified || variant == Variant::Modified;
    }
    if (auto e = cfg.validate(); !e.empty()) throw UsageError(e.front().text());
    if (a.distributed) cfg.distributed = true;
    if (a.distTimeout < 1 || a.distTimeout > 86400) throw UsageError("--dist-timeout: must be in [1, 86400] seconds");
    // Distributed: every rank runs this command; rank 0 runs the study, the others join its training.
    DistributedEnv distEnv;
    if (cfg.distributed) {
        try {
            distEnv = distributedEnvFromEnvironment();
        } catch (const ConfigError& e) {
            throw UsageError(std::string("--distributed: ") + e.what());
        }
        if (distEnv.worldSize > 1 && a.out.empty())
            throw UsageError("--out: a distributed study needs the same --out folder on every rank");
    }
    CancelToken& cancel = interruptToken();
    installInterruptHandler();
    std::unique_ptr<ProcessGroup> group;
    if (distEnv.worldSize > 1) {
        ProcessGroup::Options po;
        po.timeout = std::chrono::seconds(a.distTimeout);
        group = std::make_unique<ProcessGroup>(distEnv, po);
        if (group->rank() != 0) {
            std::fprintf(stderr, "rank %d of %d: joining rank 0's study in %s\n", group->rank(), group->worldSize(),
                         a.out.c_str());
            runExperiment(cfg, a.out, nullptr, &cancel, group.get());
            std::fprintf(stderr, "rank %d: rank 0 finished the study\n", group->rank());
            return Ok;
        }
    } else if (cfg.distributed) {
        std::fprintf(stderr, "phinet: distributed study without RANK/WORLD_SIZE or SLURM_PROCID in the environment: "
                             "one process\n");
    }
    const auto out = chooseOut(a.out, a.resume, cfg.name);
    ProgressBar bar;
    bar.line("study \"" + cfg.name + "\" -> " + out.string());
    // what an earlier run in the folder lends this one: "reused: train-original, ...; run: qat, measure (why)"
    if (fs::exists(out / "state.json")) bar.line("stages: " + planStudy(cfg, out).summary());
    CliExperimentObserver obs(bar);
    auto r = runExperiment(cfg, out, &obs, &cancel, group.get());
    bar.finish();
    std::fputs(formatResultsTable(r.models).c_str(), stdout);
    std::fprintf(stderr, "results: %s and %s (run %lld)\n", r.csvPath.c_str(), r.jsonPath.c_str(), (long long)r.runId);
    if (r.cancelled)
        std::fprintf(stderr, "phinet: cancelled; continue with: phinet study %s%s --out %s --resume\n",
                     a.preset.empty() ? "--config " : "--preset ", (a.preset.empty() ? a.config : a.preset).c_str(),
                     out.c_str());
    if (a.json) {
        json rows = json::array();
        for (const auto& m : r.models)
            rows.push_back(toJson(m));
        std::cout << json{{"run_id", r.runId},
                          {"out", out.string()},
                          {"csv", r.csvPath.string()},
                          {"json", r.jsonPath.string()},
                          {"cancelled", r.cancelled},
                          {"results", rows},
                          {"manifest", toJson(r.manifest)}}
                         .dump()
                  << std::endl;
    }
    return r.cancelled ? CancelledByUser : Ok;
}

int runSweepCommand(const SweepArgs& a, CLI::App* app)
{
    if (auto* merge = app->get_subcommand("merge"); merge->parsed()) {
        std::vector<fs::path> dirs;
        for (const auto& d : a.mergeDirs) {
            if (!fs::is_directory(d)) throw UsageError("dirs: folder \"" + d + "\" does not exist");
            dirs.emplace_back(d);
        }
        fs::path out = a.mergeOut;
        if (out.empty()) {
            const auto st = readJsonFile(dirs.front() / "results.json");
            out = defaultRunDir(st.value("config", nlohmann::json::object()).value("name", std::string("sweep")) +
                                "-merged");
        }
        auto r = mergeSweepShards(dirs, out);
        std::fprintf(stderr, "%zu shards, %d points; results: %s (run %lld)\n", dirs.size(), r.pointsDone,
                     r.csvPath.c_str(), (long long)r.runId);
        if (a.mergeJson)
            std::cout << json{{"run_id", r.runId},
                              {"out", out.string()},
                              {"csv", r.csvPath.string()},
                              {"points_done", r.pointsDone},
                              {"rows", r.rows.size()}}
                             .dump()
                      << std::endl;
        return Ok;
    }
    SweepShard shard;
    if (!a.shard.empty()) {
        const auto slash = a.shard.find('/');
        try {
            if (slash == std::string::npos) throw std::invalid_argument("no /");
            size_t used = 0;
            shard.index = std::stoi(a.shard.substr(0, slash), &used);
            if (used != slash) throw std::invalid_argument("K");
            shard.count = std::stoi(a.shard.substr(slash + 1), &used);
            if (used != a.shard.size() - slash - 1) throw std::invalid_argument("N");
        } catch (const std::exception&) {
            throw UsageError("--shard: expected K/N (e.g. 0/4), got \"" + a.shard + "\"");
        }
        if (shard.count < 1 || shard.count > 100000 || shard.index < 0 || shard.index >= shard.count)
            throw UsageError("--shard: K must be in [0, N) and N in [1, 100000], got " + a.shard);
    }
    SweepConfig cfg;
    if (!a.preset.empty()) {
        if (!a.knob.empty() || !a.values.empty()) throw UsageError("--preset: give either --preset or --knob/--values");
        const Preset p = presetArg(a.preset);
        if (!p.sweep) throw UsageError("--preset: " + a.preset + " is a study preset (use phinet study --preset)");
        cfg = *p.sweep;
    } else {
        if (a.knob.empty()) throw UsageError("--knob: give the knob to vary (num_layers, alpha, beta, t0) or --preset");
        cfg.knob = a.knob == "layers" ? "num_layers" : a.knob;
        if (a.values.empty()) throw UsageError("--values: give the values to sweep");
        cfg.values = parseValues(a.values);
        cfg.base = a.model.toConfig();
        cfg.name = "sweep-" + cfg.knob;
        cfg.bench.runs = 20;
        cfg.bench.warmup = 3;
    }
    if (a.runs >= 0) {
        if (a.runs < 1) throw UsageError("--runs: must be >= 1");
        cfg.bench.runs = a.runs;
    }
    if (a.threads >= 0) cfg.bench.threads = a.threads;
    if (a.paramsOnly) cfg.measureLatency = cfg.measureInt8 = false;
    if (!a.target.empty()) {
        const auto targets = listTargets(); // a bad targets file is a bad file (exit 1), not a bad argument
        try {
            cfg.target = findTarget(targets, a.target).name;
        } catch (const ConfigError& e) {
            throw UsageError(std::string("--target: ") + e.what());
        }
    }
    if (a.reserveRamKb >= 0) cfg.reserve.ramBytes = std::llround(a.reserveRamKb * 1024);
    if (a.reserveFlashKb >= 0) cfg.reserve.flashBytes = std::llround(a.reserveFlashKb * 1024);
    if (auto e = cfg.validate(); !e.empty()) {
        const auto& p = e.front();
        if (p.field == "sweep.knob") throw UsageError("--knob: " + p.message);
        if (p.field.rfind("sweep.values", 0) == 0) // "sweep.values" or one of them, "sweep.values[2]"
            throw UsageError("--values: " + (p.field == "sweep.values" ? "" : p.field.substr(6) + ": ") + p.message);
        throw UsageError(p.text());
    }
    // every point's network, before the first point runs (runSweep checks again)
    if (auto e = validateSweepPoints(cfg); !e.empty()) throw UsageError(e.front().text());
    const auto out = chooseOut(a.out, a.resume, cfg.name);
    CancelToken& cancel = interruptToken();
    installInterruptHandler();
    ProgressBar bar;
    bar.line("sweep \"" + cfg.name + "\" over " + cfg.knob + " (" + std::to_string(cfg.values.size()) + " points) -> " +
             out.string());
    CliExperimentObserver obs(bar);
    auto r = runSweep(cfg, out, &obs, &cancel, shard);
    bar.finish();
    std::fprintf(stderr, "%d/%d points; results: %s (run %lld)\n", r.pointsDone, r.pointsTotal, r.csvPath.c_str(),
                 (long long)r.runId);
    if (r.cancelled) std::fprintf(stderr, "phinet: cancelled; continue with --out %s --resume\n", out.c_str());
    if (a.json) {
        json rows = json::array();
        for (const auto& m : r.rows)
            rows.push_back(toJson(m));
        std::cout << json{{"run_id", r.runId},        {"out", out.string()},         {"csv", r.csvPath.string()},
                          {"cancelled", r.cancelled}, {"points_done", r.pointsDone}, {"points_total", r.pointsTotal},
                          {"results", rows}}
                         .dump()
                  << std::endl;
    }
    return r.cancelled ? CancelledByUser : Ok;
}

void addRunsCommands(CLI::App& app, RunsArgs& args, std::string& action)
{
    auto* runs = app.add_subcommand("runs", "run history: list, show, export, delete runs; list presets");
    runs->require_subcommand(1);
    auto* list = runs->add_subcommand("list", "list the recorded runs");
    list->add_flag("--json", args.json, "JSON output");
    list->callback([&] { action = "list"; });
    auto* show = runs->add_subcommand("show", "show a run's config, manifest and results");
    show->add_option("id", args.id, "run id")->required();
    show->add_flag("--json", args.json, "JSON output");
    show->callback([&] { action = "show"; });
    auto* exp = runs->add_subcommand("export", "write a run's results as CSV, or the whole run into a folder");
    exp->add_option("id", args.id, "run id")->required();
    auto* out = exp->add_option("--out", args.out, "CSV file to write");
    auto* folder = exp->add_option("--folder", args.folder,
                                   "folder to write results.csv, results.json, epochs.csv and config.json into");
    out->excludes(folder);
    folder->excludes(out);
    exp->callback([&] { action = "export"; });
    auto* del = runs->add_subcommand("delete", "delete a run from the history (its files stay)");
    del->add_option("id", args.id, "run id")->required();
    del->callback([&] { action = "delete"; });
    auto* presets = runs->add_subcommand("presets", "list the study and sweep presets");
    presets->add_flag("--json", args.json, "JSON output");
    presets->callback([&] { action = "presets"; });
}

int runRuns(const std::string& action, const RunsArgs& a)
{
    if (action == "presets") {
        json out = json::array();
        for (const auto& p : listPresets()) {
            if (a.json)
                out.push_back(
                    {{"name", p.name}, {"kind", p.kind}, {"description", p.description}, {"path", p.path.string()}});
            else
                std::printf("%-22s %-6s %s\n", p.name.c_str(), p.kind.c_str(), p.description.c_str());
        }
        if (a.json) std::cout << out.dump() << std::endl;
        return Ok;
    }
    if (action == "export" && a.out.empty() && a.folder.empty())
        throw UsageError("--out: give the CSV file (--out FILE) or a folder for the whole run (--folder DIR)");
    RunStore store;
    if (action == "list") {
        const auto runs = store.list();
        if (a.json) {
            json out = json::array();
            for (const auto& r : runs)
                out.push_back({{"id", r.id},
                               {"kind", r.kind},
                               {"name", r.name},
                               {"status", r.status},
                               {"created", r.created},
                               {"out", r.outDir},
                               {"results", r.resultCount}});
            std::cout << out.dump() << std::endl;
        } else {
            std::printf("%5s %-6s %-24s %-10s %-21s %7s  %s\n", "id", "kind", "name", "status", "created", "rows",
                        "folder");
            for (const auto& r : runs)
                std::printf("%5lld %-6s %-24s %-10s %-21s %7d  %s\n", (long long)r.id, r.kind.c_str(), r.name.c_str(),
                            r.status.c_str(), r.created.c_str(), r.resultCount, r.outDir.c_str());
        }
        return Ok;
    }
    RunDetails d;
    try {
        d = store.show(a.id);
    } catch (const ConfigError& e) {
        throw UsageError(std::string("id: ") + e.what());
    }
    if (action == "show") {
        json rows = json::array();
        for (const auto& r : d.results)
            rows.push_back(toJson(r));
        if (a.json) {
            std::cout << json{{"id", d.info.id},         {"kind", d.info.kind},       {"name", d.info.name},
                              {"status", d.info.status}, {"created", d.info.created}, {"out", d.info.outDir},
                              {"config", d.config},      {"manifest", d.manifest},    {"results", rows}}
                             .dump()
                      << std::endl;
        } else {
            std::printf("run %lld: %s \"%s\", %s, created %s\nfolder: %s\n", (long long)d.info.id, d.info.kind.c_str(),
                        d.info.name.c_str(), d.info.status.c_str(), d.info.created.c_str(), d.info.outDir.c_str());
            std::printf("machine: %s; LibTorch %s; threads %d; engine %s\n\n", d.manifest.value("cpu", "").c_str(),
                        d.manifest.value("libtorch_version", "").c_str(), d.manifest.value("threads", 0),
                        d.manifest.value("engine", "").c_str());
            std::cout << toCsv(d.results);
        }
        return Ok;
    }
    if (action == "export" && !a.folder.empty()) {
        EpochLog epochs;
        for (const auto& e : d.epochs)
            epochs.emplace_back(e.model, e.summary);
        const auto files = writeRunFolder(a.folder, d.results, epochs, d.config, d.manifest);
        std::fprintf(stderr, "wrote %zu files (%zu rows) to %s\n", files.size(), d.results.size(), a.folder.c_str());
        return Ok;
    }
    if (action == "export") {
        writeFileAtomic(a.out, toCsv(d.results));
        std::fprintf(stderr, "wrote %zu rows to %s\n", d.results.size(), a.out.c_str());
        return Ok;
    }
    if (action == "delete") {
        store.remove(a.id);
        std::fprintf(stderr, "deleted run %lld from the history\n", (long long)a.id);
        return Ok;
    }
    return BadArguments;
}

} // namespace phinet::cli
