#pragma once
// `phinet fit`: the largest MODIFIED PhiNet whose INT8 flash and peak RAM fit a microcontroller.

#include "CliCommon.h"

#include <string>

namespace phinet::cli {

struct FitArgs {
    std::string target;
    std::string input;
    int classes = 10;
    double reserveRamKb = -1;   // < 0: McuReserve's default
    double reserveFlashKb = -1; // < 0: McuReserve's default
    double maxMacs = -1;        // < 0: no compute ceiling
    std::string betas;          // comma list; empty: the study's 0.75
    std::string t0s;            // comma list; empty: the study's 6
    std::string blocks;         // comma list; empty: 4..10
    bool list = false;
    bool json = false;
    void add(CLI::App* app);
};

int runFit(const FitArgs& args);

} // namespace phinet::cli
