#pragma once
/// Which data set to use and how to feed it. Torch-free: the GUI and experiment configs include it.

#include "phinet/common/Error.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

enum class DatasetKind {
    Mnist,        ///< IDX files (raw or .gz) with the official names, in one folder
    FashionMnist, ///< same format and names as MNIST
    Cifar10,      ///< official binary batches, or a train/<class>/ test/<class>/ image tree
    Folder        ///< any train/<class>/*.png|jpg and test/<class>/* tree
};

std::string toString(DatasetKind k);
/// "mnist", "fashion-mnist", "cifar10", "folder" (case-insensitive); nullopt otherwise.
std::optional<DatasetKind> datasetKindFromString(const std::string& s);

struct DataConfig {
    DatasetKind kind = DatasetKind::Mnist;
    /// Folder holding the data set. Empty: the user's data folder (<data>/mnist, <data>/cifar10, ...),
    /// falling back to the MNIST subset bundled in resources/.
    std::string dataDir;
    /// Per-channel normalisation; empty: the data set's default (MNIST 0.1307/0.3081; CIFAR-10 the
    /// ImageNet statistics the study used; 0.5/0.5 for other folders).
    std::vector<double> mean;
    std::vector<double> std;
    bool augment = false; ///< random crop (with padding) + horizontal flip on training batches
    int cropPadding = 4;
    bool horizontalFlip = true;
    double validationFraction = 0.0; ///< held out of the training split (seeded), 0 = none
    std::int64_t limitTrain = 0;     ///< use only the first N training images (0 = all)
    std::int64_t limitTest = 0;      ///< use only the first N test images (0 = all)
    /// Image folders: every image is resized to this H, W; {0, 0} = the first image's size.
    std::array<int, 2> imageSize{0, 0};
    bool resizeMismatched = true; ///< false: a differently sized image is an error naming it

    /// Problems, one per field; empty when valid.
    Problems validate() const; ///< fields named "data.<key>"
};

nlohmann::json toJson(const DataConfig& c);
DataConfig dataConfigFromJson(const nlohmann::json& j, const std::string& context = "data");

/// The folder a config's data is read from: dataDir, else <data>/data/<kind> (MNIST falls back to
/// the bundled subset when that folder holds no training images; see bundledFallbackFrom()). Throws
/// ConfigError for a folder data set without a folder.
std::filesystem::path resolveDataDir(const DataConfig& config);
/// The user's data folder that resolveDataDir() passed over for the bundled MNIST subset because it
/// holds no data (missing, empty, or without train-images-idx3-ubyte[.gz]); empty when no fallback.
std::filesystem::path bundledFallbackFrom(const DataConfig& config);

/// Empties loadData()'s in-memory cache (after a data folder's contents changed).
void clearDataCache();

/// Default normalisation for a kind and channel count.
void defaultNormalisation(DatasetKind kind, int channels, std::vector<double>& mean, std::vector<double>& std);

/// What a loaded data set holds (for the GUI and reports).
struct DatasetInfo {
    std::string source; ///< folder or file it came from
    std::int64_t trainCount = 0, validationCount = 0, testCount = 0;
    int channels = 0, height = 0, width = 0;
    std::vector<std::string> classes;
    std::vector<std::int64_t> trainClassCounts;
    /// Set when the bundled MNIST subset was used because this folder (the user's MNIST folder) has
    /// no data; empty otherwise. fallbackNote() words it for logs and reports.
    std::string fallbackFrom;
};

/// "bundled subset used because <folder> has no data" when info.fallbackFrom is set, else empty.
std::string fallbackNote(const DatasetInfo& info);

} // namespace phinet
