#include "TrainCommands.h"

#include "Progress.h"

#include "phinet/common/Error.h"
#include "phinet/export/Micromind.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"
#include "phinet/common/Threads.h"
#include "phinet/model/ConfigJson.h"
#include "phinet/train/Distributed.h"
#include "phinet/train/Trainer.h"

#include <ctime>
#include <map>
#include <iostream>

namespace phinet::cli {
namespace fs = std::filesystem;
using nlohmann::json;

void DataArgs::add(CLI::App* app)
{
    app->add_option("--dataset", dataset, "mnist | fashion-mnist | cifar10 | folder")->capture_default_str();
    app->add_option("--data-dir", dataDir,
                    "folder of the data set (default: the user's data folder, or the bundled MNIST subset)");
    app->add_option("--limit-train", limitTrain, "use only N training images (0 = all)");
    app->add_option("--limit-test", limitTest, "use only N test images (0 = all)");
    app->add_option("--validation", validation, "fraction of the training set held out for validation");
    app->add_flag("--augment", augment, "random crop (padding 4) and horizontal flip on training images");
}

namespace {

DataConfig toDataConfig(const DataArgs& a)
{
    DataConfig d;
    auto kind = datasetKindFromString(a.dataset);
    if (!kind)
        throw UsageError("--dataset: expected mnist, fashion-mnist, cifar10 or folder, got \"" + a.dataset + "\"");
    d.kind = *kind;
    d.dataDir = a.dataDir;
    if (!a.dataDir.empty() && !fs::is_directory(a.dataDir))
        throw UsageError("--data-dir: folder \"" + a.dataDir + "\" does not exist");
    if (d.kind == DatasetKind::Folder && a.dataDir.empty())
        throw UsageError("--data-dir: --dataset folder needs a folder");
    if (a.limitTrain < 0) throw UsageError("--limit-train: must be >= 0");
    if (a.limitTest < 0) throw UsageError("--limit-test: must be >= 0");
    if (a.validation < 0 || a.validation >= 1) throw UsageError("--validation: must be in [0, 1)");
    d.limitTrain = a.limitTrain;
    d.limitTest = a.limitTest;
    d.validationFraction = a.validation;
    d.augment = a.augment;
    return d;
}

std::string defaultCheckpointPath(const PhiNetConfig& m, const DataConfig& d)
{
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    return (userDataDir() / "checkpoints" / (toString(m.variant) + "-" + toString(d.kind) + "-" + stamp + ".ckpt"))
        .string();
}

/// Prints the bar while training runs and one line per epoch.
class CliTrainObserver : public TrainObserver {
public:
    explicit CliTrainObserver(ProgressBar& bar) : bar_(bar) {}
    void onBatch(const BatchProgress& p) override { bar_.reportBatch("", p); }
    void onEpoch(const EpochSummary& e) override
    {
        char text[256];
        std::snprintf(text, sizeof text, "epoch %d/%d: train loss %.4f acc %.2f%%", e.epoch, e.epochs, e.trainLoss,
                      e.trainAccuracy);
        std::string line = text;
        if (e.validation) {
            std::snprintf(text, sizeof text, ", val loss %.4f acc %.2f%%", e.validation->loss, e.validation->accuracy);
            line += text;
        }
        if (e.test) {
            std::snprintf(text, sizeof text, ", test loss %.4f acc %.2f%%", e.test->loss, e.test->accuracy);
            line += text;
        }
        std::snprintf(text, sizeof text, " (%.1f s, %.0f img/s)", e.epochSeconds, e.imagesPerSecond);
        bar_.line(line + text);
    }

private:
    ProgressBar& bar_;
};

} // namespace

void TrainArgs::add(CLI::App* app)
{
    model.add(app);
    data.add(app);
    // Every training setting, named after its JSON key (--contiguous kept as --no-channels-last).
    trainOptions.add(app, training, "Training", {{"channels_last", "!--contiguous"}});
    // runTrain decays three times over the run unless --step-epochs is given: say so in the help.
    app->get_option("--step-epochs")->default_str("epochs / 3");
    app->add_option("--out", out, "checkpoint written after every epoch (default: the user's data folder)");
    app->add_option("--resume", resume, "continue from this checkpoint");
    app->add_flag("--json", json, "one JSON object on the last line of stdout");
    app->add_flag(
        "--distributed", distributed,
        "data-parallel over c10d/Gloo: rank and world from RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT "
        "(torchrun, PyTorchJob, phinet launch) or SLURM_PROCID, SLURM_NTASKS; --batch-size is the global batch");
    app->add_option("--dist-timeout", distTimeout,
                    "seconds a rank waits for the others (rendezvous, all-reduce) before giving up")
        ->capture_default_str();
}

int runTrain(const TrainArgs& a, CLI::App* app)
{
    DataConfig dataCfg = toDataConfig(a.data);
    TrainRequest req;
    auto& t = req.config;
    t = a.training;
    // the step schedule decays three times over the run unless --step-epochs says otherwise
    if (app->count("--step-epochs") == 0) t.stepEpochs = std::max(1, t.epochs / 3);
    a.trainOptions.throwIfProblems(t.validate());
    if (!a.resume.empty() && !fs::exists(a.resume))
        throw UsageError("--resume: checkpoint \"" + a.resume + "\" does not exist");
    if (a.distTimeout < 1 || a.distTimeout > 86400) throw UsageError("--dist-timeout: must be in [1, 86400] seconds");
    DistributedEnv distEnv;
    if (a.distributed) {
        try {
            distEnv = distributedEnvFromEnvironment();
        } catch (const ConfigError& e) {
            throw UsageError(std::string("--distributed: ") + e.what());
        }
        if (distEnv.worldSize > t.batchSize)
            throw UsageError("--batch-size: the global batch (" + std::to_string(t.batchSize) +
                             ") must be at least the number of ranks (" + std::to_string(distEnv.worldSize) + ")");
    }
    const bool leader = distEnv.rank == 0;

    CancelToken& cancel = interruptToken();
    installInterruptHandler();
    setComputeThreads(t.threads);
    auto data = loadData(dataCfg, &cancel);
    std::unique_ptr<ProcessGroup> group;
    if (a.distributed) {
        if (distEnv.worldSize == 1 && leader)
            std::cerr << "phinet: --distributed without RANK/WORLD_SIZE or SLURM_PROCID in the environment: one process"
                      << std::endl;
        if (distEnv.worldSize > 1) {
            ProcessGroup::Options po;
            po.timeout = std::chrono::seconds(a.distTimeout);
            group = std::make_unique<ProcessGroup>(distEnv, po);
        }
    }

    PhiNetConfig modelCfg;
    if (!a.resume.empty()) {
        auto ck = loadCheckpoint(a.resume);
        modelCfg = ck.meta.model;
    } else {
        ModelArgs m = a.model;
        if (app->count("--input") == 0)
            m.input = std::to_string(data.train->channels()) + "," + std::to_string(data.train->height()) + "," +
                      std::to_string(data.train->width());
        if (app->count("--classes") == 0) m.classes = std::max<int>(2, int(data.train->classes.size()));
        modelCfg = m.toConfig();
    }
    torch::manual_seed(t.seed);
    PhiNet model(modelCfg);
    req.checkpointPath = a.out.empty() ? defaultCheckpointPath(modelCfg, dataCfg) : a.out;
    req.resumeFrom = a.resume;
    req.group = group.get();

    const auto info = data.info();
    ProgressBar bar;
    if (leader)
        bar.line("training PhiNet " + toString(modelCfg.variant) + " (" + withThousands(model->parameterCount()) +
                 " params) on " + toString(dataCfg.kind) + ": " + std::to_string(info.trainCount) + " train / " +
                 std::to_string(info.testCount) + " test images from " + info.source + ", " +
                 std::to_string(t.threads ? t.threads : hardwareThreads()) + " threads" +
                 (group ? ", rank 0 of " + std::to_string(distEnv.worldSize) + " (global batch " +
                              std::to_string(t.batchSize) + ")"
                        : ""));
    CliTrainObserver observer(bar);
    // Rank 0 alone reports; the others train silently (errors still go to their stderr).
    auto result = train(model, data, req, leader ? &observer : nullptr, &cancel);
    bar.finish();
    if (!leader) return result.cancelled ? CancelledByUser : Ok;
    if (result.cancelled)
        std::cerr << "phinet: cancelled after " << result.epochsDone << " finished epoch(s)"
                  << (result.checkpoint.empty() ? "" : "; resume with --resume " + result.checkpoint.string())
                  << std::endl;
    else
        std::cerr << "checkpoint: " << req.checkpointPath.string() << std::endl;

    if (a.json) {
        json epochs = json::array();
        for (const auto& e : result.epochs)
            epochs.push_back(toJson(e));
        json out{{"model", toJson(modelCfg)},
                 {"params", model->parameterCount()},
                 {"dataset", toString(dataCfg.kind)},
                 {"train_images", info.trainCount},
                 {"test_images", info.testCount},
                 {"epochs", epochs},
                 {"epochs_done", result.epochsDone},
                 {"cancelled", result.cancelled},
                 {"train_seconds", result.trainSeconds},
                 {"images_per_second", result.imagesPerSecond},
                 {"threads", t.threads ? t.threads : hardwareThreads()},
                 {"batch_size", t.batchSize},
                 {"checkpoint", result.checkpoint.string()},
                 {"world_size", result.worldSize},
                 {"comm_ms_per_step", 1000 * result.commSecondsPerStep},
                 {"allreduce_bytes_per_step", result.allreduceBytesPerStep}};
        if (result.finalTest) {
            out["test_accuracy"] = result.finalTest->accuracy;
            out["test_loss"] = result.finalTest->loss;
            out["confusion"] = result.finalTest->confusion;
        } else {
            out["test_accuracy"] = nullptr;
            out["test_loss"] = nullptr;
        }
        std::cout << out.dump() << std::endl;
    }
    return result.cancelled ? CancelledByUser : Ok;
}

void EvalArgs::add(CLI::App* app)
{
    app->add_option("--ckpt", ckpt, "checkpoint to evaluate")->required();
    data.add(app);
    app->add_option("--batch-size", batchSize, "evaluation batch size")->capture_default_str();
    app->add_option("--threads", threads, "compute threads (0 = all cores)")->capture_default_str();
    app->add_flag("--json", json, "one JSON object on the last line of stdout");
}

int runEval(const EvalArgs& a, CLI::App* app)
{
    if (!fs::exists(a.ckpt)) throw UsageError("--ckpt: checkpoint \"" + a.ckpt + "\" does not exist");
    if (a.batchSize < 1) throw UsageError("--batch-size: must be >= 1");
    auto ck = openFp32Model(a.ckpt); // a workbench checkpoint or a micromind-named safetensors file
    // The data set defaults to the checkpoint's, with its normalisation; options override.
    DataConfig d = ck.meta.data;
    if (app->count("--dataset") || app->count("--data-dir")) {
        auto given = toDataConfig(a.data);
        d.kind = given.kind;
        d.dataDir = given.dataDir;
        if (given.kind != ck.meta.data.kind) d.mean.clear(), d.std.clear();
    }
    d.limitTest = a.data.limitTest;
    d.limitTrain = 0;
    d.validationFraction = 0;
    CancelToken& cancel = interruptToken();
    installInterruptHandler();
    const int threads = setComputeThreads(a.threads);
    auto data = loadData(d, &cancel);
    const auto r = evaluate(ck.model, data.test, data.config, a.batchSize, true, &cancel);
    if (a.json) {
        json out = toJson(r);
        out["test_accuracy"] = r.accuracy;
        out["test_loss"] = r.loss;
        out["checkpoint"] = a.ckpt;
        out["threads"] = threads;
        out["batch_size"] = a.batchSize;
        out["model"] = toJson(ck.meta.model);
        std::cout << out.dump() << std::endl;
    } else {
        std::printf("test accuracy %.2f%%, loss %.4f on %lld images (%.0f images/s, %d threads, batch %d)\n",
                    r.accuracy, r.loss, (long long)r.count, r.imagesPerSecond, threads, a.batchSize);
    }
    return Ok;
}

} // namespace phinet::cli
