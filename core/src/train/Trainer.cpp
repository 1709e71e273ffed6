#include "phinet/train/Trainer.h"

#include "phinet/model/ConfigJson.h"
#include "phinet/model/MemoryEstimate.h"
#include "phinet/train/Distributed.h"

#include "phinet/common/Error.h"
#include "phinet/common/Log.h"
#include "phinet/common/Threads.h"

#include <chrono>
#include <cmath>

namespace phinet {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(PhiNet& model, const TrainConfig& c)
{
    switch (c.optimizer) {
    case OptimizerKind::Adam:
        return std::make_unique<torch::optim::Adam>(model->parameters(),
                                                    torch::optim::AdamOptions(c.lr).weight_decay(c.weightDecay));
    case OptimizerKind::AdamW:
        return std::make_unique<torch::optim::AdamW>(model->parameters(),
                                                     torch::optim::AdamWOptions(c.lr).weight_decay(c.weightDecay));
    case OptimizerKind::Sgd:
        return std::make_unique<torch::optim::SGD>(
            model->parameters(), torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weightDecay));
    }
    throw ConfigError("training.optimizer: unknown optimizer");
}

/// Learning rate at a point of the run (epoch 0-based, fraction of the run done for cosine).
double learningRate(const TrainConfig& c, int epoch, double progress)
{
    switch (c.schedule) {
    case ScheduleKind::Constant:
        return c.lr;
    case ScheduleKind::Step:
        return c.lr * std::pow(c.stepGamma, epoch / c.stepEpochs);
    case ScheduleKind::Cosine:
        return c.lr * 0.5 * (1.0 + std::cos(M_PI * std::clamp(progress, 0.0, 1.0)));
    }
    return c.lr;
}

} // namespace

void setChannelsLast(PhiNet& model, bool channelsLast)
{
    const auto fmt = channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    torch::NoGradGuard ng;
    for (auto& p : model->parameters())
        if (p.dim() == 4) p.set_data(p.data().contiguous(fmt));
    for (auto& b : model->buffers())
        if (b.dim() == 4) b.set_data(b.data().contiguous(fmt));
}

EvalResult evaluate(const ForwardFn& forward, const DatasetPtr& data, const DataConfig& norm, int batchSize,
                    bool channelsLast, int numClasses, const CancelToken* cancel)
{
    torch::NoGradGuard ng;
    BatchLoader::Options o;
    o.batchSize = batchSize;
    o.channelsLast = channelsLast;
    BatchLoader loader(data, norm.mean, norm.std, o);
    EvalResult r;
    r.numClasses = numClasses;
    auto confusion = torch::zeros({numClasses * numClasses}, torch::kLong);
    double lossSum = 0;
    const auto t0 = Clock::now();
    Batch b;
    while (loader.next(b)) {
        if (isCancelled(cancel)) throw Cancelled();
        auto logits = forward(b.images);
        if (logits.size(1) != numClasses)
            throw ConfigError("model has " + std::to_string(logits.size(1)) + " outputs but the data set has " +
                              std::to_string(numClasses) + " classes");
        lossSum += torch::nn::functional::cross_entropy(
                       logits, b.labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
        auto pred = logits.argmax(1);
        confusion += torch::bincount(b.labels * numClasses + pred, {}, numClasses * numClasses);
        r.count += b.labels.size(0);
    }
    r.seconds = secondsSince(t0);
    r.confusion.assign(confusion.data_ptr<int64_t>(), confusion.data_ptr<int64_t>() + confusion.numel());
    std::int64_t correct = 0;
    for (int k = 0; k < numClasses; ++k)
        correct += r.confusion[size_t(k * numClasses + k)];
    r.loss = r.count ? lossSum / double(r.count) : 0;
    r.accuracy = r.count ? 100.0 * double(correct) / double(r.count) : 0;
    r.imagesPerSecond = r.seconds > 0 ? double(r.count) / r.seconds : 0;
    return r;
}

EvalResult evaluate(PhiNet& model, const DatasetPtr& data, const DataConfig& norm, int batchSize, bool channelsLast,
                    const CancelToken* cancel)
{
    const bool wasTraining = model->is_training();
    model->eval();
    auto r = evaluate([&](const torch::Tensor& x) { return model->forward(x); }, data, norm, batchSize, channelsLast,
                      model->config().numClasses, cancel);
    model->train(wasTraining);
    return r;
}

TrainResult train(PhiNet& model, const DataSplits& data, const TrainRequest& req, TrainObserver* observer,
                  const CancelToken* cancel)
{
    const TrainConfig& c = req.config;
    if (auto e = c.validate(); !e.empty()) throw ConfigError(prefixed("training.", e));
    const int numClasses = model->config().numClasses;
    if (int(data.train->classes.size()) > numClasses)
        throw ConfigError("model.num_classes: the data set has " + std::to_string(data.train->classes.size()) +
                          " classes but the model only " + std::to_string(numClasses) + " outputs");
    const auto& in = model->config().input;
    if (data.train->channels() != in[0] || data.train->height() != in[1] || data.train->width() != in[2])
        throw ConfigError("model.input: the model expects " + std::to_string(in[0]) + "x" + std::to_string(in[1]) +
                          "x" + std::to_string(in[2]) + " images but the data set has " +
                          std::to_string(data.train->channels()) + "x" + std::to_string(data.train->height()) + "x" +
                          std::to_string(data.train->width()));
    ensureMemoryFits(model->config(), c.batchSize, MemoryUse::Training,
                     "training at batch size " + std::to_string(c.batchSize));
    ensureMemoryFits(model->config(), c.evalBatchSize, MemoryUse::Inference,
                     "evaluation at batch size " + std::to_string(c.evalBatchSize));
    setComputeThreads(c.threads);
    pinAllocator();
    setChannelsLast(model, c.channelsLast);
    auto optimizer = makeOptimizer(model, c);

    TrainResult result;
    int startEpoch = 0;
    if (!req.resumeFrom.empty()) {
        auto ck = loadCheckpoint(req.resumeFrom);
        if (ck.meta.model != model->config())
            throw ConfigError(req.resumeFrom.string() + ": the checkpoint is of another model configuration");
        {
            torch::NoGradGuard ng;
            auto src = ck.model->named_parameters();
            for (auto& p : model->named_parameters())
                p.value().copy_(src[p.key()]);
            auto srcB = ck.model->named_buffers();
            for (auto& b : model->named_buffers())
                b.value().copy_(srcB[b.key()]);
        }
        if (ck.hasOptimizerState) loadOptimizerState(req.resumeFrom, *optimizer);
        startEpoch = ck.meta.epochsDone;
        result.epochs = ck.meta.history;
        result.trainSeconds = ck.meta.trainSeconds;
        result.epochsDone = startEpoch;
        logger()->info("resuming from {} after epoch {}", req.resumeFrom.string(), startEpoch);
    }

    ProcessGroup* group = req.group && req.group->worldSize() > 1 ? req.group : nullptr;
    const int rank = group ? group->rank() : 0;
    std::unique_ptr<GradientReducer> reducer;
    DatasetPtr testShard = data.test, validationShard = data.validation;
    if (group) {
        // Every rank must train the same thing from the same point: model, training and data settings
        // (not the folder or the threads, which may differ per node) and the epoch resumed from.
        auto d = toJson(data.config);
        d.erase("data_dir");
        auto t = toJson(c);
        t.erase("threads");
        const nlohmann::json key{{"model", toJson(model->config())},
                                 {"training", t},
                                 {"data", d},
                                 {"train_images", data.train->size()},
                                 {"start_epoch", startEpoch}};
        group->checkSameConfig("configuration", stableHash(key.dump()));
        broadcastModel(*group, model);
        reducer = std::make_unique<GradientReducer>(*group, model->parameters());
        testShard = shardDataset(data.test, rank, group->worldSize());
        validationShard = shardDataset(data.validation, rank, group->worldSize());
        result.worldSize = group->worldSize();
    }
    const CommStats commAtStart = group ? group->stats() : CommStats{};
    // Distributed evaluation: each rank its shard, combined (cancel is left to the training loop,
    // where all ranks agree on it).
    const auto evaluateSplit = [&](const DatasetPtr& full, const DatasetPtr& shard) {
        if (!group) return evaluate(model, full, data.config, c.evalBatchSize, c.channelsLast, cancel);
        return reduceEvalResult(*group, evaluate(model, shard, data.config, c.evalBatchSize, c.channelsLast));
    };

    BatchLoader::Options lo;
    lo.batchSize = c.batchSize;
    lo.shuffle = true;
    lo.augment = data.config.augment;
    lo.cropPadding = data.config.cropPadding;
    lo.horizontalFlip = data.config.horizontalFlip;
    lo.seed = c.seed;
    lo.channelsLast = c.channelsLast;
    lo.shardIndex = rank;
    lo.shardCount = group ? group->worldSize() : 1;
    BatchLoader loader(data.train, data.config.mean, data.config.std, lo);
    const auto batchesPerEpoch = loader.batchesPerEpoch();
    const auto totalBatches = batchesPerEpoch * std::max(1, c.epochs);
    namespace F = torch::nn::functional;
    const auto lossOptions = F::CrossEntropyFuncOptions().label_smoothing(c.labelSmoothing);

    const auto runStart = Clock::now();
    double thisRunTrainSeconds = 0;
    std::int64_t thisRunImages = 0;
    double evalSecondsPerEpoch = 0;

    for (int epoch = startEpoch; epoch < c.epochs; ++epoch) {
        // Dropout and augmentation draws are seeded per epoch so a resumed run repeats them.
        torch::manual_seed(c.seed * 7919ULL + std::uint64_t(epoch) + std::uint64_t(rank) * 104729ULL);
        loader.startEpoch(epoch);
        model->train();
        const auto epochStart = Clock::now();
        double lossSum = 0, lossWindow = 0;
        std::int64_t seen = 0, correct = 0, windowBatches = 0, batchIndex = 0;
        bool stopped = false;
        double lr = learningRate(c, epoch, double(epoch) / std::max(1, c.epochs));
        Batch b;
        while (loader.next(b)) {
            // Distributed: a cancelled rank still takes part in this step's collectives, and every
            // rank stops together after it (a lone rank stopping would leave the others waiting).
            const bool cancelHere = isCancelled(cancel);
            if (cancelHere && !group) {
                stopped = true;
                break;
            }
            ++batchIndex;
            const auto globalBatch = std::int64_t(epoch) * batchesPerEpoch + batchIndex;
            if (c.schedule != ScheduleKind::Constant) {
                lr = learningRate(c, epoch, double(globalBatch - 1) / double(totalBatches));
                for (auto& g : optimizer->param_groups())
                    g.options().set_lr(lr);
            }
            optimizer->zero_grad();
            const auto diverged = [&](double l) {
                return TrainingDiverged("training diverged at epoch " + std::to_string(epoch + 1) + ", batch " +
                                        std::to_string(batchIndex) + ": the loss is " + std::to_string(l) +
                                        " (try a lower learning rate or gradient clipping)");
            };
            auto n = b.labels.size(0);
            double l = 0;
            std::int64_t stepCorrect = 0;
            // Weighted by this rank's share of the global batch: the sum over ranks is the global mean.
            if (reducer) reducer->prepare(b.globalSize > 0 ? double(n) / double(b.globalSize) : 0.0);
            if (n > 0 && !cancelHere) {
                auto logits = model->forward(b.images);
                auto loss = F::cross_entropy(logits, b.labels, lossOptions);
                l = loss.item<double>();
                if (!std::isfinite(l) && !group) throw diverged(l);
                loss.backward();
                stepCorrect = logits.argmax(1).eq(b.labels).sum().item<int64_t>();
            } else {
                n = 0;
            }
            if (group) {
                reducer->finish();
                const auto total = reduceStep(*group, l, stepCorrect, n, cancelHere);
                if (total.stop) {
                    stopped = true;
                    break;
                }
                n = total.images;
                l = total.meanLoss();
                stepCorrect = total.correct;
                if (!std::isfinite(l)) throw diverged(l);
            }
            if (c.gradClipNorm > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), c.gradClipNorm);
            optimizer->step();
            lossSum += l * double(n);
            lossWindow += l;
            ++windowBatches;
            seen += n;
            correct += stepCorrect;
            if (observer && (batchIndex % c.reportEvery == 0 || batchIndex == batchesPerEpoch)) {
                BatchProgress p;
                p.epoch = epoch + 1;
                p.epochs = c.epochs;
                p.batch = batchIndex;
                p.batchesPerEpoch = batchesPerEpoch;
                p.globalBatch = globalBatch;
                p.loss = lossWindow / double(windowBatches);
                p.lr = lr;
                const double epochElapsed = secondsSince(epochStart);
                p.imagesPerSecond = epochElapsed > 0 ? double(seen) / epochElapsed : 0;
                p.elapsedSeconds = secondsSince(runStart);
                const double perBatch = epochElapsed / double(batchIndex);
                const auto remaining = std::int64_t(c.epochs - epoch) * batchesPerEpoch - batchIndex;
                p.etaSeconds = perBatch * double(remaining) + evalSecondsPerEpoch * double(c.epochs - epoch);
                observer->onBatch(p);
                lossWindow = 0;
                windowBatches = 0;
            }
        }
        const double epochSeconds = secondsSince(epochStart);
        if (stopped) {
            result.cancelled = true;
            logger()->info("training cancelled in epoch {} after {} batches", epoch + 1, batchIndex);
            break;
        }
        thisRunTrainSeconds += epochSeconds;
        thisRunImages += seen;
        result.trainSeconds += epochSeconds;

        EpochSummary s;
        s.epoch = epoch + 1;
        s.epochs = c.epochs;
        s.trainLoss = seen ? lossSum / double(seen) : 0;
        s.trainAccuracy = seen ? 100.0 * double(correct) / double(seen) : 0;
        s.epochSeconds = epochSeconds;
        s.imagesPerSecond = epochSeconds > 0 ? double(seen) / epochSeconds : 0;
        s.lr = lr;
        // Each rank's BatchNorm statistics follow its own shards: use their mean from here on.
        if (group) averageBuffers(*group, model);
        try {
            const auto evalStart = Clock::now();
            if (c.evaluateEachEpoch || epoch + 1 == c.epochs) {
                if (data.validation) s.validation = evaluateSplit(data.validation, validationShard);
                s.test = evaluateSplit(data.test, testShard);
            }
            evalSecondsPerEpoch = secondsSince(evalStart);
        } catch (const Cancelled&) {
            // The epoch's training finished: keep it (and checkpoint it) without its evaluation.
            result.cancelled = true;
        }
        s.elapsedSeconds = secondsSince(runStart);
        s.etaSeconds = (epochSeconds + evalSecondsPerEpoch) * double(c.epochs - epoch - 1);
        result.epochs.push_back(s);
        result.epochsDone = epoch + 1;
        if (s.test) result.finalTest = s.test;
        if (rank == 0)
            logger()->info("epoch {}/{}: train loss {:.4f} acc {:.2f}%{} ({:.1f} s, {:.0f} images/s)", epoch + 1,
                           c.epochs, s.trainLoss, s.trainAccuracy,
                           s.test ? fmt::format(", test loss {:.4f} acc {:.2f}%", s.test->loss, s.test->accuracy) : "",
                           epochSeconds, s.imagesPerSecond);
        if (!req.checkpointPath.empty() && rank == 0) {
            CheckpointMeta meta;
            meta.model = model->config();
            meta.training = c;
            meta.data = data.config;
            meta.epochsDone = result.epochsDone;
            meta.trainSeconds = result.trainSeconds;
            meta.history = result.epochs;
            saveCheckpoint(req.checkpointPath, model, meta, optimizer.get());
        }
        if (!req.checkpointPath.empty()) result.checkpoint = req.checkpointPath;
        if (observer) observer->onEpoch(s);
        if (result.cancelled) break;
    }
    result.imagesPerSecond = thisRunTrainSeconds > 0 ? double(thisRunImages) / thisRunTrainSeconds : 0;
    if (!result.finalTest && !result.cancelled && c.epochs == startEpoch && startEpoch > 0)
        result.finalTest = evaluateSplit(data.test, testShard);
    if (group) {
        const auto& now = group->stats();
        const auto steps = now.steps - commAtStart.steps;
        const double wait =
            now.gradientWaitSeconds - commAtStart.gradientWaitSeconds + now.controlSeconds - commAtStart.controlSeconds;
        result.commSecondsPerStep = steps ? wait / double(steps) : 0;
        result.allreduceBytesPerStep = reducer->bytesPerStep();
        if (rank == 0)
            logger()->info("distributed: {} ranks, {} gradient bytes in {} buckets per step, {:.2f} ms waiting for "
                           "all-reduces per step",
                           group->worldSize(), reducer->bytesPerStep(), reducer->buckets(),
                           1000 * result.commSecondsPerStep);
    }
    model->eval();
    return result;
}

} // namespace phinet
