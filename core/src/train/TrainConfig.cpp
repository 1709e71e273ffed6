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

Problems TrainConfig::validate() const
{
    return fieldRangeProblems(*this);
}

json toJson(const TrainConfig& c)
{
    return fieldsToJson(c);
}

TrainConfig trainConfigFromJson(const json& j, const std::string& ctx)
{
    TrainConfig c;
    fieldsFromJson(j, ctx, c);
    if (auto problems = c.validate(); !problems.empty()) throw ConfigError(prefixed(ctx + ".", problems));
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
