#pragma once
/// The safetensors file layout (https://huggingface.co/docs/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
/// "__metadata__": {string: string}}), then the raw little-endian tensor bytes. Nothing in it is
/// executed or unpickled. Every model file of the workbench uses it. Torch-free (the GUI and the
/// fuzzers include it).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace phinet {

enum class TensorDtype { F32, F64, I8, U8, I32, I64 };

/// "F32", "I8", ... as safetensors spells them.
const char* toString(TensorDtype d);
/// Bytes per element.
int elementSize(TensorDtype d);

/// One tensor of a file: its bytes are a view into the owning SafeTensorsFile.
struct SafeTensor {
    std::string name;
    TensorDtype dtype = TensorDtype::F32;
    std::vector<std::int64_t> shape;
    std::string_view bytes;
    std::int64_t numel() const;
};

/// A parsed file. Tensors keep the header's order; `bytes` views stay valid while this object lives.
class SafeTensorsFile {
public:
    /// Parses a whole file's content (taken over). Validates, before anything is allocated from the
    /// header's claims: the header length against the content, the header as bounded JSON, every
    /// entry's dtype (known), shape (non-negative dims, element count without overflow) and offsets
    /// (inside the data, end - begin == elements x dtype size, entries neither overlapping nor leaving
    /// holes, as the format requires), and the metadata (strings only). `source` names the file in
    /// errors (DataError).
    static SafeTensorsFile parse(std::string content, const std::string& source);
    /// Reads and parses a file of at most `maxBytes` bytes.
    static SafeTensorsFile read(const std::filesystem::path& path, std::int64_t maxBytes);

    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    const std::vector<SafeTensor>& tensors() const { return tensors_; }
    /// The tensor named `name`, or nullptr.
    const SafeTensor* find(const std::string& name) const;
    /// The tensor named `name`, checked for dtype and shape; DataError naming the file and tensor
    /// (missing, wrong dtype, wrong shape) otherwise.
    const SafeTensor& expect(const std::string& name, TensorDtype dtype, const std::vector<std::int64_t>& shape) const;
    /// The metadata value of `key`; DataError naming the file and key if absent.
    const std::string& meta(const std::string& key) const;
    const std::string& source() const { return source_; }
    /// Total bytes of tensor data.
    std::int64_t dataBytes() const { return dataBytes_; }

private:
    std::string content_;
    std::string source_;
    std::map<std::string, std::string> metadata_;
    std::vector<SafeTensor> tensors_;
    std::map<std::string, size_t> index_;
    std::int64_t dataBytes_ = 0;
};

/// Builds a file's content from tensors (in the given order) and metadata.
class SafeTensorsWriter {
public:
    void add(std::string name, TensorDtype dtype, std::vector<std::int64_t> shape, const void* data,
             std::int64_t bytes);
    void setMetadata(const std::string& key, std::string value) { metadata_[key] = std::move(value); }
    /// The complete file content.
    std::string encode() const;

private:
    struct Entry {
        std::string name;
        TensorDtype dtype;
        std::vector<std::int64_t> shape;
        std::string bytes;
    };
    std::vector<Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

/// The `__metadata__` of a safetensors file, reading only its header (DataError naming the file when
/// it is not one).
std::map<std::string, std::string> readSafeTensorsMetadata(const std::filesystem::path& path);

/// What a workbench model file holds, from its metadata's "format".
enum class ModelFileKind { Unknown, Fp32, Int8 };
ModelFileKind modelFileKind(const std::filesystem::path& path);

/// "[1, 3, 28, 28]"
std::string shapeString(const std::vector<std::int64_t>& shape);

} // namespace phinet
