#pragma once
/// Reading config fields from JSON with errors that name the field. Torch-free.

#include "phinet/common/Error.h"

#include <algorithm>
#include <cctype>
#include <string>

#include <nlohmann/json.hpp>

namespace phinet {

/// Sets `out` from j[key] when present; a value of the wrong type throws ConfigError
/// "<context>.<key>: expected <expected>, got <value>". Missing keys keep `out`.
template <typename T>
void readField(const nlohmann::json& j, const char* key, T& out, const std::string& context, const char* expected)
{
    if (!j.contains(key)) return;
    try {
        out = j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw ConfigError(context + "." + key + ": expected " + expected + ", got " + j.at(key).dump());
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
