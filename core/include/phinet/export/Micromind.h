#pragma once
/// micromind's PhiNet state_dict layout and FP32 model files in it. Includes Torch: not for GUI
/// translation units (the GUI uses ModelExport.h).

#include "phinet/export/ModelExport.h"
#include "phinet/train/Trainer.h"

namespace phinet {

/// (workbench module path, micromind state_dict key) for every tensor of a network of this plan, in
/// micromind's state_dict order. ORIGINAL follows micromind 0.0.5 (a ZeroPad2d module inside each
/// stride-2 block shifts the later indices by one); MODIFIED and MODIFIED-EARLY follow micromind
/// since 972a3ae (padding inside the depthwise conv, no pad module): the same module structure,
/// other widths.
std::vector<std::pair<std::string, std::string>> micromindNames(const PhiNetPlan& plan);

/// Writes the FP32 weights and BatchNorm buffers under micromind's names, with the PhiNet config
/// ("phinet_config", "micromind_args"), the data set and class names in `__metadata__` (atomic).
void saveMicromindSafeTensors(const std::filesystem::path& path, PhiNet& model, const DataConfig& data,
                              const std::vector<std::string>& classes);

/// Opens an FP32 model file: a workbench checkpoint, or a micromind-named safetensors file (config
/// from its metadata, else `fallback`; every tensor checked against the configured shapes, the
/// first mismatch named). Throws DataError naming the file.
LoadedCheckpoint openFp32Model(const std::filesystem::path& path, const std::optional<PhiNetConfig>& fallback = {},
                               const std::optional<DataConfig>& fallbackData = {});

/// True when `path` is a safetensors file without the workbench's "format" metadata (reads the
/// header only).
bool isMicromindFile(const std::filesystem::path& path);

} // namespace phinet
