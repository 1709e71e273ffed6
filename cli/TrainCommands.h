#pragma once
// `phinet train` and `phinet eval`.

#include "CliCommon.h"
#include "FieldOptions.h"

#include "phinet/train/TrainConfig.h"

#include <string>

namespace phinet::cli {

/// Data options shared by train/eval/quantize.
struct DataArgs {
    std::string dataset = "mnist";
    std::string dataDir;
    std::int64_t limitTrain = 0;
    std::int64_t limitTest = 0;
    double validation = 0;
    bool augment = false;
    void add(CLI::App* app);
};

struct TrainArgs {
    ModelArgs model;
    DataArgs data;
    TrainConfig training; ///< every training option binds to its field (FieldOptions)
    FieldOptions trainOptions;
    std::string out;
    std::string resume;
    bool json = false;
    bool distributed = false;
    int distTimeout = 120;
    void add(CLI::App* app);
};

struct EvalArgs {
    std::string ckpt;
    DataArgs data;
    int batchSize = 256;
    int threads = 0;
    bool json = false;
    void add(CLI::App* app);
};

int runTrain(const TrainArgs& args, CLI::App* app);
int runEval(const EvalArgs& args, CLI::App* app);

} // namespace phinet::cli
