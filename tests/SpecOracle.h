#pragma once
// An independent transliteration of ../shared/PHINET_SPEC.md's formulas (a.2-a.6), written without
// the core's plan, used as the oracle for parameter counts (model tests, sweep CSVs). Header-only and
// Torch-free.

#include <algorithm>
#include <cstdint>

namespace phinet::oracle {

enum class V { Original, Modified, ModifiedEarly };

struct Knobs {
    int channels = 3;
    double alpha = 3, beta = 0.75, t0 = 6;
    int n = 7;
    int classes = 10;
    bool top = true;
    V variant = V::Original;
    int divisor = 1; // Modified only
};

inline int makeDivisible(double v, int d)
{
    int r = std::max(d, int(v + d / 2.0) / d * d);
    return r < 0.9 * v ? r + d : r;
}

inline std::int64_t params(const Knobs& k)
{
    const bool mod = k.variant == V::Modified, early = k.variant == V::ModifiedEarly;
    auto width = [&](double unscaled) {
        const int w = int(unscaled * k.alpha);
        return mod ? makeDivisible(w, k.divisor) : w;
    };
    auto t = [&](int i) { return ((k.t0 * k.beta) * i) / k.n + (k.t0 * (k.n - i)) / k.n; };
    std::int64_t p = 0;
    const int stem = width(48);
    p += 9 * k.channels + k.channels * stem + 2 * stem;
    const int b1 = width(24);
    p += 9 * stem + 2 * stem + std::int64_t(stem) * b1 + 2 * b1; // block 0
    auto block = [&](int cin, int f, double ti) {
        int ce = int(ti * cin);
        if (mod) ce = makeDivisible(ce, k.divisor);
        if (early) ce = makeDivisible(ce, 8);
        int cr = 0;
        if (k.variant == V::Original) cr = std::max(1, int(ti * cin / 6));
        else if (mod) cr = makeDivisible(std::max(1, ce / 6), k.divisor);
        else cr = std::max(1, ce / 6);
        return std::int64_t(cin) * ce + 2 * ce + 9 * ce + 2 * ce + 2 * std::int64_t(ce) * cr + std::int64_t(ce) * f + 2 * f;
    };
    p += block(b1, b1, t(1));
    p += block(b1, b1, t(2));
    const int b2 = width(48);
    p += block(b1, b2, t(3));
    int cin = b2;
    double w = 48;
    for (int i = 4; i <= k.n; ++i) {
        if (i == 5 || i == 7) w *= 2;
        const int f = width(w);
        p += block(cin, f, t(i));
        cin = f;
    }
    if (k.top) p += std::int64_t(cin) * k.classes + k.classes;
    return p;
}

} // namespace phinet::oracle
