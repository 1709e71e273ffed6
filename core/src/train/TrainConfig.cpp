#include "phinet/train/TrainConfig.h"

#include "phinet/common/Error.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/Limits.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace phinet {
using nlohmann::json;

std::string toString(OptimizerKind k)
{
    switch (k) {
    case OptimizerKind::Adam:
        return "adam";
    case OptimizerKind::AdamW:
        return "adamw";
    case OptimizerKind::Sgd:
        return "sgd";
    }
    return "adam";
}

std::string toString(ScheduleKind k)
{
    switch (k) {
    case ScheduleKind::Constant:
        return "constant";
    case ScheduleKind::Step:
        return "step";
    case ScheduleKind::Cosine:
        return "cosine";
    }
    return "constant";
}

std::optional<OptimizerKind> optimizerFromString(const std::string& s)
{
    const auto l = normalisedName(s);
    if (l == "adam") return OptimizerKind::Adam;
    if (l == "adamw") return OptimizerKind::AdamW;
    if (l == "sgd") return OptimizerKind::Sgd;
    return std::nullopt;
}

std::optional<ScheduleKind> scheduleFromString(const std::string& s)
{
    const auto l = normalisedName(s);
    if (l == "constant" || l == "none") return ScheduleKind::Constant;
    if (l == "step") return ScheduleKind::Step;
    if (l == "cosine") return ScheduleKind::Cosine;
    return std::nullopt;
}

std::vector<std::string> TrainConfig::validate() const
{
    std::vector<std::string> e;
    checkRangeOpenLow(e, "lr", lr, 0.0, 1e6);
    if (momentum < 0 || !(momentum < 1))
        e.push_back("momentum: must be in [0, 1) (got " + std::to_string(momentum) + ")");
    checkRange(e, "weight_decay", weightDecay, 0.0, 1.0);
    checkRange(e, "step_epochs", stepEpochs, 1, 100000);
    checkRangeOpenLow(e, "step_gamma", stepGamma, 0.0, 1.0);
    if (labelSmoothing < 0 || !(labelSmoothing < 1))
        e.push_back("label_smoothing: must be in [0, 1) (got " + std::to_string(labelSmoothing) + ")");
    checkRange(e, "grad_clip", gradClipNorm, 0.0, 1e6);
    checkRange(e, "epochs", epochs, 0, 100000);
    checkRange(e, "batch_size", batchSize, 1, 65536);
    checkRange(e, "eval_batch_size", evalBatchSize, 1, 65536);
    checkRange(e, "threads", threads, 0, maxThreads());
    checkRange(e, "report_every", reportEvery, 1, 1000000);
    return e;
}

json toJson(const TrainConfig& c)
{
    return json{{"optimizer", toString(c.optimizer)},
                {"lr", c.lr},
                {"momentum", c.momentum},
                {"weight_decay", c.weightDecay},
                {"schedule", toString(c.schedule)},
                {"step_epochs", c.stepEpochs},
                {"step_gamma", c.stepGamma},
                {"label_smoothing", c.labelSmoothing},
                {"grad_clip", c.gradClipNorm},
                {"epochs", c.epochs},
                {"batch_size", c.batchSize},
                {"eval_batch_size", c.evalBatchSize},
                {"seed", c.seed},
                {"threads", c.threads},
                {"report_every", c.reportEvery},
                {"channels_last", c.channelsLast},
                {"evaluate_each_epoch", c.evaluateEachEpoch}};
}

TrainConfig trainConfigFromJson(const json& j, const std::string& ctx)
{
    if (!j.is_object()) throw ConfigError(ctx + ": expected an object");
    TrainConfig c;
    std::string opt = toString(c.optimizer), sched = toString(c.schedule);
    readField(j, "optimizer", opt, ctx, "a string");
    readField(j, "schedule", sched, ctx, "a string");
    auto o = optimizerFromString(opt);
    if (!o) throw ConfigError(ctx + ".optimizer: expected adam, adamw or sgd, got \"" + opt + "\"");
    auto s = scheduleFromString(sched);
    if (!s) throw ConfigError(ctx + ".schedule: expected constant, step or cosine, got \"" + sched + "\"");
    c.optimizer = *o;
    c.schedule = *s;
    readField(j, "lr", c.lr, ctx, "a number");
    readField(j, "momentum", c.momentum, ctx, "a number");
    readField(j, "weight_decay", c.weightDecay, ctx, "a number");
    readField(j, "step_epochs", c.stepEpochs, ctx, "an integer");
    readField(j, "step_gamma", c.stepGamma, ctx, "a number");
    readField(j, "label_smoothing", c.labelSmoothing, ctx, "a number");
    readField(j, "grad_clip", c.gradClipNorm, ctx, "a number");
    readField(j, "epochs", c.epochs, ctx, "an integer");
    readField(j, "batch_size", c.batchSize, ctx, "an integer");
    readField(j, "eval_batch_size", c.evalBatchSize, ctx, "an integer");
    readField(j, "seed", c.seed, ctx, "a non-negative integer");
    readField(j, "threads", c.threads, ctx, "an integer");
    readField(j, "report_every", c.reportEvery, ctx, "an integer");
    readField(j, "channels_last", c.channelsLast, ctx, "true or false");
    readField(j, "evaluate_each_epoch", c.evaluateEachEpoch, ctx, "true or false");
    auto errors = c.validate();
    if (!errors.empty()) {
        for (auto& e : errors)
            e = ctx + "." + e;
        throw ConfigError(errors);
    }
    return c;
}

json toJson(const EvalResult& r, bool withConfusion)
{
    json j{{"loss", r.loss},
           {"accuracy_pct", r.accuracy},
           {"count", r.count},
           {"seconds", r.seconds},
           {"images_per_second", r.imagesPerSecond}};
    if (withConfusion) j["confusion"] = r.confusion;
    return j;
}

json toJson(const EpochSummary& e)
{
    json j{{"epoch", e.epoch},
           {"train_loss", e.trainLoss},
           {"train_accuracy", e.trainAccuracy},
           {"epoch_seconds", e.epochSeconds},
           {"images_per_second", e.imagesPerSecond},
           {"lr", e.lr}};
    if (e.test) {
        j["test_loss"] = e.test->loss;
        j["test_accuracy"] = e.test->accuracy;
    }
    if (e.validation) {
        j["validation_loss"] = e.validation->loss;
        j["validation_accuracy"] = e.validation->accuracy;
    }
    return j;
}

EpochSummary epochSummaryFromJson(const json& j)
{
    EpochSummary e;
    e.epoch = j.value("epoch", 0);
    e.trainLoss = j.value("train_loss", 0.0);
    e.trainAccuracy = j.value("train_accuracy", 0.0);
    e.epochSeconds = j.value("epoch_seconds", 0.0);
    e.imagesPerSecond = j.value("images_per_second", 0.0);
    e.lr = j.value("lr", 0.0);
    if (j.contains("test_accuracy")) {
        EvalResult t;
        t.loss = j.value("test_loss", 0.0);
        t.accuracy = j.value("test_accuracy", 0.0);
        e.test = t;
    }
    if (j.contains("validation_accuracy")) {
        EvalResult v;
        v.loss = j.value("validation_loss", 0.0);
        v.accuracy = j.value("validation_accuracy", 0.0);
        e.validation = v;
    }
    return e;
}

} // namespace phinet
