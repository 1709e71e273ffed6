#pragma once
// `phinet quantize` and `phinet bench`.

#include "FieldOptions.h"
#include "TrainCommands.h"

#include "phinet/quant/QuantConfig.h"

namespace phinet::cli {

struct QuantizeArgs {
    std::string ckpt;
    bool modelOnly = false;
    ModelArgs model;
    DataArgs data;
    std::string method = "ptq";
    QuantConfig quant; ///< every quantization option binds to its field (FieldOptions)
    FieldOptions quantOptions;
    int batchSize = 128;
    int evalBatchSize = 256;
    int runs = 100;
    int warmup = 10;
    std::string out;
    bool json = false;
    void add(CLI::App* app);
};

struct BenchArgs {
    std::vector<std::string> modelFiles;
    std::string input;
    int threads = 0;
    int rounds = 10;
    int runs = 100;
    int warmup = 10;
    double maxInterval = 0.10;
    int batch = 1;
    std::string engine;
    std::string isolation = "process"; ///< "process": a fresh worker process per round; "instance": in process
    bool worker = false;               ///< internal: time one round of every model, print their samples
    int first = 0;                     ///< internal (--worker): the model the round's interleaving starts at
    bool json = false;
    void add(CLI::App* app);
};

int runQuantize(const QuantizeArgs& args, CLI::App* app);
int runBench(const BenchArgs& args, CLI::App* app);

} // namespace phinet::cli
