#pragma once
/// Microcontroller targets and the "will it fit?" verdict: a board's datasheet flash and RAM, a
/// reserve for everything that is not the network, and the INT8/FP32 budget check of a layer table.
/// Also the fit search: the MODIFIED PhiNet with the most MACs that fits a board. Torch-free: the
/// GUI's Model area includes this header and runs the search directly (it takes milliseconds).
///
/// KB means 1024 bytes everywhere here (in targets.json, on the command line and in messages).

#include "phinet/model/LayerTable.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace phinet {

/// One board: datasheet memory sizes and where they come from.
struct McuTarget {
    std::string name;            ///< "stm32f746g-disco": what --target takes
    std::string mcu;             ///< "STM32F746NG"
    std::int64_t flashBytes = 0; ///< program flash usable for weights (external flash on the Pico)
    std::int64_t ramBytes = 0;   ///< SRAM (every bank the network could use)
    std::string source;          ///< the datasheet or product specification the figures come from
    std::string note;            ///< optional remark (external flash, tightly-coupled memories, ...)
    std::string origin;          ///< the file the entry was read from
};

/// Memory kept back for the runtime, the stack, the heap and the rest of the firmware, taken off the
/// board's flash and RAM before the network is compared with them.
struct McuReserve {
    /// Default flash reserve: an interpreter-class runtime with its kernels (TensorFlow Lite Micro
    /// with CMSIS-NN is 50-100 KB), the HAL and a small application.
    static constexpr std::int64_t kDefaultFlashBytes = 128 * 1024;
    /// Default RAM reserve: stack, heap, runtime state and I/O buffers outside the tensor arena.
    static constexpr std::int64_t kDefaultRamBytes = 32 * 1024;
    std::int64_t flashBytes = kDefaultFlashBytes;
    std::int64_t ramBytes = kDefaultRamBytes;
};

/// Reads a targets file ({"targets": [{"name", "mcu", "flash_kb", "ram_kb", "source", "note"}]}).
/// Throws ConfigError naming the file and the entry ("targets.json: targets[2] \"rpi-pico\": ram_kb:
/// expected a positive number, got -1") on a parse error, a missing or wrong field, or a duplicate name.
std::vector<McuTarget> loadTargetsFile(const std::filesystem::path& path);

/// The bundled boards (resources/targets.json) extended by <data home>/targets.json, whose entries
/// replace bundled ones of the same name. Throws ConfigError as loadTargetsFile does.
std::vector<McuTarget> listTargets();

/// The target named `name` (case-insensitive) from `targets`; throws ConfigError listing the known
/// names when there is none.
McuTarget findTarget(const std::vector<McuTarget>& targets, const std::string& name);

/// The verdict for one precision.
struct PrecisionFit {
    std::int64_t ramBytes = 0;         ///< peak activation RAM the network needs
    std::int64_t flashBytes = 0;       ///< flash the weights need
    std::int64_t ramBudgetBytes = 0;   ///< board RAM minus the reserve (may be negative)
    std::int64_t flashBudgetBytes = 0; ///< board flash minus the reserve (may be negative)
    std::string ramPeakAt;             ///< the op where the RAM peak happens ("block3/expand")
    bool ramFits() const { return ramBytes <= ramBudgetBytes; }
    bool flashFits() const { return flashBytes <= flashBudgetBytes; }
    bool fits() const { return ramFits() && flashFits(); }
    /// Budget minus need: spare bytes when >= 0, the overshoot when negative.
    std::int64_t ramMarginBytes() const { return ramBudgetBytes - ramBytes; }
    std::int64_t flashMarginBytes() const { return flashBudgetBytes - flashBytes; }
};

/// FP32 and INT8 verdicts of one network on one board.
struct FitVerdict {
    McuTarget target;
    McuReserve reserve;
    PrecisionFit fp32;
    PrecisionFit int8;
};

/// Compares a layer table's flash and peak-RAM estimates with a board's memory less the reserve.
FitVerdict checkFit(const ModelSummary& summary, const McuTarget& target, const McuReserve& reserve = {});

/// "12.5 KB" (one decimal, KB = 1024 bytes).
std::string formatKb(std::int64_t bytes);
/// One line: "fits: RAM 20.0 KB spare, flash 300.0 KB spare" or
/// "does not fit: RAM over by 23.5 KB at block3/expand; flash 12.0 KB spare".
std::string describeFit(const PrecisionFit& fit);

/// What the search explores. Every combination is evaluated (exhaustive, no bisection): the grid is
/// small and a layer table costs microseconds.
struct FitGrid {
    /// alpha = i / 100 for i in [alphaFromCenti, alphaToCenti] in steps of alphaStepCenti: by default
    /// 0.10, 0.15, ..., 5.00 (99 values). Integers, so every alpha is the nearest double to i/100.
    int alphaFromCenti = 10;
    int alphaToCenti = 500;
    int alphaStepCenti = 5;
    std::vector<int> blocks{4, 5, 6, 7, 8, 9, 10}; ///< number of expanding blocks N
    std::vector<double> betas{0.75};               ///< the study's beta
    std::vector<double> t0s{6.0};                  ///< the study's t0
    std::vector<double> alphas() const;
};

/// A fit search: the MODIFIED variant (divisor 8) at the given input and classes.
struct FitRequest {
    std::array<int, 3> input{3, 96, 96};
    int numClasses = 10;
    McuTarget target;
    McuReserve reserve;
    std::optional<std::int64_t> maxMacs; ///< a compute ceiling: candidates with more MACs are skipped
    FitGrid grid;
};

/// One evaluated grid point.
struct FitCandidate {
    PhiNetConfig config;
    ModelSummary summary;
    FitVerdict verdict;
};

struct FitResult {
    /// The fitting network with the most MACs (ties: smaller INT8 peak RAM, then smaller flash, then
    /// smaller alpha, then fewer blocks); empty when nothing on the grid fits.
    std::optional<FitCandidate> best;
    /// When nothing fits: the grid's smallest network (fewest MACs; ties as above) and how far over it is.
    std::optional<FitCandidate> smallest;
    /// When nothing fits: the largest square input (same channels, H = W < the requested size) at which
    /// `smallest` fits the board, if any.
    std::optional<std::array<int, 3>> fittingInput;
    int evaluated = 0;  ///< grid points whose layer table was computed
    double seconds = 0; ///< wall time of the search
};

/// The PhiNet config of one grid point: MODIFIED, divisor 8, micromind's default downsampling.
PhiNetConfig fitConfig(const std::array<int, 3>& input, int numClasses, double alpha, int blocks, double beta,
                       double t0);

/// Exhaustive search over `request.grid`. Throws ConfigError when the request is invalid (input,
/// classes, an empty grid, a reserve that leaves nothing of the board).
FitResult findLargestFit(const FitRequest& request);

} // namespace phinet
