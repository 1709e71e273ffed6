#pragma once
// The quick preset shrunk to seconds for the GUI tests: fewer images and epochs, one thread each
// (the GUI thread keeps the other core), short latency protocol; saved as a user preset.

#include "phinet/experiment/ExperimentConfig.h"

namespace phinet::test {

inline Preset shrunkQuickPreset(const std::string& name, std::int64_t limitTrain, std::int64_t limitTest, int epochs,
                                int calibrationBatches)
{
    Preset p = findPreset("quick");
    p.name = name;
    auto& c = *p.study;
    c.data.limitTrain = limitTrain;
    c.data.limitTest = limitTest;
    c.trainOriginal.epochs = c.trainModified.epochs = epochs;
    c.trainOriginal.threads = c.trainModified.threads = c.quant.threads = c.bench.threads = 1;
    c.quant.calibrationBatches = calibrationBatches;
    c.bench.runs = 5;
    c.bench.warmup = 1;
    return p;
}

} // namespace phinet::test
