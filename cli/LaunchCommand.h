#pragma once
// `phinet launch`: starts N local ranks of a data-parallel job with torchrun's environment.

#include "CliCommon.h"

#include <string>
#include <vector>

namespace phinet::cli {

struct LaunchArgs {
    int nproc = 2;
    int nnodes = 1;
    int nodeRank = 0;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 0; // 0: a free port on this machine (single node only)
    int grace = 30;     // seconds the others get to stop by themselves after one rank fails
    std::vector<std::string> command;
    void add(CLI::App* app);
};

/// Starts the ranks, forwards SIGINT/SIGTERM/SIGHUP to them, and returns the first failing rank's
/// exit status (128 + signal for a rank killed by a signal), or 0 when all succeed.
int runLaunch(const LaunchArgs& args);

} // namespace phinet::cli
