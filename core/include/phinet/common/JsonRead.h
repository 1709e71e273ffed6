#pragma once
/// Reading config fields from JSON with errors that name the field. Torch-free.

#include "phinet/common/Error.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

namespace detail {
/// A JSON number as the whole-number type T: only integers that fit (a float such as 2.9 or 5e21
/// is refused: converting it would narrow or be undefined behaviour).
template <typename T> bool wholeFromJson(const nlohmann::json& v, T& out)
{
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return false;
        out = static_cast<T>(u);
        return true;
    }
    if (!v.is_number_integer()) return false;
    const auto i = v.get<std::int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
        return false; // a negative number
    } else {
        if (i < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
            i > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
            return false;
        out = static_cast<T>(i);
        return true;
    }
}
template <typename T> struct WholeList : std::false_type {
};
template <typename U, typename A> struct WholeList<std::vector<U, A>> : std::is_integral<U> {
};
template <typename U, std::size_t N> struct WholeList<std::array<U, N>> : std::is_integral<U> {
};
} // namespace detail

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
        if (!detail::wholeFromJson(v, out)) throw fail();
    } else if constexpr (detail::WholeList<T>::value) {
        // a list of whole numbers, element by element (nlohmann's own conversion would cast floats)
        if (!v.is_array()) throw fail();
        T list{};
        if constexpr (std::is_same_v<T, std::vector<typename T::value_type>>) {
            list.resize(v.size());
        } else if (v.size() != list.size()) {
            throw fail();
        }
        for (std::size_t i = 0; i < v.size(); ++i)
            if (!detail::wholeFromJson(v[i], list[i])) throw fail();
        out = std::move(list);
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
