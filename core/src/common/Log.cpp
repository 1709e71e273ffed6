#include "phinet/common/Log.h"

#include <filesystem>
#include <mutex>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace phinet {
namespace {
std::mutex g_mutex;
std::shared_ptr<spdlog::sinks::sink> g_console;
} // namespace

std::shared_ptr<spdlog::logger> logger()
{
    std::lock_guard lock(g_mutex);
    if (auto l = spdlog::get("phinet")) return l;
    g_console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    g_console->set_level(spdlog::level::warn);
    auto l = std::make_shared<spdlog::logger>("phinet", g_console);
    l->set_level(spdlog::level::debug);
    l->flush_on(spdlog::level::info);
    spdlog::register_logger(l);
    return l;
}

bool addLogFile(const std::string& path)
{
    auto l = logger();
    try {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, 5 * 1024 * 1024, 3);
        sink->set_level(spdlog::level::debug);
        l->sinks().push_back(sink);
        return true;
    } catch (const std::exception& e) {
        l->warn("cannot open log file {}: {}", path, e.what());
        return false;
    }
}

void addLogSink(std::shared_ptr<spdlog::sinks::sink> sink)
{
    logger()->sinks().push_back(std::move(sink));
}

void setConsoleLevel(spdlog::level::level_enum level)
{
    logger();
    g_console->set_level(level);
}

} // namespace phinet
