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

/// An invalid configuration value (model, data, training, quantization).
class ConfigError : public Error {
public:
    explicit ConfigError(const std::string& msg) : Error(msg) {}
    explicit ConfigError(const std::vector<std::string>& msgs);
    const std::vector<std::string>& messages() const { return messages_; }

private:
    std::vector<std::string> messages_;
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
