#pragma once
/// The columns of the results table, one list for every reader of result rows: the Run area's and the
/// Runs area's tables, the Runs area's comparison and the CLI's study table. Torch-free (the GUI
/// includes it). results.csv keeps its own column list (csvColumns(): settings and units for files).

#include "phinet/report/Results.h"

#include <optional>
#include <string>
#include <vector>

namespace phinet {

/// Column ids, in the order the tables show them. The GUI names each (translated) in one switch.
enum class ResultColumn {
    Model,
    Variant,
    Precision,
    SweepPoint,
    Params,
    Macs,
    Accuracy,
    Size,
    CpuLatency,
    CpuLatencyP90,
    CpuLatencyInterval, ///< the 95% interval of the CPU latency's median (interleaved rounds)
    LatencyRatio,       ///< ModelResult::latencyRatio: "1.08x [1.02, 1.15]", "not resolved" when it holds 1
    Int8Latency,
    GpuLatency,
    TrainSeconds,
    FlashInt8,
    PeakRamInt8,
};

struct ResultColumnInfo {
    ResultColumn id;
    const char* header; ///< English header with unit, as the CLI prints it ("Accuracy (%)")
    bool numeric;       ///< a number (right-aligned); else text
    int decimals;       ///< fixed decimals of the number shown (0 for counts, shown with thousands separators)
    bool compared;      ///< one of the measures the Runs area compares between two runs
    bool lowerIsBetter; ///< for compared measures: which direction is an improvement
    bool brief;         ///< in the CLI's study table
};

/// Every column, in table order.
const std::vector<ResultColumnInfo>& resultColumns();
const ResultColumnInfo& resultColumn(ResultColumn id);

/// One cell of a row.
struct ResultCell {
    std::string text;            ///< as the tables show it; empty when the row has no such measurement
    std::optional<double> value; ///< the number behind a numeric cell (none when empty or unavailable)
    bool unavailable = false;    ///< a latency that could not be measured: the GUI shows "n/a" ...
    std::string reason;          ///< ... and this, why (may be empty)
};
ResultCell resultCell(ResultColumn id, const ModelResult& r);

/// The CLI's study table: the brief columns, aligned, "-" where empty, one line per row (each line
/// ends in '\n'), then a line naming why the GPU latency is unavailable when it is.
std::string formatResultsTable(const std::vector<ModelResult>& rows);

} // namespace phinet
