#pragma once
/// The exact architecture of a PhiNet, computed arithmetically from its config (no Torch): the plan
/// the module builder follows, and the layer table with params, MACs and MCU budget estimates that
/// the CLI, the GUI and reports show. Torch-free: the GUI includes this header.

#include "phinet/model/PhiNetConfig.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace phinet {

/// Stem: optional ZeroPad2d, depthwise 3x3 (no bias) with the stem stride, pointwise 1x1, BN, act.
struct StemPlan {
    int inChannels = 0;
    int outChannels = 0;
    int stride = 2;
    std::array<int, 4> zeroPad{0, 0, 0, 0}; ///< left, right, top, bottom
    int inH = 0, inW = 0, outH = 0, outW = 0;
};

/// One PhiNetConvBlock. Block 0 has no expansion conv and no SE.
struct BlockPlan {
    int id = 0; ///< 0 for the non-expanding first block, 1..N for the others
    int inChannels = 0;
    int expandedChannels = 0; ///< depthwise width (== inChannels for block 0)
    int seChannels = 0;       ///< SE hidden width, 0 when the block has no SE
    int outChannels = 0;
    int kernel = 3;
    int stride = 1;
    double expansion = 1.0;
    bool hasExpansion = false;
    bool residual = false;
    std::array<int, 4> zeroPad{0, 0, 0, 0}; ///< explicit ZeroPad2d before the depthwise conv (ORIGINAL s2)
    int convPadding = 1;                    ///< symmetric padding inside the depthwise conv
    int inH = 0, inW = 0, outH = 0, outW = 0;
};

struct HeadPlan {
    bool present = true;
    int inChannels = 0;
    int numClasses = 0;
};

struct PhiNetPlan {
    PhiNetConfig config;
    StemPlan stem;
    std::vector<BlockPlan> blocks; ///< block 0 first
    HeadPlan head;
};

/// Computes the exact widths, strides and paddings of the network (micromind semantics, spec a.2-a.6).
/// Throws ConfigError if the config is invalid.
PhiNetPlan planPhiNet(const PhiNetConfig& cfg);

/// One row of the layer table.
struct LayerRow {
    std::string name; ///< "stem", "block0", "block1", ..., "head"
    std::string kind; ///< human description, e.g. "MBConv s2 +SE"
    int inChannels = 0;
    int expandedChannels = 0; ///< 0 where not applicable
    int seChannels = 0;       ///< 0 where the layer has no SE
    int outChannels = 0;
    int kernel = 0;
    int stride = 1;
    double expansion = 0.0;
    bool residual = false;
    int inH = 0, inW = 0, outH = 0, outW = 0;
    std::int64_t params = 0;
    std::int64_t macs = 0;           ///< torchinfo convention (see ModelSummary)
    std::int64_t outputElements = 0; ///< elements of the layer's output tensor (batch 1)
    std::int64_t peakElements = 0;   ///< largest live-element count while this layer runs (see ModelSummary)
    int bnLayers = 0;
};

/// The layer table and its totals.
///
/// MACs follow torchinfo's convention, as the original study printed them: a convolution counts
/// weight-count x H_out x W_out, BatchNorm and Linear count their parameter count (batch 1).
///
/// MCU budget estimates (batch 1, the deployable model with BatchNorm folded into the convolutions):
/// - flash FP32 = 4 bytes x (conv and linear weights + one bias per folded BN channel + linear bias).
/// - flash INT8 = 1 byte per conv/linear weight + 4 bytes per int32 bias + 4 bytes per output channel
///   of every conv and the linear layer (the per-channel float scale; symmetric weights need no zero
///   point). Per-tensor activation scale/zero-point pairs (a few bytes per layer) are not counted.
/// - peak RAM: the network runs op by op; while an op runs, its input and output tensors are live,
///   plus the block input that a residual block keeps for its final add, plus (inside SE) the gate
///   vector. Peak RAM is the largest such sum over all ops, times 4 bytes (FP32) or 1 byte (INT8).
///   Padding is assumed virtual (no padded copy), activations in place, the residual add in place.
struct ModelSummary {
    PhiNetPlan plan;
    std::vector<LayerRow> rows;
    std::int64_t params = 0;
    std::int64_t macs = 0;
    int bnLayers = 0;
    std::int64_t bnChannels = 0;
    std::int64_t weightElements = 0;          ///< conv + linear weights
    std::int64_t outputChannelsQuantized = 0; ///< sum of output channels over convs and the linear layer
    std::int64_t flashBytesFp32 = 0;
    std::int64_t flashBytesInt8 = 0;
    std::int64_t peakRamElements = 0;
    std::int64_t peakRamBytesFp32 = 0;
    std::int64_t peakRamBytesInt8 = 0;
    std::string peakRamAt; ///< "block3/depthwise": where the peak happens
};

/// Computes the layer table of a config. Throws ConfigError if the config is invalid.
ModelSummary summarize(const PhiNetConfig& cfg);

/// A fixed-width, human-readable table of a summary (the CLI's default output).
std::string formatLayerTable(const ModelSummary& s);

/// Formats an integer with thousands separators: 4406997 -> "4,406,997".
std::string withThousands(std::int64_t v);
/// Formats a byte count as "12.3 KiB" / "4.58 MiB".
std::string humanBytes(std::int64_t bytes);

} // namespace phinet
