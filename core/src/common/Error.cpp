#include "phinet/common/Error.h"

namespace phinet {

namespace {

std::string joined(const std::vector<std::string>& msgs)
{
    std::string j;
    for (const auto& m : msgs) {
        if (!j.empty()) j += "; ";
        j += m;
    }
    return j;
}

} // namespace

std::vector<std::string> texts(const Problems& p)
{
    std::vector<std::string> t;
    t.reserve(p.size());
    for (const auto& x : p)
        t.push_back(x.text());
    return t;
}

Problems prefixed(const std::string& prefix, Problems p)
{
    for (auto& x : p) {
        if (x.field.empty()) // the whole sub-config: its own name, without the separating dot
            x.field = !prefix.empty() && prefix.back() == '.' ? prefix.substr(0, prefix.size() - 1) : prefix;
        else if (x.field.rfind(prefix, 0) != 0)
            x.field = prefix + x.field;
    }
    return p;
}

ConfigError::ConfigError(const std::vector<std::string>& msgs) : Error(joined(msgs)), messages_(msgs) {}

ConfigError::ConfigError(const Problems& problems)
    : Error(joined(texts(problems))), messages_(texts(problems)), problems_(problems)
{
}

} // namespace phinet
