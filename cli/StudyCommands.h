#pragma once
// `phinet study`, `phinet sweep`, `phinet runs`.

#include "CliCommon.h"

namespace phinet::cli {

struct StudyArgs {
    std::string preset;
    std::string config;
    std::string out;
    std::string dataDir;
    int epochs = -1;
    int threads = -1;
    bool resume = false;
    bool json = false;
    std::string weightsOriginal; ///< trained FP32 weights instead of the ORIGINAL training stage
    std::string weightsModified; ///< ... instead of the MODIFIED training stage
    bool distributed = false;    ///< train data-parallel across the ranks of the environment
    int distTimeout = 120;       ///< seconds a rank waits for the others in a collective
    void add(CLI::App* app);
};

struct SweepArgs {
    std::string preset;
    std::string knob;
    std::string values;
    ModelArgs model;
    std::string out;
    int runs = -1;
    int threads = -1;
    bool paramsOnly = false;
    bool resume = false;
    bool json = false;
    std::string target;       // an MCU target: adds the fits_<target> column
    double reserveRamKb = -1; // < 0: the default reserve
    double reserveFlashKb = -1;
    std::string shard;                  // "K/N": only the points i with i % N == K
    std::vector<std::string> mergeDirs; // sweep merge: the shards' folders
    std::string mergeOut;
    bool mergeJson = false;
    void add(CLI::App* app);
};

struct RunsArgs {
    std::int64_t id = 0;
    std::string out;    ///< runs export: the CSV file
    std::string folder; ///< runs export: the folder for the whole run (CSV, JSON, epochs, config)
    bool json = false;
};

int runStudy(const StudyArgs& args, CLI::App* app);
int runSweepCommand(const SweepArgs& args, CLI::App* app);
int runRuns(const std::string& action, const RunsArgs& args);
void addRunsCommands(CLI::App& app, RunsArgs& args, std::string& action);

} // namespace phinet::cli
