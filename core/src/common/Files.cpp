#include "phinet/common/Files.h"

#include "phinet/common/Error.h"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::function<int(const fs::path&)>& writeFault()
{
    static std::function<int(const fs::path&)> hook;
    return hook;
}

std::string sysError(int err)
{
    return std::strerror(err);
}

/// fsync of a folder, so a rename inside it survives a power cut. Errors are ignored: some file
/// systems refuse fsync on folders, and the data itself was already synced.
void syncFolder(const fs::path& dir)
{
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

void setWriteFaultForTesting(std::function<int(const fs::path&)> hook)
{
    writeFault() = std::move(hook);
}

void writeFileAtomic(const fs::path& path, std::string_view bytes)
{
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw DataError(path.string() + ": cannot create folder " + dir.string() + " (" + ec.message() + ")");
    // A unique name per write: two writers of the same file (or of files with the same stem) never
    // share a temporary.
    std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw DataError(path.string() + ": cannot create a temporary file (" + sysError(errno) + ")");
    const fs::path tmp = tmpl;
    auto fail = [&](const std::string& what, int err) {
        ::close(fd);
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw DataError(path.string() + ": " + what + " (" + sysError(err) + "); the previous file is kept");
    };
    if (const auto& hook = writeFault())
        if (const int err = hook(path)) fail("cannot write", err);
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", errno);
        }
        p += n;
        left -= size_t(n);
    }
    // mkstemp creates 0600: keep the permissions of the file being replaced, else the usual 0644.
    struct stat st {};
    const mode_t mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
    if (::fchmod(fd, mode) != 0) fail("cannot set permissions", errno);
    if (::fsync(fd) != 0) fail("cannot flush to disk", errno);
    if (::close(fd) != 0) {
        const int err = errno;
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw DataError(path.string() + ": cannot write (" + sysError(err) + "); the previous file is kept");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw DataError(path.string() + ": cannot replace the file (" + sysError(err) + "); the previous file is kept");
    }
    syncFolder(dir);
}

std::string readFileBounded(const fs::path& path, std::int64_t maxBytes)
{
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) throw DataError(path.string() + ": file does not exist");
    // A folder reads as empty and a FIFO or device blocks or never ends: only plain files.
    if (!fs::is_regular_file(status)) throw DataError(path.string() + ": not a plain file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path.string() + ": cannot read file");
    std::string out;
    char buf[1 << 16];
    // Read in chunks rather than trusting one size query: the file may grow while it is read.
    while (in) {
        in.read(buf, sizeof buf);
        const auto got = in.gcount();
        if (got <= 0) break;
        if (std::int64_t(out.size()) + got > maxBytes)
            throw DataError(path.string() + ": file is larger than " + std::to_string(maxBytes) +
                            " bytes, the most this kind of file may hold");
        out.append(buf, size_t(got));
    }
    if (in.bad()) throw DataError(path.string() + ": read error");
    return out;
}

json parseJsonBounded(std::string_view text, const std::string& what, int maxDepth)
{
    // nlohmann's parser itself is iterative, but dump(), comparison and the error messages that
    // print a value recurse: refuse deep documents while parsing, before any of those run.
    json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json&) {
        if (depth > maxDepth &&
            (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start)) {
            throw ConfigError(what + ": JSON nests deeper than " + std::to_string(maxDepth) + " levels");
        }
        return true;
    };
    try {
        return json::parse(text.begin(), text.end(), cb);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number beyond double's range (1e400)
        throw ConfigError(what + ": not valid JSON (" + e.what() + ")");
    }
}

json readJsonFile(const fs::path& path)
{
    std::string text;
    try {
        text = readFileBounded(path, kMaxJsonFileBytes);
    } catch (const DataError& e) {
        throw ConfigError(e.what());
    }
    return parseJsonBounded(text, path.string());
}

void writeJsonFile(const fs::path& path, const json& j)
{
    writeFileAtomic(path, j.dump(2) + "\n");
}

std::vector<fs::path> removeStaleTemporaries(const fs::path& folder)
{
    std::vector<fs::path> removed;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const std::string name = it->path().filename().string();
        bool stale = name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
        // writeFileAtomic's ".NAME.XXXXXX" (mkstemp's six letters and digits)
        if (!stale && name.size() > 9 && name[0] == '.' && name[name.size() - 7] == '.') {
            stale = true;
            for (size_t i = name.size() - 6; i < name.size(); ++i)
                if (!std::isalnum(static_cast<unsigned char>(name[i]))) stale = false;
        }
        std::error_code rec;
        if (stale && fs::remove(it->path(), rec)) removed.push_back(it->path());
    }
    return removed;
}

bool FolderLock::isHeld(const fs::path& folder)
{
    if (folder.empty()) return false; // not "./.lock": a run without a folder holds no lock
    const fs::path lockPath = folder / ".lock";
    const int fd = ::open(lockPath.c_str(), O_RDONLY | O_CLOEXEC);
    // No lock file (or no folder): nobody holds it. One we may not open belongs to no run of ours either
    // (runs create it readable); "held" there would make a dead run undeletable.
    if (fd < 0) return false;
    // A shared probe: it fails while an exclusive holder exists and is dropped at once otherwise.
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
    ::close(fd);
    return held;
}

FolderLock::FolderLock(const fs::path& folder)
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    const fs::path lockPath = folder / ".lock";
    fd_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw DataError(folder.string() + ": cannot create the lock file .lock (" + sysError(errno) + ")");
    int rc = ::flock(fd_, LOCK_EX | LOCK_NB);
    // isHeld() holds a shared lock for a moment: a few short retries keep it from refusing a run.
    for (int i = 0; rc != 0 && errno == EWOULDBLOCK && i < 5; ++i) {
        ::usleep(20000);
        rc = ::flock(fd_, LOCK_EX | LOCK_NB);
    }
    if (rc != 0) {
        const int err = errno;
        std::string holder;
        char buf[32] = {};
        if (::pread(fd_, buf, sizeof buf - 1, 0) > 0) holder = buf;
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
            holder.pop_back();
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            throw DataError(folder.string() + ": this run folder is in use by another run" +
                            (holder.empty() ? std::string() : " (process " + holder + ")") +
                            "; wait for it to finish or choose another folder");
        throw DataError(folder.string() + ": cannot lock the run folder (" + sysError(err) + ")");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) {
        [[maybe_unused]] const auto n = ::pwrite(fd_, pid.data(), pid.size(), 0);
    }
}

FolderLock::~FolderLock()
{
    if (fd_ >= 0) ::close(fd_); // closing releases the flock
}

FolderLock::FolderLock(FolderLock&& other) noexcept : fd_(other.fd_)
{
    other.fd_ = -1;
}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

} // namespace phinet
