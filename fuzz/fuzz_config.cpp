// Experiment configs, sweep configs and preset files. Input: byte 0 selects the reader (0: experiment
// config JSON, 1: sweep config JSON, 2: a preset file through loadPreset, 3: a config file through
// loadExperimentConfig), then the JSON text. A config that validates must survive toJson -> fromJson
// unchanged (what the GUI saves, the CLI must read back as the same settings).
#include "FuzzUtil.h"

#include "phinet/common/Files.h"
#include "phinet/experiment/Experiment.h"
#include "phinet/experiment/ExperimentConfig.h"

using namespace phinet;
using namespace phinet::fuzz;

namespace {
void checkExperiment(const ExperimentConfig& c)
{
    if (!c.validate().empty()) return;
    const auto j = toJson(c);
    ExperimentConfig back;
    try {
        back = experimentConfigFromJson(parseJsonBounded(j.dump(), "round trip"));
    } catch (const Error& e) {
        finding(std::string("a valid experiment config is refused when read back: ") + e.what() + "\n" + j.dump());
    }
    if (toJson(back) != j)
        finding("experiment config changed in a round trip:\n" + j.dump() + "\n" + toJson(back).dump());
    if (!back.validate().empty())
        finding("a valid experiment config read back is invalid: " + back.validate().front().text());
}

void checkSweep(const SweepConfig& c)
{
    if (!c.validate().empty()) return;
    (void)validateSweepPoints(c);
    const auto j = toJson(c);
    SweepConfig back;
    try {
        back = sweepConfigFromJson(parseJsonBounded(j.dump(), "round trip"));
    } catch (const Error& e) {
        finding(std::string("a valid sweep config is refused when read back: ") + e.what() + "\n" + j.dump());
    }
    if (toJson(back) != j) finding("sweep config changed in a round trip:\n" + j.dump() + "\n" + toJson(back).dump());
}
} // namespace

namespace phinet::fuzz {
/// One input of fuzz_config (also run by tests/core/tst_fuzzregress.cpp on the saved findings).
inline int config(const std::uint8_t* data, size_t size)
{
    Input in{data, size};
    const auto mode = in.take(1) % 4;
    const auto text = in.rest();
    return expectCleanError([&] {
        switch (mode) {
        case 0:
            checkExperiment(experimentConfigFromJson(parseJsonBounded(text, "fuzz config")));
            break;
        case 1:
            checkSweep(sweepConfigFromJson(parseJsonBounded(text, "fuzz sweep")));
            break;
        case 2: {
            const auto p = freshDir("presets") / "fuzz.json";
            writeFile(p, text);
            const auto preset = loadPreset(p);
            if (preset.study) checkExperiment(*preset.study);
            if (preset.sweep) checkSweep(*preset.sweep);
            if (!preset.study && !preset.sweep) finding("loadPreset returned neither a study nor a sweep");
            break;
        }
        default: {
            const auto p = freshDir("configs") / "config.json";
            writeFile(p, text);
            checkExperiment(loadExperimentConfig(p));
        }
        }
    });
}
} // namespace phinet::fuzz

#ifndef PHINET_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size)
{
    return phinet::fuzz::config(data, size);
}
#endif
