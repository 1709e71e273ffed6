#pragma once
/// Result rows, the reproducibility manifest, and CSV (RFC 4180) / JSON writers. Torch-free.

#include "phinet/common/Files.h"
#include "phinet/bench/Comparison.h"
#include "phinet/bench/Latency.h"
#include "phinet/quant/QuantConfig.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

/// What a result row measured: one FP32 model, one INT8 model, or (sweep points) both on one row.
enum class Precision { Fp32, Int8, Fp32AndInt8 };
/// "fp32", "int8", "fp32+int8": the names results.csv and results.json hold.
const char* toString(Precision p);
std::optional<Precision> precisionFromString(const std::string& s);

/// Everything measured about one model (a study row or a sweep point).
struct ModelResult {
    std::string model;   ///< "original-fp32", "modified-fp32", "modified-ptq-int8", "modified-qat-int8", ...
    std::string variant; ///< "original" | "modified" | "modified-early"
    Precision precision = Precision::Fp32;
    std::string sweepKnob; ///< sweeps: the varied knob
    double sweepValue = 0;
    double alpha = 0, beta = 0, t0 = 0;
    int layers = 0;
    std::string input; ///< "C,H,W"
    std::int64_t params = 0;
    std::int64_t macs = 0;
    std::int64_t flashBytesInt8 = 0;
    std::int64_t peakRamBytesInt8 = 0;
    /// Sweeps with a target: the board's name and whether the INT8 flash and peak RAM fit it (less the
    /// reserve). The CSV gets a column fits_<target> ("true"/"false") when any row has one.
    std::string fitTarget;
    std::optional<bool> fitsTarget;
    std::optional<double> fp32SizeMib, int8SizeMib;
    std::optional<double> accuracyPct;
    std::optional<double> trainSeconds;
    std::optional<LatencyReport> cpuLatency;
    std::optional<LatencyReport> int8CpuLatency; ///< sweeps: both latencies on one row
    std::optional<LatencyReport> gpuLatency;
    /// A latency ratio with its 95% interval, from interleaved rounds (pairedRatio): on the study's
    /// ORIGINAL FP32 row ORIGINAL / MODIFIED FP32 (> 1: MODIFIED is faster); on INT8 rows MODIFIED
    /// FP32 / this model (the INT8 speed-up); on sweep rows FP32 / INT8 of the point. "Not resolved"
    /// when the interval holds 1.
    std::optional<LatencyRatio> latencyRatio;
    std::vector<std::int64_t> confusion;
    std::vector<LayerError> layerErrors;
    std::vector<QatEpoch> qatEpochs;
};

/// The size of the row's own model file: the INT8 file for an INT8 row, else the FP32 one.
std::optional<double> sizeMib(const ModelResult& r);

nlohmann::json toJson(const ModelResult& r);
/// Reads what toJson wrote; throws ConfigError naming an unknown precision.
ModelResult modelResultFromJson(const nlohmann::json& j);

/// Where, when and with what a result was obtained.
struct Manifest {
    std::string workbenchVersion;
    std::string libtorchVersion;
    std::string spdlogVersion;
    std::string cpu;
    std::string gpu; ///< "none (...)" when unavailable
    std::string engine;
    int threads = 0;
    std::uint64_t seed = 0;
    std::string date; ///< ISO 8601, UTC
    std::string host;
    std::string dataNote; ///< which data the run read when it fell back to the bundled subset (else empty)
    /// The latency protocol as measured: rounds, runs, interleaving, isolation, the machine's load
    /// and steal during the measurement, and its warnings (toJson(LatencyComparison) less the models).
    nlohmann::json latency;
    nlohmann::json config;
};
/// The manifest of this machine and process for a config.
Manifest makeManifest(const nlohmann::json& config, std::uint64_t seed, const std::string& engine, int threads);
nlohmann::json toJson(const Manifest& m);

/// The CSV columns: settings first (model, variant, alpha, ...), then measurements with units.
const std::vector<std::string>& csvColumns();
/// One CSV line per result (RFC 4180: CRLF, quoted where needed, blank where not measured). Rows
/// checked against an MCU target add a last column fits_<target> per target named by the rows.
std::string toCsv(const std::vector<ModelResult>& rows);
/// Quotes a field if it holds a comma, quote or line break (RFC 4180).
std::string csvField(const std::string& s);

} // namespace phinet
