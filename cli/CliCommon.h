#pragma once
// Shared pieces of the `phinet` subcommands: model options, error reporting, exit codes.

#include "phinet/model/PhiNetConfig.h"

#include <CLI/CLI.hpp>

#include <string>

namespace phinet::cli {

/// Exit codes: 0 ok, 1 the job failed (bad data, diverged, I/O), 2 bad arguments, 130 cancelled.
enum ExitCode { Ok = 0, Failed = 1, BadArguments = 2, CancelledByUser = 130 };

/// A bad command-line argument; the message names it. main() prints it on one line, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The model options of `phinet model`, shared by train/quantize/sweep.
struct ModelArgs {
    std::string input = "1,28,28";
    double alpha = 3.0;
    double beta = 0.75;
    double t0 = 6.0;
    int layers = 7;
    int classes = 10;
    std::string variant = "modified";
    int divisor = 0;          // 0: the variant's default (8 for modified, 1 otherwise)
    std::string downsampling; // empty: micromind's {5, 7} restricted to the existing blocks
    double bnMomentum = 0.999;

    void add(CLI::App* app);
    /// Builds and validates the config; throws UsageError naming the option.
    PhiNetConfig toConfig() const;
};

/// Parses "C,H,W" into three integers; throws UsageError naming `option`.
std::array<int, 3> parseShape(const std::string& text, const std::string& option);

int runModel(const ModelArgs& args, bool json);

} // namespace phinet::cli
