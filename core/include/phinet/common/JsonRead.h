#pragma once
/// Reading config fields from JSON with errors that name the field. Torch-free.

#include "phinet/common/Error.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <string>

#include <nlohmann/json.hpp>

namespace phinet {

/// Sets `out` from j[key] when present; a value of the wrong type throws ConfigError
/// "<context>.<key>: expected <expected>, got <value>". Missing keys keep `out`.
/// Whole-number fields take only JSON integers that fit T (4294967297 and 2.9 are refused, not
/// narrowed to 1 and 2); floating-point fields take any number; NaN and infinities cannot be
/// written in JSON. `j` must be an object (configs are checked for that where they are read).
template <typename T>
void readField(const nlohmann::json& j, const char* key, T& out, const std::string& context, const char* expected)
{
    if (!j.is_object() || !j.contains(key)) return;
    const auto& v = j.at(key);
    const auto fail = [&]() {
        // A short excerpt only: the value may be large (or deep; parseJsonBounded bounds that).
        std::string shown = v.dump();
        if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
        return ConfigError(context + "." + key + ": expected " + expected + ", got " + shown);
    };
    if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_boolean()) throw fail();
        out = v.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
        if (v.is_number_unsigned()) {
            const auto u = v.get<std::uint64_t>();
            if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) throw fail();
            out = static_cast<T>(u);
        } else if (v.is_number_integer()) {
            const auto i = v.get<std::int64_t>();
            if constexpr (std::is_unsigned_v<T>) {
                throw fail();
            } else {
                if (i < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                    i > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
                    throw fail();
                out = static_cast<T>(i);
            }
        } else {
            throw fail();
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!v.is_number()) throw fail();
        out = v.get<T>();
    } else {
        try {
            out = v.get<T>();
        } catch (const nlohmann::json::exception&) {
            throw fail();
        }
    }
}

/// Lower-case with '_' as '-': the normal form of enum names in configs and on the command line.
inline std::string normalisedName(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    std::replace(s.begin(), s.end(), '_', '-');
    return s;
}

} // namespace phinet
