#pragma once
/// What a finished run reports beyond its rows: the Pareto front of accuracy against latency, the
/// per-epoch log as CSV, and the run as a folder of files. Torch-free (the GUI and the CLI call it).

#include "phinet/report/Results.h"
#include "phinet/train/TrainConfig.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

/// The rows the accuracy-latency view can place: an accuracy and an available CPU latency. Indices
/// into `rows`, in row order.
std::vector<std::size_t> paretoCandidates(const std::vector<ModelResult>& rows);
/// The Pareto front among the candidates, accuracy (higher is better) against median CPU latency
/// (lower is better): a row is on it when no other row is at least as fast and at least as accurate
/// (of identical points, the first in row order). Indices into `rows`, fastest first.
std::vector<std::size_t> paretoFront(const std::vector<ModelResult>& rows);

/// Training epochs in the order they finished: (model, summary).
using EpochLog = std::vector<std::pair<std::string, EpochSummary>>;
/// epochs.csv: a header, then one line per epoch (RFC 4180, CRLF); test columns blank without a test.
std::string epochsCsv(const EpochLog& epochs);

/// Writes a run as a folder (created if missing): results.csv, results.json ({manifest, results}),
/// epochs.csv (when there are epochs) and config.json (when `config` is not null). Returns the files
/// written, in that order; throws (Error or std::filesystem_error) naming the file or folder.
std::vector<std::filesystem::path> writeRunFolder(const std::filesystem::path& dir,
                                                  const std::vector<ModelResult>& rows, const EpochLog& epochs,
                                                  const nlohmann::json& config, const nlohmann::json& manifest);

} // namespace phinet
