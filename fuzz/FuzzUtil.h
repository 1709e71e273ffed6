#pragma once
/// What every fuzz target shares: one temporary folder per process (mkdtemp, reused by every input,
/// removed at exit), file writing, and the rule for exceptions. An expected error is a phinet::Error
/// (DataError, ConfigError): the target returns 0. Anything else escapes to libFuzzer and is a finding:
/// a crash, a sanitizer report, another exception (std::out_of_range, json::type_error, c10::Error
/// from an unchecked path), a timeout or a memory blow-up.

#include "phinet/common/Error.h"
#include "phinet/common/Log.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace phinet::fuzz {

namespace fs = std::filesystem;

/// The process's temporary folder, created on first use. PHINET_DATA_HOME points into it, so logs,
/// the run store and presets of the code under test stay there too.
inline const fs::path& workDir()
{
    static const fs::path dir = [] {
        std::string tmpl = (fs::temp_directory_path() / "phinet-fuzz-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        fs::path d(tmpl);
        setenv("PHINET_DATA_HOME", (d / "data-home").c_str(), 1);
        std::atexit([] {
            std::error_code ec;
            fs::remove_all(workDir(), ec);
        });
        return d;
    }();
    return dir;
}

/// A sub-folder of workDir(), emptied (created when missing).
inline fs::path freshDir(const std::string& name)
{
    const auto d = workDir() / name;
    std::error_code ec;
    fs::remove_all(d, ec);
    fs::create_directories(d);
    return d;
}

/// Writes bytes to a file (creating parent folders); aborts if that fails (a harness problem).
inline void writeFile(const fs::path& p, std::string_view bytes)
{
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz harness: cannot write %s\n", p.c_str());
        std::abort();
    }
}

/// Quiet logs (one line per rejected input would slow every run) and the temporary folder made.
inline void init()
{
    setConsoleLevel(spdlog::level::off);
    workDir();
}

/// Runs `f`; a phinet::Error is an expected, clean refusal. Everything else propagates.
template <class F> int expectCleanError(F&& f)
{
    try {
        f();
    } catch (const phinet::Error&) {
    }
    return 0;
}

/// A finding the harness detects itself (an invariant the code under test broke).
[[noreturn]] inline void finding(const std::string& what)
{
    std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
    std::abort();
}

/// Reads little-endian integers off the front of the input, consuming them (0 when too short).
struct Input {
    const std::uint8_t* data;
    size_t size;
    std::uint32_t take(int bytes)
    {
        std::uint32_t v = 0;
        for (int i = 0; i < bytes && size > 0; ++i, ++data, --size)
            v |= std::uint32_t(*data) << (8 * i);
        return v;
    }
    std::string_view takeBytes(size_t n)
    {
        n = std::min(n, size);
        std::string_view s(reinterpret_cast<const char*>(data), n);
        data += n;
        size -= n;
        return s;
    }
    std::string_view rest() { return takeBytes(size); }
};

} // namespace phinet::fuzz
