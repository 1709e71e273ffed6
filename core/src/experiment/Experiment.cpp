#include "phinet/experiment/Experiment.h"

#include "phinet/bench/ModelBench.h"
#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"
#include "phinet/common/Threads.h"
#include "phinet/data/DataPreview.h"
#include "phinet/experiment/StageCache.h"
#include "phinet/export/Micromind.h"
#include "phinet/model/ConfigJson.h"
#include "phinet/quant/Quantizer.h"
#include "phinet/report/RunStore.h"
#include "phinet/train/Distributed.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <set>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

fs::path defaultRunDir(const std::string& name)
{
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    return userDataDir() / "runs" / (name + "-" + stamp);
}

namespace {
/// The store key of a distributed study's n-th command to the other ranks.
std::string followerKey(int n)
{
    return "phinet/study/command/" + std::to_string(n);
}
/// Where rank r says it has read the last command (rank 0 serves the store until then).
std::string followerAckKey(int r)
{
    return "phinet/study/ack/" + std::to_string(r);
}
} // namespace

namespace {

/// The study's four models, in report order.
const std::vector<std::string> kStudyModels{"original-fp32", "modified-fp32", "modified-ptq-int8", "modified-qat-int8"};

constexpr double kMib = 1024.0 * 1024.0;

/// The comparison protocol of a bench config: `runs` timed runs per model split across `rounds`.
ComparisonProtocol comparisonProtocol(const BenchConfig& b)
{
    ComparisonProtocol p;
    p.rounds = b.rounds;
    p.runsPerRound = std::max(1, (b.runs + b.rounds - 1) / b.rounds);
    p.warmup = b.warmup;
    p.batch = b.batch;
    p.threads = b.threads;
    return p;
}

/// The error for a damaged state file: it names the file and what is wrong.
DataError corruptState(const fs::path& p, const std::string& what)
{
    return DataError(p.string() + ": corrupt run state: " + what + " (delete the folder to start over)");
}

/// A run's state file (state.json, sweep.json), bounded, with the fields every run reads checked:
/// an object with "config", and "run_id" a positive integer when present.
json readState(const fs::path& p)
{
    json j;
    try {
        j = readJsonFile(p);
    } catch (const Error& e) {
        throw DataError(std::string(e.what()) + " (corrupt run state; delete the folder to start over)");
    }
    if (!j.is_object()) throw corruptState(p, "expected a JSON object");
    if (!j.contains("config")) throw corruptState(p, "no \"config\"");
    if (j.contains("run_id") && !(j["run_id"].is_number_integer() && j["run_id"].get<std::int64_t>() > 0))
        throw corruptState(p, "\"run_id\" must be a positive integer, got " + j["run_id"].dump());
    return j;
}

/// A study's state.json: readState plus "done" (a list of stage names) and "rows" (model name ->
/// a result row of that model).
json readStudyState(const fs::path& p)
{
    json j = readState(p);
    if (!j.contains("done") || !j["done"].is_array()) throw corruptState(p, "\"done\" must be a list of stage names");
    for (const auto& s : j["done"])
        if (!s.is_string()) throw corruptState(p, "\"done\" must be a list of stage names, got " + s.dump());
    if (!j.contains("rows") || !j["rows"].is_object())
        throw corruptState(p, "\"rows\" must be an object of result rows");
    if (j.contains("stages")) { // the stage cache: stage name -> {"key", "inputs", "file_hash" when finished}
        if (!j["stages"].is_object()) throw corruptState(p, "\"stages\" must be an object of stage keys");
        for (const auto& [stage, entry] : j["stages"].items()) {
            const bool ok = stageFromString(stage) && entry.is_object() && entry.contains("key") &&
                            entry["key"].is_string() && entry.contains("inputs") &&
                            (!entry.contains("file_hash") || entry["file_hash"].is_string());
            if (!ok) throw corruptState(p, "stages." + stage + ": expected {\"key\", \"inputs\"[, \"file_hash\"]}");
        }
    }
    for (const auto& [model, row] : j["rows"].items()) {
        if (std::find(kStudyModels.begin(), kStudyModels.end(), model) == kStudyModels.end())
            throw corruptState(p, "rows: unknown model \"" + model + "\"");
        try {
            if (!row.is_object() || modelResultFromJson(row).model != model)
                throw corruptState(p, "rows." + model + ": not a row of " + model);
        } catch (const json::exception& e) {
            throw corruptState(p, "rows." + model + ": " + e.what());
        } catch (const ConfigError& e) { // a whole number that is not one
            throw corruptState(p, "rows." + model + ": " + e.what());
        }
    }
    return j;
}

std::string inputString(const PhiNetConfig& c)
{
    return std::to_string(c.input[0]) + "," + std::to_string(c.input[1]) + "," + std::to_string(c.input[2]);
}

ModelResult describe(const std::string& name, const PhiNetConfig& c, Precision precision)
{
    const auto s = summarize(c);
    ModelResult r;
    r.model = name;
    r.variant = toString(c.variant);
    r.precision = precision;
    r.alpha = c.alpha;
    r.beta = c.beta;
    r.t0 = c.t0;
    r.layers = c.numLayers;
    r.input = inputString(c);
    r.params = s.params;
    r.macs = s.macs;
    r.flashBytesInt8 = s.flashBytesInt8;
    r.peakRamBytesInt8 = s.peakRamBytesInt8;
    return r;
}

/// Progress bookkeeping over weighted stages.
struct Progress {
    std::vector<std::pair<Stage, double>> weights;
    std::map<Stage, double> done; // stage -> fraction
    Clock::time_point start = Clock::now();
    double overall() const
    {
        double total = 0, got = 0;
        for (const auto& [s, w] : weights) {
            total += w;
            auto it = done.find(s);
            if (it != done.end()) got += w * it->second;
        }
        return total > 0 ? got / total : 0;
    }
    double eta() const
    {
        const double o = overall();
        const double el = std::chrono::duration<double>(Clock::now() - start).count();
        return o > 0.01 ? el * (1 - o) / o : -1;
    }
};

class Pipeline {
public:
    Pipeline(const ExperimentConfig& c, const fs::path& out, ExperimentObserver* obs, const CancelToken* cancel,
             ProcessGroup* group)
        : cfg_(c), out_(out), obs_(obs), cancel_(cancel), group_(group && group->worldSize() > 1 ? group : nullptr)
    {
    }

    ExperimentResult run()
    {
        if (auto e = cfg_.validate(); !e.empty()) throw ConfigError(e);
        fs::create_directories(out_);
        // One run per folder at a time (the GUI and a CLI --resume would clobber each other's files);
        // held until this pipeline is gone, released by the kernel if the process dies.
        lock_.emplace(out_);
        for (const auto& f : removeStaleTemporaries(out_))
            logger()->info("removed {}, left by an interrupted write", f.string());
        statePath_ = out_ / "state.json";
        const json configJson = toJson(cfg_);
        const bool earlier = fs::exists(statePath_);
        if (earlier) state_ = readStudyState(statePath_);
        dataInputs_ = stagecache::dataInputs(cfg_.data);
        plan_ = stagecache::planFromState(cfg_, earlier ? state_ : json(), out_, dataInputs_);
        logger()->info("stages: {}", plan_.summary());
        // The same config continues its run of the history; another one is a new run of the history
        // that starts with the results it reuses.
        const bool sameConfig = earlier && state_["config"] == configJson;
        if (!earlier) state_ = {{"config", configJson}, {"done", json::array()}, {"rows", json::object()}};
        const json before = state_;
        forgetStagesThatRun();
        state_["config"] = configJson;
        const int threads = cfg_.trainModified.threads ? cfg_.trainModified.threads : hardwareThreads();
        result_.manifest = makeManifest(configJson, cfg_.trainModified.seed, toString(cfg_.quant.engine), threads);
        result_.outDir = out_;
        const std::int64_t earlierRun = state_.contains("run_id") ? state_["run_id"].get<std::int64_t>() : 0;
        if (sameConfig && earlierRun > 0 && store_.exists(earlierRun)) {
            runId_ = earlierRun;
            store_.setStatus(runId_, "running");
            try {
                if (state_ != before) saveState();
            } catch (const std::exception& e) {
                store_.setStatus(runId_, "failed", e.what());
                throw;
            }
        } else {
            // A new run, one of another config, or one deleted from the history since: record it (again)
            // with what it has, and the epochs of the training it reuses.
            runId_ = store_.createRun("study", cfg_.name, configJson, toJson(result_.manifest), out_.string());
            for (const auto& m : kStudyModels)
                if (auto r = row(m)) store_.putResult(runId_, *r);
            if (earlierRun > 0 && earlierRun != runId_ && store_.exists(earlierRun))
                for (const auto& ep : store_.show(earlierRun).epochs)
                    for (Stage s : {Stage::TrainOriginal, Stage::TrainModified, Stage::Qat})
                        if (stagecache::stageModel(s) == ep.model && reused(s))
                            store_.addEpoch(runId_, ep.model, ep.summary);
            state_["run_id"] = runId_;
            try {
                saveState();
            } catch (const std::exception& e) {
                store_.setStatus(runId_, "failed", e.what());
                throw;
            }
        }
        result_.runId = runId_;
        setupProgress();
        try {
            try {
                stages();
            } catch (const Cancelled&) {
                result_.cancelled = true;
            }
            currentStage_ = Stage::Report;
            writeReport();
            store_.setStatus(runId_, result_.cancelled ? "cancelled" : "finished");
        } catch (const std::exception& e) {
            emitStage(ExperimentEvent::Type::StageFailed, currentStage_, "", e.what());
            // The first error is the one to report: a second one (the same full disk) is only logged.
            try {
                store_.setStatus(runId_, "failed", e.what());
                if (currentStage_ != Stage::Report) writeReport();
            } catch (const std::exception& e2) {
                logger()->error("after the failure, the report could not be written either: {}", e2.what());
            }
            throw;
        }
        return result_;
    }

private:
    // ---- state ----
    bool isDone(Stage stage) const
    {
        for (const auto& s : state_["done"])
            if (s == toString(stage)) return true;
        return false;
    }
    void markDone(Stage stage)
    {
        if (!isDone(stage)) state_["done"].push_back(toString(stage));
        saveState();
    }
    /// Stages the plan runs lose their done mark and result row before anything runs: a cancelled
    /// run reports only what is current, and a later run never mistakes them for finished.
    void forgetStagesThatRun()
    {
        for (const auto& e : plan_.stages) {
            if (e.action == StagePlanEntry::Action::Reuse &&
                !state_.value("stages", json::object()).contains(toString(e.stage))) {
                // a run from before stage keys: its finished stages get the keys of the config it ran
                recordStageStart(e.stage, false);
                if (!stagecache::stageFile(e.stage).empty()) recordStageFile(e.stage);
            }
            if (e.action != StagePlanEntry::Action::Run) continue;
            if (isDone(e.stage)) wasDone_.insert(e.stage);
            auto& done = state_["done"];
            for (auto it = done.begin(); it != done.end();)
                it = *it == toString(e.stage) ? done.erase(it) : it + 1;
            if (const auto m = stagecache::stageModel(e.stage); !m.empty()) state_["rows"].erase(m);
        }
    }
    bool reused(Stage s) const
    {
        const auto* e = plan_.find(s);
        return e && e->action == StagePlanEntry::Action::Reuse;
    }
    /// The hashes of the model files a stage reads (null: that stage is switched off).
    json upstreamHashes(Stage s) const
    {
        json up = json::object();
        auto add = [&](Stage from, bool on) {
            const auto name = toString(from);
            const json none;
            const auto& st = state_.contains("stages") ? state_["stages"] : none;
            up[stagecache::stageModel(from)] =
                on && st.contains(name) && st[name].contains("file_hash") ? st[name]["file_hash"] : json();
        };
        if (s == Stage::Ptq || s == Stage::Qat || s == Stage::Measure)
            add(Stage::TrainModified, cfg_.stages.trainModified);
        if (s == Stage::Qat || s == Stage::Measure) add(Stage::Ptq, cfg_.stages.ptq);
        if (s == Stage::Measure) {
            add(Stage::TrainOriginal, cfg_.stages.trainOriginal);
            add(Stage::Qat, cfg_.stages.qat);
        }
        return up;
    }
    /// Records the inputs a stage starts from (its key); returns whether they are the ones an earlier,
    /// unfinished run of it started from (its partial output can be continued).
    bool recordStageStart(Stage s, bool save = true)
    {
        const json inputs = stagecache::stageInputs(cfg_, s, dataInputs_, upstreamHashes(s));
        const std::string key = stagecache::jsonHash(inputs), name = toString(s);
        if (!state_.contains("stages") || !state_["stages"].is_object()) state_["stages"] = json::object();
        const bool same = state_["stages"].contains(name) && state_["stages"][name].value("key", "") == key;
        state_["stages"][name] = json{{"key", key}, {"inputs", inputs}};
        if (save) saveState();
        return same && !wasDone_.count(s);
    }
    void recordStageFile(Stage s)
    {
        state_["stages"][toString(s)]["file_hash"] = stagecache::fileHash(out_ / stagecache::stageFile(s));
    }
    void saveState() { writeJsonFile(statePath_, state_); }
    void putRow(const ModelResult& r)
    {
        state_["rows"][r.model] = toJson(r);
        saveState();
        store_.putResult(runId_, r);
    }
    /// The row of a model, when the stage producing it is switched on (a switched-off stage's row of
    /// an earlier run stays in the state, out of the report).
    std::optional<ModelResult> row(const std::string& model) const
    {
        if (!state_["rows"].contains(model)) return std::nullopt;
        const bool on = model == "original-fp32"       ? cfg_.stages.trainOriginal
                        : model == "modified-fp32"     ? cfg_.stages.trainModified
                        : model == "modified-ptq-int8" ? cfg_.stages.ptq
                                                       : cfg_.stages.qat;
        if (!on) return std::nullopt;
        return modelResultFromJson(state_["rows"][model]);
    }

    // ---- events ----
    void emit(ExperimentEvent e)
    {
        e.overall = progress_.overall();
        e.etaSeconds = progress_.eta();
        if (obs_) obs_->onEvent(e);
    }
    void emitStage(ExperimentEvent::Type t, Stage stage, const std::string& model, const std::string& msg)
    {
        ExperimentEvent e;
        e.type = t;
        e.stage = stage;
        e.model = model;
        e.message = msg;
        if (t == ExperimentEvent::Type::StageFinished || t == ExperimentEvent::Type::StageSkipped)
            progress_.done[stage] = 1.0;
        if (t == ExperimentEvent::Type::StageFailed)
            logger()->error("stage {} failed: {}", toString(stage), msg);
        else if (!msg.empty())
            logger()->info("{}: {}", toString(stage), msg);
        emit(e);
    }

    void setupProgress()
    {
        auto batches = [&](const TrainConfig& t) {
            const double n = cfg_.data.limitTrain > 0 ? double(cfg_.data.limitTrain) : 60000.0;
            return n / t.batchSize * t.epochs;
        };
        // reused stages take no time: they weigh nothing in the progress and the ETA
        auto runs = [&](Stage s, bool on) { return on && !reused(s); };
        progress_.weights = {
            {Stage::Build, 0.1},
            {Stage::TrainOriginal,
             runs(Stage::TrainOriginal, cfg_.stages.trainOriginal) ? batches(cfg_.trainOriginal) : 0},
            {Stage::TrainModified,
             runs(Stage::TrainModified, cfg_.stages.trainModified) ? batches(cfg_.trainModified) : 0},
            {Stage::Ptq, runs(Stage::Ptq, cfg_.stages.ptq) ? double(cfg_.quant.calibrationBatches) : 0},
            {Stage::Qat,
             runs(Stage::Qat, cfg_.stages.qat)
                 ? batches(cfg_.trainModified) / std::max(1, cfg_.trainModified.epochs) * cfg_.quant.qatEpochs * 1.5
                 : 0},
            {Stage::Measure, runs(Stage::Measure, cfg_.stages.measure) ? 20.0 : 0},
            {Stage::Report, 0.1}};
    }

    /// Adapts trainer events to experiment events.
    struct TrainBridge : QatObserver {
        Pipeline& p;
        Stage stage;
        std::string model;
        TrainBridge(Pipeline& pp, Stage s, std::string m) : p(pp), stage(s), model(std::move(m)) {}
        /// An event of this stage and model.
        ExperimentEvent event(ExperimentEvent::Type t) const
        {
            ExperimentEvent e;
            e.type = t;
            e.stage = stage;
            e.model = model;
            return e;
        }
        void onBatch(const BatchProgress& b) override
        {
            const double total = double(b.batchesPerEpoch) * std::max(1, b.epochs);
            p.progress_.done[stage] = double(b.globalBatch) / total;
            auto e = event(ExperimentEvent::Type::Batch);
            e.batch = b;
            p.emit(e);
        }
        void onEpoch(const EpochSummary& s) override
        {
            p.store_.addEpoch(p.runId_, model, s);
            auto e = event(ExperimentEvent::Type::Epoch);
            e.epoch = s;
            p.emit(e);
        }
        void onQatEpoch(const QatEpoch& q) override
        {
            auto e = event(ExperimentEvent::Type::QatEpoch);
            e.qatEpoch = q;
            p.emit(e);
        }
    };

    const DataSplits& data()
    {
        if (!data_) data_ = loadData(cfg_.data, cancel_);
        return *data_;
    }

    void trainStage(Stage stage, const std::string& model, const PhiNetConfig& mc, const TrainConfig& tc)
    {
        currentStage_ = stage;
        const fs::path ckpt = out_ / (model + ".ckpt");
        if (reused(stage)) {
            emitStage(ExperimentEvent::Type::StageSkipped, stage, model, "reused (inputs unchanged): " + ckpt.string());
            return;
        }
        const std::string& given = stage == Stage::TrainOriginal ? cfg_.weights.original : cfg_.weights.modified;
        if (!given.empty()) return loadStage(stage, model, mc, tc, given);
        // the checkpoint of an unfinished run of these same inputs is continued; any other is stale
        if (!recordStageStart(stage)) fs::remove(ckpt);
        emitStage(ExperimentEvent::Type::StageStarted, stage, model, "");
        torch::manual_seed(tc.seed);
        PhiNet net(mc);
        TrainRequest req;
        req.config = tc;
        req.checkpointPath = ckpt;
        if (fs::exists(ckpt)) req.resumeFrom = ckpt; // a crashed or cancelled run: continue after its last epoch
        if (group_) { // the other ranks join this stage (from the same checkpoint when it resumes)
            announce(toString(stage) + (req.resumeFrom.empty() ? "" : ":resume"));
            req.group = group_;
        }
        TrainBridge bridge(*this, stage, model);
        auto r = train(net, data(), req, &bridge, cancel_);
        if (r.cancelled) throw Cancelled();
        auto rowOut = describe(model, mc, Precision::Fp32);
        if (r.finalTest) {
            rowOut.accuracyPct = r.finalTest->accuracy;
            rowOut.confusion = r.finalTest->confusion;
        }
        rowOut.trainSeconds = r.trainSeconds;
        recordStageFile(stage);
        putRow(rowOut);
        markDone(stage);
        emitStage(ExperimentEvent::Type::StageFinished, stage, model,
                  fmt::format("{:.2f}% test accuracy after {} epochs, {:.1f} s{}", rowOut.accuracyPct.value_or(0),
                              r.epochsDone, r.trainSeconds,
                              r.worldSize > 1 ? fmt::format(", data-parallel on {} ranks", r.worldSize) : ""));
    }

public:
    /// Distributed: tells the other ranks what to do next ("train-original[:resume]",
    /// "train-modified[:resume]", "done", "cancelled", "failed: why"); they follow in order.
    void announce(const std::string& command)
    {
        if (!group_) return;
        group_->publish(followerKey(commands_++), command);
        if (command.rfind("train-", 0) == 0 || command == toString(Stage::Qat)) {
            logger()->info("ranks 1..{} join {}", group_->worldSize() - 1, command);
            return;
        }
        // the last word: the others read it from this rank's store, so it stays up until they have
        for (int r = 1; r < group_->worldSize(); ++r)
            group_->await(followerAckKey(r), nullptr, std::chrono::seconds(30));
    }

private:
    /// A training stage replaced by given weights: the file is opened (any FP32 model file; a
    /// micromind file without a config takes the study's network), must hold the study's network,
    /// is evaluated on the test split and written as the stage's checkpoint for PTQ, QAT and the
    /// measurements.
    void loadStage(Stage stage, const std::string& model, const PhiNetConfig& mc, const TrainConfig& tc,
                   const std::string& file)
    {
        const std::string field = stage == Stage::TrainOriginal ? "weights.original" : "weights.modified";
        recordStageStart(stage);
        emitStage(ExperimentEvent::Type::StageStarted, stage, model, "loading the given weights " + file);
        LoadedCheckpoint ck;
        try {
            ck = openFp32Model(file, mc, cfg_.data);
        } catch (const Error& e) {
            throw ConfigError(field + ": " + e.what());
        }
        const auto differ = stagecache::changedFields(toJson(ck.model->config()), toJson(mc));
        if (!differ.empty()) {
            std::string list;
            for (const auto& d : differ)
                list += (list.empty() ? "" : ", ") + d;
            throw ConfigError(field + ": " + file + " holds another network than the study's " +
                              (stage == Stage::TrainOriginal ? "ORIGINAL" : "MODIFIED") + " (" + list +
                              (differ.size() == 1 ? " differs" : " differ") +
                              "); set the study's model to the file's network");
        }
        const auto& d = data();
        const auto r = evaluate(ck.model, d.test, d.config, tc.evalBatchSize, true, cancel_);
        CheckpointMeta meta = ck.meta;
        meta.model = mc;
        meta.data = d.config;
        meta.training = tc;
        saveCheckpoint(out_ / (model + ".ckpt"), ck.model, meta);
        auto rowOut = describe(model, mc, Precision::Fp32);
        rowOut.accuracyPct = r.accuracy;
        rowOut.confusion = r.confusion;
        // no trainSeconds: not trained here
        recordStageFile(stage);
        putRow(rowOut);
        markDone(stage);
        emitStage(ExperimentEvent::Type::StageFinished, stage, model,
                  fmt::format("{:.2f}% test accuracy of the given weights {} (not trained)", r.accuracy, file));
    }

    void quantStage(Stage stage, const std::string& model, bool qat)
    {
        currentStage_ = stage;
        const fs::path file = out_ / (model + ".int8");
        if (reused(stage)) {
            emitStage(ExperimentEvent::Type::StageSkipped, stage, model, "reused (inputs unchanged): " + file.string());
            return;
        }
        recordStageStart(stage);
        int ranks = 1; // QAT data-parallel: how many trained
        emitStage(ExperimentEvent::Type::StageStarted, stage, model, "");
        auto fp32 = loadCheckpoint(out_ / "modified-fp32.ckpt").model; // QAT changes its model: a fresh copy
        const auto& d = data();
        ModelResult rowOut = describe(model, fp32->config(), Precision::Int8);
        QuantizedPhiNet int8;
        FoldedPhiNet folded;
        if (!qat) {
            auto r = quantizePtq(fp32, d, cfg_.quant, cancel_);
            int8 = std::move(r.model);
            folded = std::move(r.folded);
        } else {
            TrainBridge bridge(*this, stage, model);
            // The PTQ stage calibrated this same network with this same config: QAT starts from its ranges.
            std::optional<QuantizedPhiNet> ptq;
            const fs::path ptqFile = out_ / "modified-ptq-int8.int8";
            if (cfg_.stages.ptq && isDone(Stage::Ptq)) ptq = QuantizedPhiNet::load(ptqFile, cfg_.quant.engine);
            if (group_) announce(toString(stage)); // the other ranks join QAT data-parallel
            auto r =
                quantizeQat(fp32, d, cfg_.quant, cfg_.trainModified, &bridge, cancel_, ptq ? &*ptq : nullptr, group_);
            if (r.cancelled) throw Cancelled();
            int8 = std::move(r.model);
            folded = std::move(r.folded);
            rowOut.qatEpochs = r.epochs;
            rowOut.trainSeconds = r.trainSeconds;
            ranks = r.worldSize;
        }
        int8.save(file);
        const auto eval = evaluate([&](const torch::Tensor& x) { return int8.forward(x); }, d.test, d.config,
                                   cfg_.trainModified.evalBatchSize, false, fp32->config().numClasses, cancel_);
        rowOut.accuracyPct = eval.accuracy;
        rowOut.confusion = eval.confusion;
        BatchLoader::Options o;
        o.batchSize = 64;
        BatchLoader loader(d.test, d.config.mean, d.config.std, o);
        Batch b;
        loader.next(b);
        rowOut.layerErrors = compareLayers(folded, int8, b.images);
        rowOut.int8SizeMib = double(fs::file_size(file)) / kMib;
        recordStageFile(stage);
        putRow(rowOut);
        markDone(stage);
        emitStage(ExperimentEvent::Type::StageFinished, stage, model,
                  fmt::format("{:.2f}% test accuracy, {:.3f} MiB{}", eval.accuracy, *rowOut.int8SizeMib,
                              ranks > 1 ? fmt::format(", QAT data-parallel on {} ranks", ranks) : ""));
    }

    void measureStage()
    {
        currentStage_ = Stage::Measure;
        if (reused(Stage::Measure)) {
            emitStage(ExperimentEvent::Type::StageSkipped, Stage::Measure, "",
                      "reused (models and bench settings unchanged)");
            return;
        }
        recordStageStart(Stage::Measure);
        emitStage(ExperimentEvent::Type::StageStarted, Stage::Measure, "", "");
        // Every model measured interleaved, round by round, each round a fresh instance read from its
        // file (compareLatency): the medians carry 95% intervals and the ratios are paired per round.
        std::vector<std::string> names;
        std::vector<ForwardFactory> factories;
        for (const auto& m : kStudyModels) {
            auto r = row(m);
            if (!r) continue;
            const bool fp32 = r->precision == Precision::Fp32;
            const fs::path file = out_ / (m + (fp32 ? ".ckpt" : ".int8"));
            names.push_back(m);
            factories.push_back(
                forwardFromFile(file, cfg_.bench.batch, fp32 ? std::nullopt : std::optional(cfg_.quant.engine)));
        }
        const auto protocol = comparisonProtocol(cfg_.bench);
        const double total = double(std::max<size_t>(1, names.size())) * protocol.rounds;
        int built = 0;
        for (auto& f : factories)
            f = [this, f, &built, total]() {
                progress_.done[Stage::Measure] = double(built++) / total;
                return f();
            };
        const auto cmp = compareForwards(names, factories, protocol, cancel_);
        auto latency = toJson(cmp);
        latency.erase("models");
        result_.manifest.latency = latency;
        for (const auto& w : cmp.warnings)
            logger()->warn("latency: {}", w);
        auto ratioOf = [&](const std::string& a, const std::string& b) -> std::optional<LatencyRatio> {
            const auto *x = cmp.find(a), *y = cmp.find(b);
            if (!x || !y) return std::nullopt;
            return pairedRatio(*x, *y);
        };
        LatencyProtocol lp;
        lp.runs = cfg_.bench.runs;
        lp.warmup = cfg_.bench.warmup;
        lp.batch = cfg_.bench.batch;
        lp.threads = cfg_.bench.threads;
        for (const auto& m : kStudyModels) {
            if (isCancelled(cancel_)) throw Cancelled();
            auto r = row(m);
            if (!r) continue;
            r->cpuLatency = toReport(*cmp.find(m), cmp.protocol);
            if (r->precision == Precision::Fp32) {
                auto net = loadCheckpoint(out_ / (m + ".ckpt")).model;
                r->fp32SizeMib = double(fp32ModelBytes(net)) / kMib;
                r->cpuLatency->protocol.engine = "fp32 (oneDNN conv, OpenBLAS GEMM)";
                if (cfg_.bench.gpu) r->gpuLatency = fp32GpuLatency(net, lp, cancel_);
                if (m == "original-fp32") r->latencyRatio = ratioOf("original-fp32", "modified-fp32");
            } else {
                r->int8SizeMib = double(fs::file_size(out_ / (m + ".int8"))) / kMib;
                r->cpuLatency->protocol.engine = toString(cfg_.quant.engine);
                r->latencyRatio = ratioOf("modified-fp32", m);
            }
            putRow(*r);
            ExperimentEvent e;
            e.type = ExperimentEvent::Type::ModelMeasured;
            e.stage = Stage::Measure;
            e.model = m;
            e.result = *r;
            emit(e);
        }
        markDone(Stage::Measure);
        emitStage(ExperimentEvent::Type::StageFinished, Stage::Measure, "", "size and latency measured");
    }

    void stages()
    {
        currentStage_ = Stage::Build;
        emitStage(ExperimentEvent::Type::StageStarted, Stage::Build, "", "");
        const auto so = summarize(cfg_.originalModel()), sm = summarize(cfg_.modifiedModel());
        emitStage(ExperimentEvent::Type::StageFinished, Stage::Build, "",
                  fmt::format("ORIGINAL {} params / {} MACs, MODIFIED {} params / {} MACs", withThousands(so.params),
                              withThousands(so.macs), withThousands(sm.params), withThousands(sm.macs)));
        using T = ExperimentEvent::Type;
        if (cfg_.stages.trainOriginal)
            trainStage(Stage::TrainOriginal, "original-fp32", cfg_.originalModel(), cfg_.trainOriginal);
        else
            emitStage(T::StageSkipped, Stage::TrainOriginal, "", "switched off");
        if (cfg_.stages.trainModified)
            trainStage(Stage::TrainModified, "modified-fp32", cfg_.modifiedModel(), cfg_.trainModified);
        else
            emitStage(T::StageSkipped, Stage::TrainModified, "", "switched off");
        if (cfg_.stages.ptq)
            quantStage(Stage::Ptq, "modified-ptq-int8", false);
        else
            emitStage(T::StageSkipped, Stage::Ptq, "", "switched off");
        if (cfg_.stages.qat)
            quantStage(Stage::Qat, "modified-qat-int8", true);
        else
            emitStage(T::StageSkipped, Stage::Qat, "", "switched off");
        if (cfg_.stages.measure)
            measureStage();
        else
            emitStage(T::StageSkipped, Stage::Measure, "", "switched off");
    }

    /// The manifest, and which data the run read when it fell back to the bundled subset.
    json manifestJson()
    {
        if (data_) result_.manifest.dataNote = fallbackNote(data_->info());
        return toJson(result_.manifest);
    }

    void writeReport()
    {
        result_.models.clear();
        for (const auto& m : kStudyModels)
            if (auto r = row(m)) result_.models.push_back(*r);
        result_.csvPath = out_ / "results.csv";
        result_.jsonPath = out_ / "results.json";
        writeFileAtomic(result_.csvPath, toCsv(result_.models));
        json rows = json::array();
        for (const auto& r : result_.models)
            rows.push_back(toJson(r));
        json doc{{"kind", "study"},
                 {"name", cfg_.name},
                 {"run_id", runId_},
                 {"cancelled", result_.cancelled},
                 {"manifest", manifestJson()},
                 {"results", rows}};
        writeJsonFile(result_.jsonPath, doc);
        progress_.done[Stage::Report] = 1.0;
        ExperimentEvent e;
        e.type = ExperimentEvent::Type::StageFinished;
        e.stage = Stage::Report;
        e.message = result_.csvPath.string();
        emit(e);
    }

    const ExperimentConfig& cfg_;
    fs::path out_, statePath_;
    ExperimentObserver* obs_;
    const CancelToken* cancel_;
    ProcessGroup* group_ = nullptr; ///< a group of more than one rank: the training stages are data-parallel
    int commands_ = 0;
    std::optional<FolderLock> lock_;
    json state_;
    RunStore store_;
    std::int64_t runId_ = 0;
    ExperimentResult result_;
    Progress progress_;
    std::optional<DataSplits> data_;
    StudyPlan plan_;
    std::set<Stage> wasDone_; ///< stages the plan runs again although an earlier run finished them
    json dataInputs_;
    Stage currentStage_ = Stage::Build;
};

// ---- sweeps ----

/// The network of one sweep point and variant.
PhiNetConfig pointModel(const SweepConfig& c, double value, Variant v)
{
    PhiNetConfig m = c.base;
    const auto knob = sweepKnobFromString(c.knob);
    if (!knob) throw ConfigError("sweep.knob: expected num_layers, alpha, beta or t0, got \"" + c.knob + "\"");
    switch (*knob) {
    case SweepKnob::NumLayers:
        // a value past int's range would be undefined to convert (the fuzzer's 5e21): the range first
        if (!(value >= 1 && value <= 64))
            throw ConfigError("sweep.values: num_layers must be in [1, 64] (got " + fmt::format("{}", value) + ")");
        m.numLayers = int(value);
        m.downsamplingLayers = PhiNetConfig::defaultDownsampling(m.numLayers);
        break;
    case SweepKnob::Alpha:
        m.alpha = value;
        break;
    case SweepKnob::Beta:
        m.beta = value;
        break;
    case SweepKnob::T0:
        m.t0 = value;
        break;
    }
    m.variant = v;
    m.divisor = v == Variant::Modified ? c.modifiedDivisor : 1;
    return m;
}

std::vector<ModelResult> sweepPoint(const SweepConfig& c, double value, const CancelToken* cancel,
                                    const McuTarget* target)
{
    std::vector<ModelResult> rows;
    for (auto v : c.variants) {
        if (isCancelled(cancel)) throw Cancelled();
        const PhiNetConfig m = pointModel(c, value, v);
        ModelResult r = describe(toString(v), m, Precision::Fp32AndInt8);
        r.sweepKnob = c.knob;
        r.sweepValue = value;
        if (target) { // the fits_<target> column: INT8 flash and peak RAM against the board less the reserve
            r.fitTarget = target->name;
            r.fitsTarget = checkFit(summarize(m), *target, c.reserve).int8.fits();
        }
        if (c.measureLatency || c.measureInt8) {
            torch::manual_seed(0);
            PhiNet net(m);
            r.fp32SizeMib = double(fp32ModelBytes(net)) / kMib;
            std::optional<PtqResult> q;
            if (c.measureInt8) {
                QuantConfig qc;
                qc.calibrationBatches = 2;
                qc.threads = c.bench.threads;
                q = quantizeWithRandomCalibration(net, qc, false);
                r.int8SizeMib = double(int8ModelBytes(q->model)) / kMib;
            }
            if (c.measureLatency) {
                // FP32 and INT8 of the point interleaved round by round: both latencies with their
                // intervals and the FP32 / INT8 ratio, paired per round.
                std::vector<std::string> names{toString(v) + " FP32"};
                std::vector<ForwardFactory> factories{forwardFromModel(net, c.bench.batch)};
                if (q) {
                    names.push_back(toString(v) + " INT8");
                    factories.push_back(forwardFromInt8(q->model, c.bench.batch));
                }
                const auto protocol = comparisonProtocol(c.bench);
                const auto cmp = compareForwards(names, factories, protocol, cancel);
                r.cpuLatency = toReport(cmp.models[0], cmp.protocol);
                r.cpuLatency->protocol.engine = "fp32 (oneDNN conv, OpenBLAS GEMM)";
                if (q) {
                    r.int8CpuLatency = toReport(cmp.models[1], cmp.protocol);
                    r.int8CpuLatency->protocol.engine = toString(q->model.engine());
                    r.latencyRatio = pairedRatio(cmp.models[0], cmp.models[1]);
                }
                for (const auto& w : cmp.warnings)
                    logger()->warn("latency at {} = {}: {}", c.knob, value, w);
            }
        }
        rows.push_back(r);
    }
    return rows;
}

} // namespace

Problems validateSweepPoints(const SweepConfig& config)
{
    Problems errors;
    for (size_t i = 0; i < config.values.size(); ++i) {
        std::set<std::string> seen; // the variants share most problems: each once
        for (auto v : config.variants)
            for (const auto& m : pointModel(config, config.values[i], v).validate())
                if (seen.insert(m.text()).second)
                    errors.push_back(
                        {fmt::format("sweep.values[{}]", i),
                         fmt::format("{} = {} ({}): {}", config.knob, config.values[i], toString(v), m.text())});
    }
    return errors;
}

namespace {

/// The other ranks of a distributed study: they join each training stage rank 0 announces (with
/// the same network, settings, data and seed; train() checks that every rank agrees), train their
/// shards and write nothing, until rank 0 says the study is over.
ExperimentResult followStudy(const ExperimentConfig& cfg, const fs::path& outDir, ProcessGroup& group,
                             const CancelToken* cancel)
{
    ExperimentResult result;
    result.rank = group.rank();
    result.outDir = outDir;
    std::optional<DataSplits> data;
    for (int n = 0;; ++n) {
        const std::string command = group.await(followerKey(n), cancel);
        const bool last = command == "done" || command == "cancelled" || command.rfind("failed", 0) == 0;
        if (last) group.publish(followerAckKey(group.rank()), "read"); // rank 0 may take its store down now
        if (command == "done") return result;
        if (command == "cancelled") throw Cancelled();
        if (command.rfind("failed", 0) == 0)
            throw DistributedError("rank " + std::to_string(group.rank()) + ": rank 0 stopped the study (" + command +
                                   ")");
        if (command == toString(Stage::Qat)) { // rank 0 sends its weights and calibration
            if (!data) data = loadData(cfg.data, cancel);
            PhiNet net(cfg.modifiedModel());
            logger()->info("rank {}: joining qat", group.rank());
            const auto r = quantizeQat(net, *data, cfg.quant, cfg.trainModified, nullptr, cancel, nullptr, &group);
            if (r.cancelled) throw Cancelled();
            continue;
        }
        const bool resume = command.size() > 7 && command.compare(command.size() - 7, 7, ":resume") == 0;
        const std::string stageName = resume ? command.substr(0, command.size() - 7) : command;
        const bool original = stageName == toString(Stage::TrainOriginal);
        if (!original && stageName != toString(Stage::TrainModified))
            throw DistributedError("rank " + std::to_string(group.rank()) + ": rank 0 asked for \"" + command +
                                   "\", which this rank does not know (start every rank from the same program)");
        if (!data) data = loadData(cfg.data, cancel);
        const PhiNetConfig mc = original ? cfg.originalModel() : cfg.modifiedModel();
        const TrainConfig& tc = original ? cfg.trainOriginal : cfg.trainModified;
        torch::manual_seed(tc.seed);
        PhiNet net(mc);
        TrainRequest req;
        req.config = tc;
        req.group = &group;
        // rank 0's checkpoint of the stage (a shared folder, or the same machine)
        if (resume) req.resumeFrom = outDir / (std::string(original ? "original" : "modified") + "-fp32.ckpt");
        logger()->info("rank {}: joining {}{}", group.rank(), stageName, resume ? " (resumed)" : "");
        const auto r = train(net, *data, req, nullptr, cancel);
        if (r.cancelled) throw Cancelled();
    }
}

} // namespace

ExperimentResult runExperiment(const ExperimentConfig& config, const fs::path& outDir, ExperimentObserver* observer,
                               const CancelToken* cancel, ProcessGroup* group)
{
    const RunInProgress running; // the Data area's import waits for the run
    const bool distributed = group && group->worldSize() > 1;
    if (distributed && group->rank() != 0) return followStudy(config, outDir, *group, cancel);
    Pipeline p(config, outDir, observer, cancel, group);
    try {
        auto r = p.run();
        p.announce(r.cancelled ? "cancelled" : "done");
        return r;
    } catch (const Cancelled&) {
        if (distributed) p.announce("cancelled");
        throw;
    } catch (const std::exception& e) {
        if (distributed) {
            try {
                p.announce(std::string("failed: ") + e.what());
            } catch (const std::exception& e2) {
                logger()->warn("the other ranks could not be told: {}", e2.what());
            }
        }
        throw;
    }
}

namespace {
/// Writes a sweep's sweep.csv and results.json (res.csvPath, res.jsonPath) from the run store's rows
/// of `runId`, and fills res.rows and res.manifest. `extra` adds fields to results.json (a shard's
/// points, the folders a merge came from).
void writeSweepResults(RunStore& store, std::int64_t runId, SweepResult& res, const json& extra)
{
    const auto details = store.show(runId);
    res.rows = details.results;
    res.manifest = details.manifest;
    writeFileAtomic(res.csvPath, toCsv(res.rows));
    json rows = json::array();
    for (const auto& r : res.rows)
        rows.push_back(toJson(r));
    json doc{{"kind", "sweep"}, {"run_id", runId}, {"manifest", details.manifest}, {"results", rows}};
    for (const auto& [key, value] : extra.items())
        doc[key] = value;
    writeJsonFile(res.jsonPath, doc);
}
} // namespace

SweepResult runSweep(const SweepConfig& config, const fs::path& outDir, ExperimentObserver* observer,
                     const CancelToken* cancel, const SweepShard& shard)
{
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
        throw ConfigError("sweep shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) +
                          ": the index must be in [0, count)");
    const bool sharded = shard.count > 1;
    const json shardJson = sharded ? json{{"index", shard.index}, {"count", shard.count}} : json();
    const RunInProgress running; // the Data area's import waits for the sweep
    if (auto e = config.validate(); !e.empty()) throw ConfigError(e);
    std::optional<McuTarget> target;
    if (!config.target.empty()) target = findTarget(listTargets(), config.target);
    // Every point before the first runs: a bad value at the end must not cost the points before it.
    if (auto e = validateSweepPoints(config); !e.empty()) throw ConfigError(e);
    fs::create_directories(outDir);
    const FolderLock lock(outDir); // see Pipeline::run
    for (const auto& f : removeStaleTemporaries(outDir))
        logger()->info("removed {}, left by an interrupted write", f.string());
    const fs::path statePath = outDir / "sweep.json";
    const json configJson = toJson(config);
    RunStore store;
    std::int64_t runId = 0;
    if (fs::exists(statePath)) {
        const auto st = readState(statePath);
        if (st["config"] != configJson || st.value("shard", json()) != shardJson)
            throw ConfigError(outDir.string() + ": this folder holds a sweep of another configuration" +
                              (sharded ? std::string(" or shard") : std::string()) +
                              "; choose another output folder or delete it");
        runId = st.value("run_id", std::int64_t(0));
    }
    if (runId > 0 && store.exists(runId)) {
        store.setStatus(runId, "running");
    } else {
        // A new sweep, or one deleted from the history since (its points were in the history: redone).
        const auto manifest = makeManifest(configJson, 0, toString(defaultEngine()),
                                           config.bench.threads ? config.bench.threads : hardwareThreads());
        const std::string name =
            sharded ? config.name + " (shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + ")"
                    : config.name;
        runId = store.createRun("sweep", name, configJson, toJson(manifest), outDir.string());
        json state{{"config", configJson}, {"run_id", runId}};
        if (sharded) state["shard"] = shardJson;
        writeJsonFile(statePath, state);
    }
    SweepResult res;
    res.outDir = outDir;
    res.runId = runId;
    res.csvPath = outDir / "sweep.csv";
    res.jsonPath = outDir / "results.json";
    res.pointsTotal = 0;
    for (int i = 0; i < int(config.values.size()); ++i)
        res.pointsTotal += i % shard.count == shard.index;
    auto have = store.sweepPoints(runId);
    std::set<int> done(have.begin(), have.end());
    const auto start = Clock::now();
    int computed = 0;
    auto writeOut = [&] {
        json extra = json::object();
        if (sharded) {
            // What mergeSweepShards needs: the sweep it belongs to and each row's point.
            extra["shard"] = shardJson;
            extra["config"] = configJson;
            json points = json::array();
            for (int p : store.sweepPoints(runId))
                points.push_back(p);
            extra["points"] = points;
        }
        writeSweepResults(store, runId, res, extra);
    };
    try {
        for (int i = 0; i < int(config.values.size()); ++i) {
            if (i % shard.count != shard.index || done.count(i)) continue;
            if (isCancelled(cancel)) {
                res.cancelled = true;
                break;
            }
            std::vector<ModelResult> rows;
            try {
                rows = sweepPoint(config, config.values[size_t(i)], cancel, target ? &*target : nullptr);
            } catch (const Cancelled&) {
                res.cancelled = true;
                break;
            }
            store.putSweepPoint(runId, i, rows);
            done.insert(i);
            ++computed;
            writeOut();
            for (const auto& r : rows) {
                ExperimentEvent e;
                e.type = ExperimentEvent::Type::ModelMeasured;
                e.stage = Stage::Sweep;
                e.model = r.model;
                e.result = r;
                e.overall = double(done.size()) / res.pointsTotal;
                const double el = std::chrono::duration<double>(Clock::now() - start).count();
                e.etaSeconds = el / computed * double(res.pointsTotal - int(done.size()));
                e.message = config.knob + " = " + std::to_string(config.values[size_t(i)]);
                if (observer) observer->onEvent(e);
            }
        }
        writeOut();
    } catch (const std::exception& e) {
        // Any error but cancel: the run failed, and the history says so and why.
        try {
            store.setStatus(runId, "failed", e.what());
        } catch (const std::exception& e2) {
            logger()->error("run {} could not be marked failed: {}", runId, e2.what());
        }
        throw;
    }
    res.pointsDone = int(done.size());
    store.setStatus(runId, res.cancelled ? "cancelled" : "finished");
    return res;
}

SweepResult mergeSweepShards(const std::vector<fs::path>& shardDirs, const fs::path& outDir)
{
    if (shardDirs.empty()) throw ConfigError("sweep merge: give the shards' folders");
    struct Shard {
        fs::path dir;
        json doc;
        int index = 0;
    };
    std::vector<Shard> shards;
    json config;
    int count = 0;
    for (const auto& dir : shardDirs) {
        const auto path = dir / "results.json";
        if (!fs::exists(path)) throw ConfigError(dir.string() + ": no results.json (not a sweep shard's folder)");
        Shard sh{dir, readJsonFile(path)};
        const auto& d = sh.doc;
        if (!d.is_object() || !d.contains("shard") || !d["shard"].is_object() || !d.contains("config") ||
            !d.contains("points"))
            throw ConfigError(dir.string() + ": not a sharded sweep (run phinet sweep with --shard K/N)");
        sh.index = -1;
        int n = 0;
        readField(d["shard"], "index", sh.index, dir.string() + ": results.json shard", "a whole number");
        readField(d["shard"], "count", n, dir.string() + ": results.json shard", "a whole number");
        if (shards.empty()) {
            config = d["config"];
            count = n;
        } else if (d["config"] != config || n != count) {
            throw ConfigError(dir.string() + ": a shard of another sweep than " + shards.front().dir.string() +
                              (n != count ? " (" + std::to_string(n) + " shards, not " + std::to_string(count) + ")"
                                          : std::string(" (its configuration differs)")));
        }
        for (const auto& other : shards)
            if (other.index == sh.index)
                throw ConfigError(dir.string() + ": shard " + std::to_string(sh.index) + " is also in " +
                                  other.dir.string());
        shards.push_back(std::move(sh));
    }
    if (int(shards.size()) != count) {
        std::string missing;
        for (int k = 0; k < count; ++k)
            if (std::none_of(shards.begin(), shards.end(), [&](const Shard& s) { return s.index == k; }))
                missing += (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(count);
        throw ConfigError("sweep merge: shard(s) " + missing + " missing");
    }
    const SweepConfig cfg = sweepConfigFromJson(config);
    // Rows by point, in the unsharded order; every point of every shard must be there.
    std::map<int, std::vector<ModelResult>> byPoint;
    for (const auto& sh : shards) {
        const auto& points = sh.doc["points"];
        const auto& rows = sh.doc["results"];
        if (points.empty() || rows.size() % points.size() != 0)
            throw ConfigError(sh.dir.string() + ": results.json holds no complete points");
        const size_t per = rows.size() / points.size();
        for (size_t p = 0; p < points.size(); ++p) {
            // a point index is a whole number in the sweep's range (a float would not convert safely)
            if (!points[p].is_number_integer() || points[p].get<std::int64_t>() < 0 ||
                points[p].get<std::int64_t>() >= std::int64_t(cfg.values.size()))
                throw ConfigError(sh.dir.string() + ": results.json: point " + points[p].dump() +
                                  " is not a point of this sweep");
            for (size_t r = 0; r < per; ++r)
                byPoint[int(points[p].get<std::int64_t>())].push_back(modelResultFromJson(rows[p * per + r]));
        }
    }
    for (int i = 0; i < int(cfg.values.size()); ++i)
        if (!byPoint.count(i))
            throw ConfigError(shards[size_t(i % count)].dir.string() + ": point " + std::to_string(i) + " (" +
                              cfg.knob + " = " + std::to_string(cfg.values[size_t(i)]) +
                              ") is not finished; resume that shard first");

    fs::create_directories(outDir);
    const FolderLock lock(outDir);
    const json configJson = toJson(cfg);
    RunStore store;
    const auto runId = store.createRun("sweep", cfg.name, configJson,
                                       shards.front().doc.value("manifest", json::object()), outDir.string());
    for (const auto& [i, rows] : byPoint)
        store.putSweepPoint(runId, i, rows);
    writeJsonFile(outDir / "sweep.json", json{{"config", configJson}, {"run_id", runId}});
    SweepResult res;
    res.outDir = outDir;
    res.runId = runId;
    res.csvPath = outDir / "sweep.csv";
    res.jsonPath = outDir / "results.json";
    json sources = json::array();
    for (const auto& sh : shards)
        sources.push_back(sh.dir.string());
    writeSweepResults(store, runId, res, json{{"merged_from", sources}});
    res.pointsDone = res.pointsTotal = int(cfg.values.size());
    store.setStatus(runId, "finished");
    return res;
}

} // namespace phinet
