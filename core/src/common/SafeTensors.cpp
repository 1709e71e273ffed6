#include "phinet/common/SafeTensors.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

namespace phinet {
using nlohmann::json;

namespace {

/// The largest header the reader accepts: a PhiNet has a few hundred tensors (~100 bytes each).
constexpr std::uint64_t kMaxHeaderBytes = 16u << 20;

bool dtypeFromString(const std::string& s, TensorDtype& out)
{
    static const std::pair<const char*, TensorDtype> names[] = {{"F32", TensorDtype::F32}, {"F64", TensorDtype::F64},
                                                                {"I8", TensorDtype::I8},   {"U8", TensorDtype::U8},
                                                                {"I32", TensorDtype::I32}, {"I64", TensorDtype::I64}};
    for (const auto& [n, d] : names)
        if (s == n) {
            out = d;
            return true;
        }
    return false;
}

} // namespace

const char* toString(TensorDtype d)
{
    switch (d) {
    case TensorDtype::F32:
        return "F32";
    case TensorDtype::F64:
        return "F64";
    case TensorDtype::I8:
        return "I8";
    case TensorDtype::U8:
        return "U8";
    case TensorDtype::I32:
        return "I32";
    case TensorDtype::I64:
        return "I64";
    }
    return "?";
}

int elementSize(TensorDtype d)
{
    switch (d) {
    case TensorDtype::F32:
        return 4;
    case TensorDtype::F64:
        return 8;
    case TensorDtype::I8:
        return 1;
    case TensorDtype::U8:
        return 1;
    case TensorDtype::I32:
        return 4;
    case TensorDtype::I64:
        return 8;
    }
    return 1;
}

std::string shapeString(const std::vector<std::int64_t>& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::int64_t SafeTensor::numel() const
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

std::map<std::string, std::string> readSafeTensorsMetadata(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path.string() + ": cannot read file");
    unsigned char len[8];
    if (!in.read(reinterpret_cast<char*>(len), 8))
        throw DataError(path.string() + ": not a safetensors model file (too short)");
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | len[i];
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || n > kMaxHeaderBytes || n + 8 > size)
        throw DataError(path.string() + ": not a safetensors model file (bad header length)");
    std::string text(size_t(n), '\0');
    if (!in.read(text.data(), std::streamsize(n))) throw DataError(path.string() + ": truncated safetensors header");
    json header;
    try {
        header = parseJsonBounded(text, path.string() + " (safetensors header)", 8);
    } catch (const ConfigError& e) {
        throw DataError(e.what());
    }
    std::map<std::string, std::string> out;
    if (header.is_object() && header.contains("__metadata__") && header["__metadata__"].is_object())
        for (auto it = header["__metadata__"].begin(); it != header["__metadata__"].end(); ++it)
            if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
    return out;
}

ModelFileKind modelFileKind(const std::filesystem::path& path)
{
    const auto meta = readSafeTensorsMetadata(path);
    const auto it = meta.find("format");
    if (it == meta.end()) return ModelFileKind::Unknown;
    if (it->second == "phinet-checkpoint") return ModelFileKind::Fp32;
    if (it->second == "phinet-int8") return ModelFileKind::Int8;
    return ModelFileKind::Unknown;
}

SafeTensorsFile SafeTensorsFile::read(const std::filesystem::path& path, std::int64_t maxBytes)
{
    return parse(readFileBounded(path, maxBytes), path.string());
}

SafeTensorsFile SafeTensorsFile::parse(std::string content, const std::string& source)
{
    SafeTensorsFile f;
    f.source_ = source;
    f.content_ = std::move(content);
    const auto bad = [&](const std::string& what) { return DataError(source + ": " + what); };
    const std::uint64_t size = f.content_.size();
    if (size < 8) throw bad("not a safetensors model file (shorter than its 8-byte header length)");
    std::uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i)
        headerLen = (headerLen << 8) | static_cast<unsigned char>(f.content_[size_t(i)]);
    if (headerLen > size - 8)
        throw bad("not a safetensors model file (its header claims " + std::to_string(headerLen) +
                  " bytes, the file has " + std::to_string(size - 8) + " after the length)");
    if (headerLen > kMaxHeaderBytes)
        throw bad("safetensors header of " + std::to_string(headerLen) + " bytes is too large");
    if (headerLen < 2) throw bad("not a safetensors model file (empty header)");
    const std::string_view headerText(f.content_.data() + 8, size_t(headerLen));
    json header;
    try {
        header = parseJsonBounded(headerText, source + " (safetensors header)", 8);
    } catch (const ConfigError& e) {
        throw DataError(e.what());
    }
    if (!header.is_object()) throw bad("safetensors header is not a JSON object");
    const std::uint64_t dataStart = 8 + headerLen;
    const std::uint64_t dataSize = size - dataStart;

    struct Span {
        std::uint64_t begin, end;
        size_t index;
    };
    std::vector<Span> spans;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const json& e = it.value();
        if (name == "__metadata__") {
            if (!e.is_object()) throw bad("__metadata__ is not an object of strings");
            for (auto m = e.begin(); m != e.end(); ++m) {
                if (!m.value().is_string()) throw bad("__metadata__." + m.key() + " is not a string");
                f.metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const auto field = [&](const char* key) -> const json& {
            if (!e.is_object() || !e.contains(key))
                throw bad("tensor " + name + ": no \"" + key + "\" in its header entry");
            return e.at(key);
        };
        SafeTensor t;
        t.name = name;
        const json& dt = field("dtype");
        if (!dt.is_string() || !dtypeFromString(dt.get<std::string>(), t.dtype))
            throw bad("tensor " + name + ": dtype " + dt.dump() +
                      " is not one this program reads (F32, F64, I8, U8, I32, I64)");
        const json& shape = field("shape");
        if (!shape.is_array() || shape.size() > 8)
            throw bad("tensor " + name + ": shape is not a list of at most 8 sizes");
        std::uint64_t numel = 1;
        for (const auto& d : shape) {
            if (!d.is_number_unsigned())
                throw bad("tensor " + name + ": shape " + shape.dump() +
                          " has a size that is not a non-negative integer");
            const std::uint64_t v = d.get<std::uint64_t>();
            // Bound before multiplying: no element count may exceed the data present.
            if (v != 0 && numel > dataSize / v)
                throw bad("tensor " + name + ": shape " + shape.dump() + " needs more bytes than the file holds");
            numel *= v;
            t.shape.push_back(std::int64_t(v));
        }
        const json& off = field("data_offsets");
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            throw bad("tensor " + name + ": data_offsets is not a pair of non-negative integers");
        const std::uint64_t b = off[0].get<std::uint64_t>(), en = off[1].get<std::uint64_t>();
        if (b > en || en > dataSize)
            throw bad("tensor " + name + ": data_offsets [" + std::to_string(b) + ", " + std::to_string(en) +
                      "] lie outside the " + std::to_string(dataSize) + " bytes of tensor data");
        if (numel > dataSize / std::uint64_t(elementSize(t.dtype)) ||
            en - b != numel * std::uint64_t(elementSize(t.dtype)))
            throw bad("tensor " + name + ": " + std::to_string(en - b) + " bytes of data for shape " + shape.dump() +
                      " of " + toString(t.dtype));
        t.bytes = std::string_view(f.content_.data() + dataStart + b, size_t(en - b));
        spans.push_back({b, en, f.tensors_.size()});
        f.tensors_.push_back(std::move(t));
    }
    // The format stores tensors back to back: sorted by offset, each starts where the last ended
    // and the last ends at the file's end. That rules out overlaps (aliasing) and hidden bytes.
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    std::uint64_t expected = 0;
    for (const auto& s : spans) {
        if (s.begin != expected)
            throw bad("tensor " + f.tensors_[s.index].name + ": data_offsets start at " + std::to_string(s.begin) +
                      ", expected " + std::to_string(expected) + " (tensors overlap or leave a gap)");
        expected = s.end;
    }
    if (expected != dataSize)
        throw bad(std::to_string(dataSize - expected) +
                  " bytes of data after the last tensor (truncated header or extra data)");
    f.dataBytes_ = std::int64_t(dataSize);
    // Keep the file's order of tensors as listed by offset: predictable for tools that list them.
    std::vector<SafeTensor> ordered;
    ordered.reserve(spans.size());
    for (const auto& s : spans)
        ordered.push_back(std::move(f.tensors_[s.index]));
    f.tensors_ = std::move(ordered);
    for (size_t i = 0; i < f.tensors_.size(); ++i)
        f.index_[f.tensors_[i].name] = i;
    return f;
}

const SafeTensor* SafeTensorsFile::find(const std::string& name) const
{
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

const SafeTensor& SafeTensorsFile::expect(const std::string& name, TensorDtype dtype,
                                          const std::vector<std::int64_t>& shape) const
{
    const SafeTensor* t = find(name);
    if (!t) throw DataError(source_ + ": tensor " + name + " is missing");
    if (t->dtype != dtype)
        throw DataError(source_ + ": tensor " + name + " is " + toString(t->dtype) + ", expected " + toString(dtype));
    if (t->shape != shape)
        throw DataError(source_ + ": tensor " + name + " has shape " + shapeString(t->shape) + ", the model needs " +
                        shapeString(shape));
    return *t;
}

const std::string& SafeTensorsFile::meta(const std::string& key) const
{
    const auto it = metadata_.find(key);
    if (it == metadata_.end()) throw DataError(source_ + ": no \"" + key + "\" in the file's metadata");
    return it->second;
}

void SafeTensorsWriter::add(std::string name, TensorDtype dtype, std::vector<std::int64_t> shape, const void* data,
                            std::int64_t bytes)
{
    Entry e{std::move(name), dtype, std::move(shape), std::string(static_cast<const char*>(data), size_t(bytes))};
    entries_.push_back(std::move(e));
}

std::string SafeTensorsWriter::encode() const
{
    json header = json::object();
    std::uint64_t offset = 0;
    for (const auto& e : entries_) {
        header[e.name] = {
            {"dtype", toString(e.dtype)}, {"shape", e.shape}, {"data_offsets", {offset, offset + e.bytes.size()}}};
        offset += e.bytes.size();
    }
    if (!metadata_.empty()) header["__metadata__"] = metadata_;
    std::string text = header.dump();
    // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
    while ((8 + text.size()) % 8)
        text += ' ';
    std::string out;
    out.reserve(8 + text.size() + offset);
    std::uint64_t n = text.size();
    for (int i = 0; i < 8; ++i)
        out += char((n >> (8 * i)) & 0xff);
    out += text;
    for (const auto& e : entries_)
        out += e.bytes;
    return out;
}

} // namespace phinet
