#pragma once
/// Logging: one spdlog logger ("phinet") shared by core, CLI and GUI. Torch-free.

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace phinet {

/// The project logger. Created on first use with a stderr sink at warning level.
std::shared_ptr<spdlog::logger> logger();

/// Adds a rotating log file (5 MiB x 3) at `path` (folders created). Returns false, with a warning
/// on the logger, if the file cannot be opened; logging to the other sinks goes on.
bool addLogFile(const std::string& path);

/// Adds any sink (the GUI's log pane). The logger level becomes the most verbose of its sinks.
void addLogSink(std::shared_ptr<spdlog::sinks::sink> sink);

/// Sets the level of the stderr sink (CLI --verbose / --quiet).
void setConsoleLevel(spdlog::level::level_enum level);

} // namespace phinet
