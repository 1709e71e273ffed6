#include "phinet/model/McuTarget.h"

#include "phinet/common/Error.h"
#include "phinet/common/JsonRead.h"
#include "phinet/common/Paths.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace phinet {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kKb = 1024;

/// A size in KB from an entry: a positive number (fractions allowed), returned in bytes.
std::int64_t readKb(const json& entry, const char* key, const std::string& where)
{
    if (!entry.contains(key)) throw ConfigError(where + ": " + key + ": missing (the size in KB, 1 KB = 1024 bytes)");
    const auto& v = entry.at(key);
    if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
        throw ConfigError(where + ": " + key + ": expected a positive number of KB, got " + v.dump());
    return std::llround(v.get<double>() * kKb);
}

std::string readText(const json& entry, const char* key, const std::string& where, bool required)
{
    if (!entry.contains(key)) {
        if (required) throw ConfigError(where + ": " + key + ": missing");
        return {};
    }
    const auto& v = entry.at(key);
    if (!v.is_string()) throw ConfigError(where + ": " + key + ": expected a string, got " + v.dump());
    const auto s = v.get<std::string>();
    if (required && s.empty()) throw ConfigError(where + ": " + key + ": must not be empty");
    return s;
}

bool better(const FitCandidate& a, const FitCandidate& b, bool moreMacs)
{
    // Ranking of the search: MACs first (most when looking for the largest fit, fewest when looking
    // for the smallest network), then the smaller INT8 peak RAM and flash, then smaller alpha and depth
    // (several alphas round to the same widths; the smallest one names that network).
    if (a.summary.macs != b.summary.macs)
        return moreMacs ? a.summary.macs > b.summary.macs : a.summary.macs < b.summary.macs;
    if (a.summary.peakRamBytesInt8 != b.summary.peakRamBytesInt8)
        return a.summary.peakRamBytesInt8 < b.summary.peakRamBytesInt8;
    if (a.summary.flashBytesInt8 != b.summary.flashBytesInt8)
        return a.summary.flashBytesInt8 < b.summary.flashBytesInt8;
    if (a.config.alpha != b.config.alpha) return a.config.alpha < b.config.alpha;
    if (a.config.numLayers != b.config.numLayers) return a.config.numLayers < b.config.numLayers;
    if (a.config.beta != b.config.beta) return a.config.beta < b.config.beta;
    return a.config.t0 < b.config.t0;
}

} // namespace

std::vector<McuTarget> loadTargetsFile(const fs::path& path)
{
    const std::string file = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(file + ": cannot read the targets file");
    json j;
    try {
        in >> j;
    } catch (const json::exception& e) {
        throw ConfigError(file + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!j.is_object() || !j.contains("targets") || !j.at("targets").is_array())
        throw ConfigError(file + ": expected an object with a \"targets\" list");
    std::vector<McuTarget> out;
    const auto& list = j.at("targets");
    for (size_t i = 0; i < list.size(); ++i) {
        const auto& e = list[i];
        std::string where = file + ": targets[" + std::to_string(i) + "]";
        if (!e.is_object()) throw ConfigError(where + ": expected an object, got " + e.dump());
        if (e.contains("name") && e.at("name").is_string()) where += " \"" + e.at("name").get<std::string>() + "\"";
        McuTarget t;
        t.name = normalisedName(readText(e, "name", where, true));
        if (t.name.find_first_of(" \t,") != std::string::npos)
            throw ConfigError(where + ": name: must not contain spaces or commas");
        t.mcu = readText(e, "mcu", where, true);
        t.flashBytes = readKb(e, "flash_kb", where);
        t.ramBytes = readKb(e, "ram_kb", where);
        t.source = readText(e, "source", where, true);
        t.note = readText(e, "note", where, false);
        t.origin = file;
        for (const auto& k : e.items()) {
            static const std::vector<std::string> known{"name", "mcu", "flash_kb", "ram_kb", "source", "note"};
            if (std::find(known.begin(), known.end(), k.key()) == known.end())
                throw ConfigError(where + ": unknown field \"" + k.key() +
                                  "\" (expected name, mcu, flash_kb, ram_kb, source, note)");
        }
        for (const auto& o : out)
            if (o.name == t.name) throw ConfigError(where + ": name: \"" + t.name + "\" appears twice in this file");
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<McuTarget> listTargets()
{
    auto targets = loadTargetsFile(resourceDir() / "targets.json");
    const fs::path user = userDataDir() / "targets.json";
    std::error_code ec;
    if (fs::exists(user, ec)) {
        for (auto& t : loadTargetsFile(user)) {
            auto it =
                std::find_if(targets.begin(), targets.end(), [&](const McuTarget& b) { return b.name == t.name; });
            if (it != targets.end())
                *it = std::move(t);
            else
                targets.push_back(std::move(t));
        }
    }
    return targets;
}

McuTarget findTarget(const std::vector<McuTarget>& targets, const std::string& name)
{
    const auto wanted = normalisedName(name);
    for (const auto& t : targets)
        if (t.name == wanted) return t;
    std::string known;
    for (const auto& t : targets)
        known += (known.empty() ? "" : ", ") + t.name;
    throw ConfigError("unknown target \"" + name + "\" (known: " + known + ")");
}

FitVerdict checkFit(const ModelSummary& s, const McuTarget& target, const McuReserve& reserve)
{
    FitVerdict v;
    v.target = target;
    v.reserve = reserve;
    auto fill = [&](PrecisionFit& f, std::int64_t ram, std::int64_t flash) {
        f.ramBytes = ram;
        f.flashBytes = flash;
        f.ramBudgetBytes = target.ramBytes - reserve.ramBytes;
        f.flashBudgetBytes = target.flashBytes - reserve.flashBytes;
        f.ramPeakAt = s.peakRamAt;
    };
    fill(v.fp32, s.peakRamBytesFp32, s.flashBytesFp32);
    fill(v.int8, s.peakRamBytesInt8, s.flashBytesInt8);
    return v;
}

std::string formatKb(std::int64_t bytes)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f KB", double(bytes) / kKb);
    return buf;
}

std::string describeFit(const PrecisionFit& f)
{
    std::string ram = f.ramFits() ? "RAM " + formatKb(f.ramMarginBytes()) + " spare"
                                  : "RAM over by " + formatKb(-f.ramMarginBytes()) + " at " + f.ramPeakAt;
    std::string flash = f.flashFits() ? "flash " + formatKb(f.flashMarginBytes()) + " spare"
                                      : "flash over by " + formatKb(-f.flashMarginBytes());
    if (f.fits()) return "fits: " + ram + ", " + flash;
    // the overshoot first
    if (!f.ramFits() && f.flashFits()) return "does not fit: " + ram + "; " + flash;
    if (f.ramFits() && !f.flashFits()) return "does not fit: " + flash + "; " + ram;
    return "does not fit: " + ram + "; " + flash;
}

std::vector<double> FitGrid::alphas() const
{
    std::vector<double> out;
    if (alphaStepCenti < 1) return out;
    for (int i = alphaFromCenti; i <= alphaToCenti; i += alphaStepCenti)
        out.push_back(i / 100.0);
    return out;
}

PhiNetConfig fitConfig(const std::array<int, 3>& input, int numClasses, double alpha, int blocks, double beta,
                       double t0)
{
    PhiNetConfig c = PhiNetConfig::study(Variant::Modified, input);
    c.numClasses = numClasses;
    c.alpha = alpha;
    c.numLayers = blocks;
    c.beta = beta;
    c.t0 = t0;
    c.divisor = 8;
    c.downsamplingLayers = PhiNetConfig::defaultDownsampling(blocks);
    return c;
}

FitResult findLargestFit(const FitRequest& r)
{
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::string> problems;
    const auto alphas = r.grid.alphas();
    if (alphas.empty()) problems.push_back("grid: no alpha values");
    if (r.grid.blocks.empty()) problems.push_back("grid: no block counts");
    if (r.grid.betas.empty()) problems.push_back("grid: no beta values");
    if (r.grid.t0s.empty()) problems.push_back("grid: no t0 values");
    if (r.reserve.ramBytes < 0) problems.push_back("reserve_ram: must be >= 0");
    if (r.reserve.flashBytes < 0) problems.push_back("reserve_flash: must be >= 0");
    if (r.reserve.ramBytes >= r.target.ramBytes)
        problems.push_back("reserve_ram: " + formatKb(r.reserve.ramBytes) + " leaves nothing of " + r.target.name +
                           "'s " + formatKb(r.target.ramBytes) + " RAM");
    if (r.reserve.flashBytes >= r.target.flashBytes)
        problems.push_back("reserve_flash: " + formatKb(r.reserve.flashBytes) + " leaves nothing of " + r.target.name +
                           "'s " + formatKb(r.target.flashBytes) + " flash");
    if (problems.empty()) {
        // the network's own rules (input >= 8x8, classes >= 2, beta/t0 > 0, blocks 1..64) name the field
        for (int n : r.grid.blocks)
            for (double b : r.grid.betas)
                for (double t : r.grid.t0s)
                    for (const auto& p : fitConfig(r.input, r.numClasses, alphas.front(), n, b, t).validate())
                        if (std::find(problems.begin(), problems.end(), p.text()) == problems.end())
                            problems.push_back(p.text());
    }
    if (!problems.empty()) throw ConfigError(problems);

    FitResult res;
    auto fitsBudget = [&](const FitCandidate& c) {
        return c.verdict.int8.fits() && (!r.maxMacs || c.summary.macs <= *r.maxMacs);
    };
    for (int n : r.grid.blocks)
        for (double b : r.grid.betas)
            for (double t : r.grid.t0s)
                for (double a : alphas) {
                    FitCandidate c;
                    c.config = fitConfig(r.input, r.numClasses, a, n, b, t);
                    c.summary = summarize(c.config);
                    c.verdict = checkFit(c.summary, r.target, r.reserve);
                    ++res.evaluated;
                    if (fitsBudget(c)) {
                        if (!res.best || better(c, *res.best, true)) res.best = c;
                    } else if (!res.smallest || better(c, *res.smallest, false)) {
                        res.smallest = c;
                    }
                }
    if (res.best) {
        res.smallest.reset();
    } else if (res.smallest) {
        // the largest square input, same channels, at which the smallest network fits
        const auto& s = *res.smallest;
        const int top = std::max(r.input[1], r.input[2]) - 1;
        for (int h = top; h >= 8; --h) {
            const auto cfg = fitConfig({r.input[0], h, h}, r.numClasses, s.config.alpha, s.config.numLayers,
                                       s.config.beta, s.config.t0);
            const auto sum = summarize(cfg);
            if (checkFit(sum, r.target, r.reserve).int8.fits() && (!r.maxMacs || sum.macs <= *r.maxMacs)) {
                res.fittingInput = std::array<int, 3>{r.input[0], h, h};
                break;
            }
        }
    }
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return res;
}

} // namespace phinet
