#pragma once
// An independent transliteration of ../shared/PHINET_SPEC.md's formulas (a.2-a.6), written from the spec's
// text and micromind's Python, not from the core's plan; the oracle for parameter counts (model tests, sweep
// CSVs, study rows). Header-only, Torch-free and constexpr: the static_asserts at the end check it against
// the spec's tabulated examples (a.9, tables A, B and E) every time a test that includes it compiles.

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

namespace phinet::oracle {

enum class V { Original, Modified, ModifiedEarly };

/// Python's `a // b` on integers: the floor of the quotient (C++ `/` truncates toward zero).
constexpr std::int64_t pyFloorDiv(std::int64_t a, std::int64_t b)
{
    std::int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) --q;
    return q;
}

/// micromind's _make_divisible(v, divisor, min_value=None), line by line:
///     if min_value is None: min_value = divisor
///     new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
///     if new_v < 0.9 * v: new_v += divisor
///     return new_v
/// Python's int() truncates toward zero; `/` is true division.
constexpr int makeDivisible(double v, int divisor, int minValue = 0)
{
    if (minValue == 0) minValue = divisor;
    const auto pyInt = static_cast<std::int64_t>(v + divisor / 2.0);
    std::int64_t newV = pyFloorDiv(pyInt, divisor) * divisor;
    if (newV < minValue) newV = minValue;
    if (static_cast<double>(newV) < 0.9 * v) newV += divisor;
    return static_cast<int>(newV);
}

/// micromind's downsampling_layers: a short list of block ids (>= 4), [5, 7] by default.
struct BlockIds {
    std::array<int, 16> ids{};
    int count = 0;
    constexpr BlockIds(std::initializer_list<int> l)
    {
        for (int id : l)
            ids[static_cast<std::size_t>(count++)] = id;
    }
    constexpr bool contains(int id) const
    {
        for (int i = 0; i < count; ++i)
            if (ids[static_cast<std::size_t>(i)] == id) return true;
        return false;
    }
};

struct Knobs {
    int channels = 3;
    double alpha = 3, beta = 0.75, t0 = 6;
    int n = 7;
    int classes = 10;
    bool top = true;
    V variant = V::Original;
    int divisor = 1; // Modified only
    BlockIds downsampling{5, 7};
    double conv5Percent = 0.0;
};

/// One expanding block (id >= 1) as spec a.4/a.5 define it.
struct Block {
    int id = 0, in = 0, expanded = 0, out = 0, se = 0, stride = 1, kernel = 3;
    std::int64_t params = 0;
};

/// Spec a.2: t(i) = t0*beta*i/N + t0*(N-i)/N, evaluated in Python's order, (((t0*beta)*i)/N) + ((t0*(N-i))/N).
constexpr double expansion(const Knobs& k, int i)
{
    return ((k.t0 * k.beta) * i) / k.n + (k.t0 * (k.n - i)) / k.n;
}

/// A width from its un-scaled value (48, 24, W_i): int(W*alpha), then make_divisible in MODIFIED (a.6.1).
constexpr int scaledWidth(const Knobs& k, double unscaled)
{
    const int w = static_cast<int>(unscaled * k.alpha);
    return k.variant == V::Modified ? makeDivisible(w, k.divisor) : w;
}

constexpr Block makeBlock(const Knobs& k, int id, int in, int out, int stride, int kernel)
{
    Block b;
    b.id = id;
    b.in = in;
    b.out = out;
    b.stride = stride;
    b.kernel = kernel;
    const double t = expansion(k, id);
    const int truncated = static_cast<int>(t * in); // int(t * C_in)
    switch (k.variant) {
    case V::Original:
        b.expanded = truncated;
        b.se = std::max(1, static_cast<int>(t * in / 6)); // from the float product (quirk Q3)
        break;
    case V::Modified:
        b.expanded = makeDivisible(truncated, k.divisor);
        b.se = makeDivisible(std::max(1, b.expanded / 6), k.divisor); // from the rounded C_e
        break;
    case V::ModifiedEarly:
        b.expanded = makeDivisible(truncated, 8);
        b.se = std::max(1, b.expanded / 6);
        break;
    }
    const std::int64_t ce = b.expanded;
    // a.9: C_in*C_e + 2C_e (expand+BN) + k^2*C_e + 2C_e (dw+BN) + 2*C_e*C_r (SE) + C_e*F + 2F (project+BN)
    b.params = in * ce + 2 * ce + std::int64_t(kernel) * kernel * ce + 2 * ce + 2 * ce * b.se + ce * out + 2 * out;
    return b;
}

/// Block `id` (1..N) of the network: walks the macro structure of a.5 up to it.
constexpr Block block(const Knobs& k, int id)
{
    const int b1 = scaledWidth(k, 24), b2 = scaledWidth(k, 48);
    if (id == 1) return makeBlock(k, 1, b1, b1, 2, 3);
    if (id == 2) return makeBlock(k, 2, b1, b1, 1, 3);
    if (id == 3) return makeBlock(k, 3, b1, b2, 2, 3);
    // Blocks 4..N: W starts at 48 and doubles (before the block is built) at each id in downsampling_layers,
    // which also gives that block stride 2; 5x5 depthwise iff id/N > 1 - conv5_percent.
    int in = b2;
    double w = 48;
    Block b;
    for (int i = 4; i <= id; ++i) {
        const bool down = k.downsampling.contains(i);
        if (down) w *= 2;
        const int kernel = static_cast<double>(i) / k.n > 1.0 - k.conv5Percent ? 5 : 3;
        b = makeBlock(k, i, in, scaledWidth(k, w), down ? 2 : 1, kernel);
        in = b.out;
    }
    return b;
}

/// Trainable parameters (a.9): conv weights, 2 per BN channel, the head Linear with its bias.
constexpr std::int64_t params(const Knobs& k)
{
    const std::int64_t stem = scaledWidth(k, 48), b1 = scaledWidth(k, 24);
    std::int64_t p = 9 * k.channels + k.channels * stem + 2 * stem; // dw 3x3 (no BN), pw 1x1, BN
    p += 9 * stem + 2 * stem + stem * b1 + 2 * b1;                  // block 0: dw, BN, projection, BN
    std::int64_t last = 0; // the head sees the last block's width (block 3's when N < 4)
    for (int id = 1; id <= std::max(3, k.n); ++id) {
        const Block b = block(k, id);
        p += b.params;
        last = b.out;
    }
    if (k.top) p += last * k.classes + k.classes;
    return p;
}

namespace detail {
constexpr Knobs knobs(int channels, double alpha, double beta, double t0, V v, int divisor, bool top = true)
{
    Knobs k;
    k.channels = channels;
    k.alpha = alpha;
    k.beta = beta;
    k.t0 = t0;
    k.variant = v;
    k.divisor = divisor;
    k.top = top;
    return k;
}
constexpr bool sameBlock(const Block& b, int in, int expanded, int out, int se, int stride, std::int64_t params)
{
    return b.in == in && b.expanded == expanded && b.out == out && b.se == se && b.stride == stride &&
           b.params == params;
}
} // namespace detail

// a.2: make_divisible with d = 1 is the identity for v >= 1 and 1 for v = 0; the rounding of table B's widths
// (401 -> 400, 740 -> 744, 709 -> 712, 1357 -> 1360) and SE widths (69 -> 72, 66 -> 64, 124 -> 128); and the
// "+= divisor" branch (9 -> 8 is below 0.9 * 9, so 16).
static_assert(makeDivisible(0, 1) == 1 && makeDivisible(1, 1) == 1 && makeDivisible(37, 1) == 37);
static_assert(makeDivisible(401, 8) == 400 && makeDivisible(740, 8) == 744 && makeDivisible(709, 8) == 712 &&
              makeDivisible(1357, 8) == 1360 && makeDivisible(416, 8) == 416 && makeDivisible(385, 8) == 384);
static_assert(makeDivisible(69, 8) == 72 && makeDivisible(66, 8) == 64 && makeDivisible(124, 8) == 128);
static_assert(makeDivisible(9, 8) == 16 && makeDivisible(4, 8) == 8);

// a.9 totals.
static_assert(params(detail::knobs(3, 3, 0.75, 6, V::Original, 1)) == 4394545);
static_assert(params(detail::knobs(3, 3, 0.75, 6, V::Modified, 8)) == 4406997);
static_assert(params(detail::knobs(3, 3, 0.75, 6, V::ModifiedEarly, 1)) == 4402741);
static_assert(params(detail::knobs(3, 2.3, 0.75, 5, V::Original, 1)) == 2014585);
static_assert(params(detail::knobs(3, 2.3, 0.75, 5, V::Modified, 8)) == 2090629);
static_assert(params(detail::knobs(3, 2.3, 0.75, 5, V::ModifiedEarly, 1)) == 2012917);
static_assert(params(detail::knobs(1, 3, 0.75, 6, V::Original, 1)) == 4394239);
static_assert(params(detail::knobs(1, 3, 0.75, 6, V::Modified, 8)) == 4406691);
static_assert(params(detail::knobs(3, 0.2, 1, 6, V::Original, 1, /*top=*/false)) == 30917);

// Tables A and B row by row: in, expanded, out, SE mid, stride, params. Blocks 5 and 7 are the downsampling
// ones (stride 2, width doubled), block 4 and 6 keep the width at stride 1.
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Original, 1), 1), 72, 416, 72, 69, 2, 122864));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Original, 1), 2), 72, 401, 72, 66, 1, 116033));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Original, 1), 3), 72, 385, 144, 64, 2, 137733));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Original, 1), 4), 144, 740, 144, 123, 1, 405068));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Original, 1), 5), 144, 709, 288, 118, 2, 483405));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Original, 1), 6), 288, 1357, 288, 226, 1,
                                1413213));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Original, 1), 7), 288, 1296, 576, 216, 2,
                                1697616));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Modified, 8), 1), 72, 416, 72, 72, 2, 125360));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Modified, 8), 2), 72, 400, 72, 64, 1, 114144));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Modified, 8), 3), 72, 384, 144, 64, 2, 137376));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Modified, 8), 4), 144, 744, 144, 128, 1, 414696));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Modified, 8), 5), 144, 712, 288, 120, 2, 488296));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Modified, 8), 6), 288, 1360, 288, 224, 1,
                                1410896));
static_assert(detail::sameBlock(block(detail::knobs(3, 3, 0.75, 6, V::Modified, 8), 7), 288, 1296, 576, 216, 2,
                                1697616));

} // namespace phinet::oracle
