#pragma once
/// PhiNetConfig <-> JSON. Torch-free. Field names are snake_case, as in reports and presets.

#include "phinet/model/LayerTable.h"
#include "phinet/model/PhiNetConfig.h"

#include <nlohmann/json.hpp>

namespace phinet {

nlohmann::json toJson(const PhiNetConfig& cfg);
/// Reads a config; missing fields keep their defaults. Throws ConfigError naming the field (with
/// `context` as prefix, e.g. "model.alpha") when a value has the wrong type or is invalid.
PhiNetConfig phinetConfigFromJson(const nlohmann::json& j, const std::string& context = "model");

/// The layer table and totals as JSON (what `phinet model --json` prints).
nlohmann::json toJson(const ModelSummary& s);

} // namespace phinet
