#include "phinet/report/ResultColumns.h"

#include "phinet/model/LayerTable.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

namespace phinet {

const std::vector<ResultColumnInfo>& resultColumns()
{
    using C = ResultColumn;
    // id, header, numeric, decimals, compared, lowerIsBetter, brief
    static const std::vector<ResultColumnInfo> columns{
        {C::Model, "Model", false, 0, false, false, true},
        {C::Variant, "Variant", false, 0, false, false, false},
        {C::Precision, "Precision", false, 0, false, false, false},
        {C::SweepPoint, "Sweep point", false, 0, false, false, false},
        {C::Params, "Params", true, 0, true, true, false},
        {C::Macs, "MACs", true, 0, false, true, false},
        {C::Accuracy, "Accuracy (%)", true, 2, true, false, true},
        {C::Size, "Size (MiB)", true, 3, true, true, true},
        {C::CpuLatency, "CPU latency (ms)", true, 3, true, true, true},
        {C::CpuLatencyP90, "p90 (ms)", true, 3, true, true, true},
        {C::CpuLatencyInterval, "95% interval (ms)", false, 3, false, true, true},
        {C::LatencyRatio, "Latency ratio [95%]", false, 2, false, false, true},
        {C::Int8Latency, "INT8 latency (ms)", true, 3, true, true, false},
        {C::GpuLatency, "GPU latency (ms)", true, 3, false, true, true},
        {C::TrainSeconds, "Train time (s)", true, 1, true, true, true},
        {C::FlashInt8, "INT8 flash (KiB)", true, 1, false, true, false},
        {C::PeakRamInt8, "INT8 peak RAM (KiB)", true, 1, false, true, false},
    };
    return columns;
}

const ResultColumnInfo& resultColumn(ResultColumn id)
{
    const auto& all = resultColumns();
    const auto it = std::find_if(all.begin(), all.end(), [id](const ResultColumnInfo& c) { return c.id == id; });
    assert(it != all.end() && "every ResultColumn has a row in resultColumns()");
    return *it;
}

namespace {

std::string fixed(double v, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

ResultCell number(const std::optional<double>& v, int decimals)
{
    if (!v) return {};
    return {fixed(*v, decimals), v};
}

ResultCell count(std::int64_t v)
{
    return {withThousands(v), double(v)};
}

/// Bytes as KiB; 0 means not estimated.
ResultCell kib(std::int64_t bytes, int decimals)
{
    if (!bytes) return {};
    return number(double(bytes) / 1024.0, decimals);
}

/// "original-fp32" -> "ORIGINAL FP32", "modified-ptq-int8" -> "PTQ INT8"; other names as they are.
std::string shortModelName(const std::string& m)
{
    if (m == "original-fp32") return "ORIGINAL";
    if (m == "modified-fp32") return "MODIFIED";
    if (m == "modified-ptq-int8") return "PTQ INT8";
    if (m == "modified-qat-int8") return "QAT INT8";
    return m;
}

ResultCell latency(const std::optional<LatencyReport>& l, bool p90, int decimals)
{
    if (!l) return {};
    if (!l->available) return {"n/a", std::nullopt, true, l->unavailableReason};
    return number(p90 ? l->p90 : l->median, decimals);
}

} // namespace

ResultCell resultCell(ResultColumn id, const ModelResult& r)
{
    const int d = resultColumn(id).decimals;
    switch (id) {
    case ResultColumn::Model:
        return {r.model};
    case ResultColumn::Variant:
        return {r.variant};
    case ResultColumn::Precision:
        return {toString(r.precision)};
    case ResultColumn::SweepPoint: {
        if (r.sweepKnob.empty()) return {};
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", r.sweepValue);
        return {r.sweepKnob + " = " + buf};
    }
    case ResultColumn::Params:
        return count(r.params);
    case ResultColumn::Macs:
        return count(r.macs);
    case ResultColumn::Accuracy:
        return number(r.accuracyPct, d);
    case ResultColumn::Size:
        return number(sizeMib(r), d);
    case ResultColumn::CpuLatency:
        return latency(r.cpuLatency, false, d);
    case ResultColumn::CpuLatencyP90:
        return latency(r.cpuLatency, true, d);
    case ResultColumn::CpuLatencyInterval: {
        if (!r.cpuLatency || !r.cpuLatency->available || r.cpuLatency->rounds == 0) return {};
        char buf[96];
        std::snprintf(buf, sizeof buf, "[%.*f, %.*f]", d, r.cpuLatency->intervalLow, d, r.cpuLatency->intervalHigh);
        return {buf};
    }
    case ResultColumn::LatencyRatio: {
        if (!r.latencyRatio) return {};
        const auto& q = *r.latencyRatio;
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s / %s = %.*fx [%.*f, %.*f]%s", shortModelName(q.numerator).c_str(),
                      shortModelName(q.denominator).c_str(), d, q.ratio, d, q.intervalLow, d, q.intervalHigh,
                      q.resolved() ? "" : " not resolved");
        ResultCell c{buf};
        c.value = q.ratio;
        return c;
    }
    case ResultColumn::Int8Latency:
        return latency(r.int8CpuLatency, false, d);
    case ResultColumn::GpuLatency:
        return latency(r.gpuLatency, false, d);
    case ResultColumn::TrainSeconds:
        return number(r.trainSeconds, d);
    case ResultColumn::FlashInt8:
        return kib(r.flashBytesInt8, d);
    case ResultColumn::PeakRamInt8:
        return kib(r.peakRamBytesInt8, d);
    }
    return {};
}

std::string formatResultsTable(const std::vector<ModelResult>& rows)
{
    std::vector<const ResultColumnInfo*> cols;
    for (const auto& c : resultColumns())
        if (c.brief) cols.push_back(&c);
    std::vector<std::vector<std::string>> cells(rows.size());
    std::vector<std::size_t> width;
    for (const auto* c : cols)
        width.push_back(std::string(c->header).size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t k = 0; k < cols.size(); ++k) {
            auto text = resultCell(cols[k]->id, rows[i]).text;
            cells[i].push_back(text.empty() ? "-" : text);
            width[k] = std::max(width[k], cells[i].back().size());
        }
    auto line = [&](auto cellOf) {
        std::string out;
        for (std::size_t k = 0; k < cols.size(); ++k) {
            const std::string text = cellOf(k);
            const std::string pad(width[k] - text.size(), ' ');
            out += (k ? "  " : "") + (cols[k]->numeric ? pad + text : text + pad);
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out + "\n";
    };
    std::string out = line([&](std::size_t k) { return std::string(cols[k]->header); });
    for (const auto& row : cells)
        out += line([&](std::size_t k) { return row[k]; });
    for (const auto& r : rows)
        if (r.gpuLatency && !r.gpuLatency->available) {
            out += "GPU latency: unavailable (" + r.gpuLatency->unavailableReason + ")\n";
            break;
        }
    return out;
}

} // namespace phinet
