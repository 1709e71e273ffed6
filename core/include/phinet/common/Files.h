#pragma once
/// Files the workbench writes and reads: atomic, durable writes; bounded reads; bounded JSON; a lock
/// per run folder. Torch-free (the GUI includes it).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet {

/// Writes `bytes` to `path` so that `path` is always either its old or its new complete content:
/// a uniquely named temporary file in the same folder is written, flushed, fsync'ed and closed (each
/// step checked), renamed over `path`, and the folder fsync'ed. On failure the temporary is
/// removed, `path` is untouched and DataError names `path` and the system's reason (e.g. "No space
/// left on device"). Creates missing parent folders.
void writeFileAtomic(const std::filesystem::path& path, std::string_view bytes);

/// Test hook: when set, called before each write of writeFileAtomic with the destination path; a
/// non-zero return is taken as that errno from the write (ENOSPC simulates a full disk). Not
/// thread-safe; tests set it and clear it (pass nullptr) around the code under test.
void setWriteFaultForTesting(std::function<int(const std::filesystem::path&)> hook);

/// Reads a whole file; DataError naming the file if it is missing, unreadable, or larger than
/// `maxBytes` (so a hostile or wrong file cannot make the reader allocate without bound).
std::string readFileBounded(const std::filesystem::path& path, std::int64_t maxBytes);

/// The most a JSON document may nest (objects and arrays): configs nest 3 deep; 64 leaves room and
/// keeps the recursive parts of nlohmann::json (dump, destruction, comparisons) off the stack's edge.
constexpr int kMaxJsonDepth = 64;
/// The largest JSON file the workbench reads (configs, presets, run state, reports).
constexpr std::int64_t kMaxJsonFileBytes = 64LL << 20;

/// Parses JSON text, refusing documents nested deeper than `maxDepth`; `what` names the source in
/// the message. Throws ConfigError (not valid JSON, too deep).
nlohmann::json parseJsonBounded(std::string_view text, const std::string& what, int maxDepth = kMaxJsonDepth);

/// readFileBounded + parseJsonBounded; errors name the file.
nlohmann::json readJsonFile(const std::filesystem::path& path);

/// Writes j.dump(2) atomically (writeFileAtomic).
void writeJsonFile(const std::filesystem::path& path, const nlohmann::json& j);

/// Removes what a killed writer left in `folder`: writeFileAtomic's temporaries (`.NAME.XXXXXX`) and
/// the older writers' `NAME.tmp`. Only call it while holding the folder's FolderLock, so no live
/// writer's temporary is taken. Returns the paths removed.
std::vector<std::filesystem::path> removeStaleTemporaries(const std::filesystem::path& folder);

/// An exclusive advisory lock on a folder (flock on `<folder>/.lock`), held for the object's life.
/// A second holder, in this process or another, is refused with DataError naming the folder and
/// the process that holds it. The lock dies with its process, so a killed run leaves no stale lock.
class FolderLock {
public:
    explicit FolderLock(const std::filesystem::path& folder);
    /// Whether some FolderLock (in any process, this one included) holds `folder` now. Creates
    /// nothing: a folder without `.lock`, or one that no longer exists, is not held.
    static bool isHeld(const std::filesystem::path& folder);
    ~FolderLock();
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;
    FolderLock(FolderLock&& other) noexcept;
    FolderLock& operator=(FolderLock&& other) noexcept;

private:
    int fd_ = -1;
};

} // namespace phinet
