#pragma once
// The one place that knows the order of operations of a PhiNet forward pass for the quantization
// code. Backends (folded FP32, QAT, the INT8 runtime, the site lister) implement the ops; the walker
// calls them in order with a running site index, so every backend sees the same sites.
//
// Ops must provide (T = tensor type):
//   T input(T x, int site); T pad(T x, const std::array<int,4>& p);
//   T conv(ConvSlot s, int block, T x, int site); T act(T x, int site); T dropout(T x);
//   T pool(T x, int site); T sigmoid(T x, int site); T mul(T a, T b, int site); T add(T a, T b, int site);
//   T linear(T x, int site); T output(T x);

#include "phinet/quant/Folding.h"

namespace phinet::detail {

/// The convolution `slot` of block `block` (-1: the stem) in any network type that names its
/// convolutions stemDw, stemPw and blocks[i].{expand, dw, seReduce, seExpand, project}.
template <class Net> auto& convOf(Net& net, ConvSlot slot, int block)
{
    switch (slot) {
    case ConvSlot::StemDw:
        return net.stemDw;
    case ConvSlot::StemPw:
        return net.stemPw;
    case ConvSlot::Expand:
        return net.blocks[size_t(block)].expand;
    case ConvSlot::Dw:
        return net.blocks[size_t(block)].dw;
    case ConvSlot::SeReduce:
        return net.blocks[size_t(block)].seReduce;
    case ConvSlot::SeExpand:
        return net.blocks[size_t(block)].seExpand;
    case ConvSlot::Project:
        return net.blocks[size_t(block)].project;
    }
    return net.stemDw;
}

template <class Ops, class T> T walkPhiNet(const PhiNetPlan& p, Ops& ops, T x)
{
    int site = 0;
    x = ops.input(x, site++);
    if (p.stem.zeroPad[0] || p.stem.zeroPad[1] || p.stem.zeroPad[2] || p.stem.zeroPad[3])
        x = ops.pad(x, p.stem.zeroPad);
    x = ops.conv(ConvSlot::StemDw, -1, x, site++);
    x = ops.conv(ConvSlot::StemPw, -1, x, site++);
    x = ops.act(x, site++);
    for (int i = 0; i < int(p.blocks.size()); ++i) {
        const auto& b = p.blocks[size_t(i)];
        T in = x;
        T y = x;
        if (b.hasExpansion) {
            y = ops.conv(ConvSlot::Expand, i, y, site++);
            y = ops.act(y, site++);
        }
        if (b.zeroPad[0] || b.zeroPad[1] || b.zeroPad[2] || b.zeroPad[3]) y = ops.pad(y, b.zeroPad);
        y = ops.dropout(y);
        y = ops.conv(ConvSlot::Dw, i, y, site++);
        y = ops.act(y, site++);
        if (b.seChannels > 0) {
            T g = ops.pool(y, site++);
            g = ops.conv(ConvSlot::SeReduce, i, g, site++);
            g = ops.act(g, site++);
            g = ops.conv(ConvSlot::SeExpand, i, g, site++);
            g = ops.sigmoid(g, site++);
            y = ops.mul(y, g, site++);
        }
        y = ops.conv(ConvSlot::Project, i, y, site++);
        if (b.residual) y = ops.add(y, in, site++);
        x = y;
    }
    if (p.head.present) {
        x = ops.pool(x, site++);
        x = ops.linear(x, site++);
    }
    return ops.output(x);
}

} // namespace phinet::detail
