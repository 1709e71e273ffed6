// phinet: the headless command line over the workbench's core.
#include "CliCommon.h"
#include "ExportCommand.h"
#include "FitCommand.h"
#include "LaunchCommand.h"
#include "QuantCommands.h"
#include "StudyCommands.h"
#include "TrainCommands.h"

#include "phinet/common/Error.h"
#include "phinet/common/Log.h"

#include <iostream>

using namespace phinet;
using namespace phinet::cli;

int main(int argc, char** argv)
{
    CLI::App app{"phinet: build, train, quantize and measure PhiNet networks (PhiNet Quantization Workbench)",
                 "phinet"};
    app.set_version_flag("--version", std::string("phinet ") + PHINET_VERSION + "\n");
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "log progress details to stderr");

    ModelArgs modelArgs;
    bool modelJson = false;
    auto* model =
        app.add_subcommand("model", "print the layer table, params, MACs and MCU memory estimates of a PhiNet");
    modelArgs.add(model);
    model->add_flag("--json", modelJson, "one JSON object on stdout");
    FitArgs fitArgs;
    auto* fitCmd = app.add_subcommand(
        "fit", "find the largest MODIFIED PhiNet whose INT8 flash and peak RAM fit a microcontroller");
    fitArgs.add(fitCmd);

    TrainArgs trainArgs;
    auto* trainCmd =
        app.add_subcommand("train", "train a PhiNet in FP32 on MNIST, Fashion-MNIST, CIFAR-10 or an image folder");
    trainArgs.add(trainCmd);
    LaunchArgs launchArgs;
    auto* launchCmd =
        app.add_subcommand("launch", "start N local ranks of a data-parallel job (torchrun's environment)");
    launchArgs.add(launchCmd);
    EvalArgs evalArgs;
    auto* evalCmd = app.add_subcommand("eval", "evaluate a checkpoint on a test split");
    evalArgs.add(evalCmd);

    QuantizeArgs quantArgs;
    auto* quantCmd = app.add_subcommand(
        "quantize", "quantize a checkpoint to INT8 (PTQ or QAT) and measure accuracy, size, latency");
    quantArgs.add(quantCmd);
    BenchArgs benchArgs;
    auto* benchCmd = app.add_subcommand("bench", "measure the latency of an FP32 checkpoint or INT8 model file");
    benchArgs.add(benchCmd);
    ExportArgs exportArgs;
    auto* exportCmd =
        app.add_subcommand("export", "export a model to ONNX (FP32, INT8 QDQ) or micromind-named safetensors");
    exportArgs.add(exportCmd);

    StudyArgs studyArgs;
    auto* studyCmd =
        app.add_subcommand("study", "run the study pipeline: train ORIGINAL and MODIFIED, PTQ, QAT, measure, report");
    studyArgs.add(studyCmd);
    SweepArgs sweepArgs;
    auto* sweepCmd =
        app.add_subcommand("sweep", "vary one knob, both variants at each point: params, MACs, memory, latency, size");
    sweepArgs.add(sweepCmd);
    RunsArgs runsArgs;
    std::string runsAction;
    addRunsCommands(app, runsArgs, runsAction);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "phinet: " << e.what() << " (see phinet --help)" << std::endl;
        return BadArguments;
    }
    if (verbose) setConsoleLevel(spdlog::level::info);

    try {
        if (model->parsed()) return runModel(modelArgs, modelJson);
        if (fitCmd->parsed()) return runFit(fitArgs);
        if (trainCmd->parsed()) return runTrain(trainArgs, trainCmd);
        if (launchCmd->parsed()) return runLaunch(launchArgs);
        if (evalCmd->parsed()) return runEval(evalArgs, evalCmd);
        if (quantCmd->parsed()) return runQuantize(quantArgs, quantCmd);
        if (benchCmd->parsed()) return runBench(benchArgs, benchCmd);
        if (exportCmd->parsed()) return runExport(exportArgs, exportCmd);
        if (studyCmd->parsed()) return runStudy(studyArgs, studyCmd);
        if (sweepCmd->parsed()) return runSweepCommand(sweepArgs, sweepCmd);
        if (!runsAction.empty()) return runRuns(runsAction, runsArgs);
    } catch (const UsageError& e) {
        std::cerr << "phinet: " << e.what() << std::endl;
        return BadArguments;
    } catch (const Cancelled&) {
        std::cerr << "phinet: cancelled" << std::endl;
        return CancelledByUser;
    } catch (const std::exception& e) {
        std::cerr << "phinet: error: " << e.what() << std::endl;
        return Failed;
    }
    return Ok;
}
