#pragma once
// Command-line options bound to a settings struct's fields: every field its visitFields() lists
// (phinet/common/ConfigFields.h) becomes `--<JSON key with dashes>` (calib_batches ->
// --calib-batches) writing straight into the struct. The struct holds the one default, validate()
// the one range check, and its problems are reported under the option's name. A setting added to
// the core's list is an option here without an edit.

#include "phinet/common/ConfigFields.h"
#include "phinet/common/Error.h"

#include "CliCommon.h"

#include <CLI/CLI.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>

namespace phinet::cli {

/// "--calib-batches" for "calib_batches".
inline std::string flagOfKey(std::string key)
{
    for (auto& c : key)
        if (c == '_') c = '-';
    return "--" + key;
}

class FieldOptions {
public:
    /// Adds an option for each field of `s` but those in `skip`; `aliases` gives earlier option
    /// names of a key ("freeze_observers_after" -> "--freeze-observers"). Boolean fields are flags,
    /// with a `--no-` form for those on by default. `s` must outlive the parse.
    template <class S>
    void add(CLI::App* app, S& s, const std::string& group, const std::map<std::string, std::string>& aliases = {},
             const std::set<std::string>& skip = {})
    {
        Binder b{app, group, aliases, skip, flags_};
        visitFields(b, s);
    }
    /// The option of a field (its key, or a path ending in it: "quantization.qat_lr"); the key itself
    /// when no option was made for it.
    std::string flagOf(const std::string& field) const
    {
        const auto key = field.substr(field.rfind('.') == std::string::npos ? 0 : field.rfind('.') + 1);
        const auto it = flags_.find(key);
        return it == flags_.end() ? field : it->second;
    }
    /// Throws UsageError "--option: message" for the first problem (all of them when several).
    void throwIfProblems(const Problems& problems) const
    {
        if (problems.empty()) return;
        std::string msg;
        for (const auto& p : problems) {
            if (!msg.empty()) msg += "; ";
            msg += (p.field.empty() ? std::string() : flagOf(p.field) + ": ") + p.message;
        }
        throw UsageError(msg);
    }

private:
    struct Binder {
        CLI::App* app;
        const std::string& group;
        const std::map<std::string, std::string>& aliases;
        const std::set<std::string>& skip;
        std::map<std::string, std::string>& flags;

        std::string names(const char* key)
        {
            const auto flag = flagOfKey(key);
            flags[key] = flag;
            const auto a = aliases.find(key);
            return a == aliases.end() ? flag : flag + "," + a->second;
        }
        template <typename T> static std::string range(T lo, T hi, Bounds b = Bounds::Closed)
        {
            std::ostringstream o;
            o << (b == Bounds::OpenLow ? " (" : " [") << lo << ", " << hi << (b == Bounds::OpenHigh ? ")" : "]");
            return o.str();
        }
        template <typename T> void integer(const char* key, T& v, T lo, T hi, const char* help)
        {
            if (skip.count(key)) return;
            app->add_option(names(key), v, help + range(lo, hi))->capture_default_str()->group(group);
        }
        void real(const char* key, double& v, double lo, double hi, const char* help, Bounds b = Bounds::Closed)
        {
            if (skip.count(key)) return;
            app->add_option(names(key), v, help + range(lo, hi, b))->capture_default_str()->group(group);
        }
        void flag(const char* key, bool& v, const char* help)
        {
            if (skip.count(key)) return;
            // on by default: --key and --no-key; off: --key
            const auto n = names(key);
            if (v)
                app->add_flag(n + ",!--no-" + flagOfKey(key).substr(2), v, std::string(help) + " (on by default)")
                    ->group(group);
            else
                app->add_flag(n, v, help)->group(group);
        }
        template <typename E> void choice(const char* key, E& v, const Choices<E>& c, const char* help)
        {
            if (skip.count(key)) return;
            const auto flag = flagOfKey(key);
            std::string values;
            for (const auto& x : c.values)
                values += (values.empty() ? "" : " | ") + toString(x);
            app->add_option_function<std::string>(
                   names(key),
                   [&v, c, flag](const std::string& text) {
                       const auto parsed = c.parse(text);
                       if (!parsed)
                           throw CLI::ValidationError(flag, "expected " + c.expected() + ", got \"" + text + "\"");
                       v = *parsed;
                   },
                   std::string(help) + ": " + values + " (default " + toString(v) + ")")
                ->group(group);
        }
    };
    std::map<std::string, std::string> flags_; ///< JSON key -> option
};

} // namespace phinet::cli
