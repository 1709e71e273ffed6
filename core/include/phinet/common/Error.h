#pragma once
/// Errors a user can cause. Each carries a message a person can act on (naming the file, field or
/// argument and what was expected). Programmer errors are asserts, not these.

#include <stdexcept>
#include <string>
#include <vector>

namespace phinet {

/// Base of every user-facing error in the core.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A problem with one field of a configuration: the JSON path of the field ("quantization.qat_lr";
/// empty for the configuration as a whole) and what is wrong with the value and what is expected
/// ("must be in [1, 1000000] (got 0)"). validate() returns these; the CLI names the option and the
/// GUI flags the widget of the field (GUI widgets are named after their JSON keys).
struct FieldProblem {
    std::string field;
    std::string message;
    /// "field: message", the form errors are printed in.
    std::string text() const { return field.empty() ? message : field + ": " + message; }
    bool operator==(const FieldProblem& o) const { return field == o.field && message == o.message; }
};
using Problems = std::vector<FieldProblem>;

/// Each problem's text().
std::vector<std::string> texts(const Problems& p);
/// `p` with `prefix` (e.g. "quantization.") in front of every field not already under it.
Problems prefixed(const std::string& prefix, Problems p);

/// An invalid configuration value (model, data, training, quantization).
class ConfigError : public Error {
public:
    explicit ConfigError(const std::string& msg) : Error(msg), messages_{msg} {}
    explicit ConfigError(const std::vector<std::string>& msgs);
    /// The problems of a validate(), joined with "; " as what().
    explicit ConfigError(const Problems& problems);
    const std::vector<std::string>& messages() const { return messages_; }
    /// The problems it was made of (empty when made from plain messages).
    const Problems& problems() const { return problems_; }

private:
    std::vector<std::string> messages_;
    Problems problems_;
};

/// A file that cannot be read, is truncated, or is not in the expected format.
class DataError : public Error {
public:
    using Error::Error;
};

/// A job stopped by its cancel token. Not an error for the user: callers report "cancelled".
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace phinet
