#pragma once
// Torch tensors in and out of safetensors files (core-internal: includes Torch).

#include "phinet/common/Error.h"
#include "phinet/common/SafeTensors.h"

#include <torch/torch.h>

namespace phinet::detail {

inline TensorDtype dtypeOf(const torch::Tensor& t)
{
    switch (t.scalar_type()) {
    case torch::kFloat:
        return TensorDtype::F32;
    case torch::kDouble:
        return TensorDtype::F64;
    case torch::kChar:
        return TensorDtype::I8;
    case torch::kByte:
        return TensorDtype::U8;
    case torch::kInt:
        return TensorDtype::I32;
    case torch::kLong:
        return TensorDtype::I64;
    default:
        throw Error(std::string("cannot store a tensor of type ") + c10::toString(t.scalar_type()));
    }
}

inline torch::ScalarType scalarTypeOf(TensorDtype d)
{
    switch (d) {
    case TensorDtype::F32:
        return torch::kFloat;
    case TensorDtype::F64:
        return torch::kDouble;
    case TensorDtype::I8:
        return torch::kChar;
    case TensorDtype::U8:
        return torch::kByte;
    case TensorDtype::I32:
        return torch::kInt;
    case TensorDtype::I64:
        return torch::kLong;
    }
    return torch::kFloat;
}

/// Adds a tensor (any layout, CPU or not) in standard contiguous order.
inline void addTensor(SafeTensorsWriter& w, const std::string& name, const torch::Tensor& t)
{
    const auto c = t.detach().to(torch::kCPU).contiguous();
    w.add(name, dtypeOf(c), c.sizes().vec(), c.data_ptr(), std::int64_t(c.numel()) * std::int64_t(c.element_size()));
}

/// A new tensor holding a copy of the stored bytes (little-endian host assumed, as x86 and ARM are).
inline torch::Tensor toTensor(const SafeTensor& s)
{
    auto t = torch::empty(s.shape, torch::TensorOptions().dtype(scalarTypeOf(s.dtype)));
    if (!s.bytes.empty()) std::memcpy(t.data_ptr(), s.bytes.data(), s.bytes.size());
    return t;
}

} // namespace phinet::detail
