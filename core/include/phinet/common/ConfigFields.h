#pragma once
/// One description of each configuration field (its JSON key, range, choices and help text) that
/// the JSON writer and reader, validate() and the command line's options all use. A settings struct
/// lists its fields once, in `template <class V> void visitFields(V& v, Struct& s)`:
///
///     v.integer("calib_batches", s.calibrationBatches, 1, 1000000, "training batches that calibrate");
///     v.real("qat_lr", s.qatLr, 0.0, 10.0, "QAT learning rate (Adam)", Bounds::OpenLow);
///     v.flag("learned_scales", s.learnedScales, "learned activation step sizes (LSQ)");
///     v.choice("observer", s.observer, kObserverChoices, "activation range estimator");
///
/// so a new setting is its member, its line there and its GUI row: the command line binds every
/// listed field as `--<key with dashes>` without an edit of its own. Torch-free.

#include "phinet/common/JsonRead.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

/// Which ends of a range are included: [lo, hi], (lo, hi] or [lo, hi).
enum class Bounds { Closed, OpenLow, OpenHigh };

/// Appends {field, "must be in [lo, hi] (got v)"} unless v lies in the range (NaN never does).
template <typename T>
void checkRange(Problems& out, const std::string& field, T v, T lo, T hi, Bounds b = Bounds::Closed)
{
    const bool lowOk = b == Bounds::OpenLow ? v > lo : v >= lo;
    const bool highOk = b == Bounds::OpenHigh ? v < hi : v <= hi;
    if (lowOk && highOk) return;
    std::ostringstream o;
    o << "must be in " << (b == Bounds::OpenLow ? "(" : "[") << lo << ", " << hi << (b == Bounds::OpenHigh ? ")" : "]")
      << " (got " << v << ")";
    out.push_back({field, o.str()});
}
/// checkRange with an open lower end: lo < v <= hi.
inline void checkRangeOpenLow(Problems& out, const std::string& field, double v, double lo, double hi)
{
    checkRange(out, field, v, lo, hi, Bounds::OpenLow);
}

/// The values of an enum field: its parser (which may accept aliases) and every value, whose
/// toString() names are what JSON and the command line write.
template <typename E> struct Choices {
    std::optional<E> (*parse)(const std::string&);
    std::vector<E> values;
    /// "a, b or c"
    std::string expected() const
    {
        std::string s;
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i) s += i + 1 == values.size() ? " or " : ", ";
            s += toString(values[i]);
        }
        return s;
    }
};

/// Visitor: writes every field into a JSON object.
struct FieldJsonWriter {
    nlohmann::json j = nlohmann::json::object();
    template <typename T> void integer(const char* key, T& v, T, T, const char*) { j[key] = v; }
    void real(const char* key, double& v, double, double, const char*, Bounds = Bounds::Closed) { j[key] = v; }
    void flag(const char* key, bool& v, const char*) { j[key] = v; }
    template <typename E> void choice(const char* key, E& v, const Choices<E>&, const char*) { j[key] = toString(v); }
};

/// Visitor: sets every field present in `j` ("<context>.<key>: expected ..., got ..." for a value of
/// the wrong type or an unknown choice); fields not in `j` keep their value.
struct FieldJsonReader {
    const nlohmann::json& j;
    const std::string& context;
    template <typename T> void integer(const char* key, T& v, T, T, const char*)
    {
        readField(j, key, v, context, std::is_unsigned_v<T> ? "a non-negative integer" : "an integer");
    }
    void real(const char* key, double& v, double, double, const char*, Bounds = Bounds::Closed)
    {
        readField(j, key, v, context, "a number");
    }
    void flag(const char* key, bool& v, const char*) { readField(j, key, v, context, "true or false"); }
    template <typename E> void choice(const char* key, E& v, const Choices<E>& c, const char*)
    {
        std::string name = toString(v);
        readField(j, key, name, context, "a string");
        auto parsed = c.parse(name);
        if (!parsed)
            throw ConfigError(context + "." + key + ": expected " + c.expected() + ", got \"" +
                              (name.size() > 60 ? name.substr(0, 57) + "..." : name) + "\"");
        v = *parsed;
    }
};

/// Visitor: the range of every numeric field (choices and flags cannot be out of range).
struct FieldRangeChecker {
    Problems problems;
    template <typename T> void integer(const char* key, T& v, T lo, T hi, const char*)
    {
        checkRange(problems, key, v, lo, hi);
    }
    void real(const char* key, double& v, double lo, double hi, const char*, Bounds b = Bounds::Closed)
    {
        checkRange(problems, key, v, lo, hi, b);
    }
    void flag(const char*, bool&, const char*) {}
    template <typename E> void choice(const char*, E&, const Choices<E>&, const char*) {}
};

/// The JSON object of a struct with visitFields.
template <typename S> nlohmann::json fieldsToJson(S s)
{
    FieldJsonWriter w;
    visitFields(w, s);
    return std::move(w.j);
}
/// Reads a struct with visitFields from `j` (an object; missing keys keep `s`'s values).
template <typename S> void fieldsFromJson(const nlohmann::json& j, const std::string& context, S& s)
{
    if (!j.is_object()) throw ConfigError(context + ": expected an object");
    FieldJsonReader r{j, context};
    visitFields(r, s);
}
/// The range problems of a struct with visitFields.
template <typename S> Problems fieldRangeProblems(S s)
{
    FieldRangeChecker c;
    visitFields(c, s);
    return std::move(c.problems);
}

} // namespace phinet
