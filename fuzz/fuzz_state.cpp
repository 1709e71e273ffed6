// A study's run state (state.json), read when a run resumes. The input becomes <run>/state.json and
// runExperiment resumes into that folder with a fixed small config whose stages are all switched off,
// so nothing trains: the state is read and checked, and the report is written from its rows. The
// seed corpus holds states whose "config" is this config (fuzz/corpus/fuzz_state), so mutations get
// past the "another configuration" check and into the rows.
#include "FuzzUtil.h"

#include "phinet/experiment/Experiment.h"

using namespace phinet;
using namespace phinet::fuzz;

namespace {
ExperimentConfig fixedConfig()
{
    ExperimentConfig c;
    c.name = "fuzz-state";
    c.model.input = {1, 28, 28};
    c.model.alpha = 0.5;
    c.model.numLayers = 4;
    c.model.downsamplingLayers = PhiNetConfig::defaultDownsampling(c.model.numLayers);
    c.stages = {false, false, false, false, false};
    return c;
}
} // namespace

namespace phinet::fuzz {
/// One input of fuzz_state (also run by tests/core/tst_fuzzregress.cpp on the saved findings).
inline int state(const std::uint8_t* data, size_t size)
{
    static const ExperimentConfig config = fixedConfig();
    const auto run = freshDir("run");
    writeFile(run / "state.json", std::string_view(reinterpret_cast<const char*>(data), size));
    return expectCleanError([&] {
        const auto r = runExperiment(config, run);
        if (r.cancelled) finding("runExperiment reported a cancel nobody asked for");
        for (const auto& m : r.models)
            if (m.model.empty()) finding("a result row without a model name");
    });
}
} // namespace phinet::fuzz

#ifndef PHINET_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    init();
    // `fuzz_state --print-config`: the config JSON a seed state.json must hold.
    for (int i = 1; i < *argc; ++i)
        if (std::string((*argv)[i]) == "--print-config") {
            std::printf("%s\n", toJson(fixedConfig()).dump(2).c_str());
            std::exit(0);
        }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size)
{
    return phinet::fuzz::state(data, size);
}
#endif
