#include "FitCommand.h"

#include "phinet/common/Error.h"
#include "phinet/model/ConfigJson.h"
#include "phinet/model/McuTarget.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace phinet::cli {
using json = nlohmann::json;

void FitArgs::add(CLI::App* app)
{
    app->add_option("--target", target,
                    "the board (phinet fit --list shows them; add your own in <data home>/targets.json)");
    app->add_option("--input", input, "input shape C,H,W (e.g. 3,96,96)");
    app->add_option("--classes", classes, "number of classes")->capture_default_str();
    app->add_option("--reserve-ram", reserveRamKb,
                    "KB of RAM kept for stack, heap and runtime (default " +
                        std::to_string(McuReserve::kDefaultRamBytes / 1024) + "; 1 KB = 1024 bytes)");
    app->add_option("--reserve-flash", reserveFlashKb,
                    "KB of flash kept for the runtime and firmware (default " +
                        std::to_string(McuReserve::kDefaultFlashBytes / 1024) + ")");
    app->add_option("--max-macs", maxMacs, "a compute ceiling: only networks with at most this many MACs");
    app->add_option("--beta", betas, "beta values to search, comma-separated (default: 0.75)");
    app->add_option("--t0", t0s, "t0 values to search, comma-separated (default: 6)");
    app->add_option("--blocks", blocks, "numbers of blocks N to search, comma-separated (default: 4,5,6,7,8,9,10)");
    app->add_flag("--list", list, "list the known boards and exit");
    app->add_flag("--json", json, "one JSON object on stdout");
}

namespace {

template <typename T> std::vector<T> parseList(const std::string& text, const std::string& option)
{
    std::vector<T> out;
    std::stringstream ss(text);
    std::string part;
    while (std::getline(ss, part, ',')) {
        try {
            size_t used = 0;
            const double v = std::stod(part, &used);
            if (used != part.size() || !(v > 0)) throw std::invalid_argument(part);
            if (std::is_integral_v<T> && v != std::floor(v)) throw std::invalid_argument(part);
            out.push_back(T(v));
        } catch (const std::exception&) {
            throw UsageError(option + ": expected positive " + (std::is_integral_v<T> ? "integers" : "numbers") +
                             " separated by commas, got \"" + text + "\"");
        }
    }
    if (out.empty()) throw UsageError(option + ": give at least one value");
    return out;
}

std::string joinNumbers(const std::vector<double>& v)
{
    std::string s;
    char buf[32];
    for (double x : v) {
        std::snprintf(buf, sizeof buf, "%g", x);
        s += (s.empty() ? "" : ",") + std::string(buf);
    }
    return s;
}

json fitJson(const PrecisionFit& f)
{
    return {{"fits", f.fits()},
            {"ram_fits", f.ramFits()},
            {"flash_fits", f.flashFits()},
            {"peak_ram_bytes", f.ramBytes},
            {"flash_bytes", f.flashBytes},
            {"ram_budget_bytes", f.ramBudgetBytes},
            {"flash_budget_bytes", f.flashBudgetBytes},
            {"ram_margin_bytes", f.ramMarginBytes()},
            {"flash_margin_bytes", f.flashMarginBytes()},
            {"ram_peak_at", f.ramPeakAt},
            {"verdict", describeFit(f)}};
}

json candidateJson(const FitCandidate& c)
{
    return {{"alpha", c.config.alpha},     {"blocks", c.config.numLayers},    {"beta", c.config.beta},
            {"t0", c.config.t0},           {"macs", c.summary.macs},          {"params", c.summary.params},
            {"config", toJson(c.config)},  {"int8", fitJson(c.verdict.int8)}, {"fp32", fitJson(c.verdict.fp32)},
            {"summary", toJson(c.summary)}};
}

void printCandidate(const FitCandidate& c)
{
    std::cout << formatLayerTable(c.summary);
    std::cout << "INT8 on " << c.verdict.target.name << ": " << describeFit(c.verdict.int8) << "\n"
              << "  peak RAM " << formatKb(c.verdict.int8.ramBytes) << " of " << formatKb(c.verdict.int8.ramBudgetBytes)
              << ", flash " << formatKb(c.verdict.int8.flashBytes) << " of "
              << formatKb(c.verdict.int8.flashBudgetBytes) << "\n";
    std::cout << "FP32 on " << c.verdict.target.name << ": " << describeFit(c.verdict.fp32) << "\n";
}

} // namespace

int runFit(const FitArgs& a)
{
    const auto targets = listTargets(); // a bad targets file: ConfigError naming it, exit 1
    if (a.list) {
        if (a.json) {
            json list = json::array();
            for (const auto& t : targets)
                list.push_back({{"name", t.name},
                                {"mcu", t.mcu},
                                {"flash_bytes", t.flashBytes},
                                {"ram_bytes", t.ramBytes},
                                {"source", t.source},
                                {"note", t.note},
                                {"file", t.origin}});
            std::cout << json{{"targets", list}}.dump() << std::endl;
        } else {
            for (const auto& t : targets)
                std::printf("%-20s %-40s flash %8s  RAM %8s\n", t.name.c_str(), t.mcu.c_str(),
                            formatKb(t.flashBytes).c_str(), formatKb(t.ramBytes).c_str());
        }
        return Ok;
    }
    if (a.target.empty()) throw UsageError("--target: give the board (phinet fit --list shows them)");
    if (a.input.empty()) throw UsageError("--input: give the input shape C,H,W");
    FitRequest r;
    try {
        r.target = findTarget(targets, a.target);
    } catch (const ConfigError& e) {
        throw UsageError(std::string("--target: ") + e.what());
    }
    r.input = parseShape(a.input, "--input");
    r.numClasses = a.classes;
    if (a.reserveRamKb >= 0) r.reserve.ramBytes = std::llround(a.reserveRamKb * 1024);
    if (a.reserveFlashKb >= 0) r.reserve.flashBytes = std::llround(a.reserveFlashKb * 1024);
    if (a.maxMacs >= 0) r.maxMacs = std::int64_t(a.maxMacs);
    if (!a.betas.empty()) r.grid.betas = parseList<double>(a.betas, "--beta");
    if (!a.t0s.empty()) r.grid.t0s = parseList<double>(a.t0s, "--t0");
    if (!a.blocks.empty()) r.grid.blocks = parseList<int>(a.blocks, "--blocks");

    FitResult res;
    try {
        res = findLargestFit(r);
    } catch (const ConfigError& e) {
        // the request's fields, named as the options that set them
        std::string m = e.messages().empty() ? e.what() : e.messages().front();
        static const std::vector<std::pair<std::string, std::string>> flagOf{{"input", "--input"},
                                                                             {"classes", "--classes"},
                                                                             {"num_classes", "--classes"},
                                                                             {"beta", "--beta"},
                                                                             {"t0", "--t0"},
                                                                             {"num_layers", "--blocks"},
                                                                             {"reserve_ram", "--reserve-ram"},
                                                                             {"reserve_flash", "--reserve-flash"},
                                                                             {"grid", "--blocks"}};
        for (const auto& [field, flag] : flagOf)
            if (m.rfind(field + ":", 0) == 0) {
                m = flag + m.substr(field.size());
                break;
            }
        throw UsageError(m);
    }

    std::vector<int> blockList = r.grid.blocks;
    const auto alphas = r.grid.alphas();
    char alphaText[96];
    std::snprintf(alphaText, sizeof alphaText, "alpha %.2f to %.2f in steps of %.2f (%zu values)", alphas.front(),
                  alphas.back(), r.grid.alphaStepCenti / 100.0, alphas.size());
    std::string blocksText;
    for (int n : blockList)
        blocksText += (blocksText.empty() ? "" : ",") + std::to_string(n);
    const std::string gridText = std::string("MODIFIED variant, divisor 8, ") + alphaText + " x blocks " + blocksText +
                                 " x beta " + joinNumbers(r.grid.betas) + " x t0 " + joinNumbers(r.grid.t0s) +
                                 ", every point evaluated (exhaustive)";
    const std::int64_t ramBudget = r.target.ramBytes - r.reserve.ramBytes;
    const std::int64_t flashBudget = r.target.flashBytes - r.reserve.flashBytes;

    if (a.json) {
        json j{{"target",
                {{"name", r.target.name},
                 {"mcu", r.target.mcu},
                 {"flash_bytes", r.target.flashBytes},
                 {"ram_bytes", r.target.ramBytes},
                 {"source", r.target.source}}},
               {"reserve", {{"flash_bytes", r.reserve.flashBytes}, {"ram_bytes", r.reserve.ramBytes}}},
               {"budget", {{"flash_bytes", flashBudget}, {"ram_bytes", ramBudget}}},
               {"input", r.input},
               {"classes", r.numClasses},
               {"max_macs", r.maxMacs ? json(*r.maxMacs) : json(nullptr)},
               {"grid",
                {{"variant", "modified"},
                 {"divisor", 8},
                 {"alpha", {{"from", alphas.front()}, {"to", alphas.back()}, {"step", r.grid.alphaStepCenti / 100.0}}},
                 {"alphas", alphas.size()},
                 {"blocks", blockList},
                 {"beta", r.grid.betas},
                 {"t0", r.grid.t0s},
                 {"method", "exhaustive"},
                 {"description", gridText}}},
               {"evaluated", res.evaluated},
               {"search_seconds", res.seconds},
               {"found", bool(res.best)}};
        if (res.best) j["best"] = candidateJson(*res.best);
        if (res.smallest) {
            j["smallest"] = candidateJson(*res.smallest);
            j["fitting_input"] = res.fittingInput ? json(*res.fittingInput) : json(nullptr);
        }
        std::cout << j.dump() << std::endl;
        return Ok;
    }

    std::cout << "target " << r.target.name << " (" << r.target.mcu << "): flash " << formatKb(r.target.flashBytes)
              << ", RAM " << formatKb(r.target.ramBytes) << "; reserve flash " << formatKb(r.reserve.flashBytes)
              << ", RAM " << formatKb(r.reserve.ramBytes) << " -> budget flash " << formatKb(flashBudget) << ", RAM "
              << formatKb(ramBudget) << " (1 KB = 1024 bytes)\n";
    std::cout << "grid: " << gridText << (r.maxMacs ? ", at most " + withThousands(*r.maxMacs) + " MACs" : "") << "\n";
    char took[64];
    std::snprintf(took, sizeof took, "%.3f s", res.seconds);
    std::cout << res.evaluated << " networks in " << took << "\n\n";
    if (res.best) {
        std::printf("largest that fits: alpha %.2f, blocks %d, beta %g, t0 %g: %s MACs\n", res.best->config.alpha,
                    res.best->config.numLayers, res.best->config.beta, res.best->config.t0,
                    withThousands(res.best->summary.macs).c_str());
        std::cout.flush();
        printCandidate(*res.best);
        return Ok;
    }
    std::cout << "nothing on the grid fits " << r.target.name << " at " << r.input[0] << "x" << r.input[1] << "x"
              << r.input[2] << ".\n";
    if (res.smallest) {
        std::printf("smallest network on the grid: alpha %.2f, blocks %d, beta %g, t0 %g: %s MACs\n",
                    res.smallest->config.alpha, res.smallest->config.numLayers, res.smallest->config.beta,
                    res.smallest->config.t0, withThousands(res.smallest->summary.macs).c_str());
        std::cout.flush();
        printCandidate(*res.smallest);
        if (res.fittingInput)
            std::cout << "it fits at input " << (*res.fittingInput)[0] << "," << (*res.fittingInput)[1] << ","
                      << (*res.fittingInput)[2] << " (the largest square input that fits)\n";
        else
            std::cout << "it fits at no smaller square input either\n";
    }
    return Ok;
}

} // namespace phinet::cli
