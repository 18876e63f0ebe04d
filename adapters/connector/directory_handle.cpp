#include "adapters/connector/directory_handle.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace pse::connector {
namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

EntryStatus status_of(const struct stat& info) {
  EntryStatus status;
  const mode_t type = info.st_mode & S_IFMT;
  status.kind = type == S_IFREG   ? EntryKind::regular
                : type == S_IFDIR ? EntryKind::directory
                : type == S_IFLNK ? EntryKind::symbolic_link
                : type == S_IFIFO ? EntryKind::fifo
                : type == S_IFSOCK ? EntryKind::socket
                : (type == S_IFCHR || type == S_IFBLK) ? EntryKind::device
                                                       : EntryKind::other;
  status.size = info.st_size > 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
  status.modified_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  return status;
}

FileRead refused(std::string code, std::string message) {
  FileRead read;
  read.outcome = FileRead::Outcome::refused;
  read.code = std::move(code);
  read.message = std::move(message);
  return read;
}

FileRead unreadable(std::string message) {
  FileRead read;
  read.outcome = FileRead::Outcome::unreadable;
  read.message = std::move(message);
  return read;
}

FileRead not_regular(const std::string& name, EntryKind kind) {
  return refused("not_regular_file", name + " is " + std::string(describe(kind)) + ", not a regular file");
}

FileRead too_large(const std::string& name, std::uint64_t max_bytes) {
  return refused("file_too_large", name + " is larger than max_file_bytes (" + std::to_string(max_bytes) + " bytes)");
}

/// Twelve random letters and digits: a temporary name nobody can place in advance.
std::string random_suffix() {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device source;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
  std::string suffix(12, 'x');
  for (char& c : suffix) c = alphabet[pick(source)];
  return suffix;
}

}  // namespace

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::string_view describe(EntryKind kind) noexcept {
  switch (kind) {
    case EntryKind::regular: return "a regular file";
    case EntryKind::directory: return "a directory";
    case EntryKind::symbolic_link: return "a symbolic link";
    case EntryKind::fifo: return "a FIFO";
    case EntryKind::socket: return "a socket";
    case EntryKind::device: return "a device";
    case EntryKind::other: return "a special file";
  }
  return "a special file";
}

DirectoryHandle::DirectoryHandle(const std::filesystem::path& path, bool follow_link) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow_link ? 0 : O_NOFOLLOW));
  if (fd_ < 0) {
    const std::error_code error = last_error();
    throw std::filesystem::filesystem_error(
        follow_link ? "cannot open the folder" : "cannot open the folder (it must be a directory, not a link)", path, error);
  }
}

DirectoryHandle::~DirectoryHandle() {
  if (fd_ >= 0) ::close(fd_);
}

DirectoryHandle::DirectoryHandle(DirectoryHandle&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

std::vector<DirectoryEntry> DirectoryHandle::list(std::error_code& error) const {
  error.clear();
  std::vector<DirectoryEntry> entries;
  // A stream of its own on a duplicate: this handle's descriptor stays as it is.
  const int copy = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    error = last_error();
    return entries;
  }
  DIR* stream = ::fdopendir(copy);
  if (stream == nullptr) {
    error = last_error();
    ::close(copy);
    return entries;
  }
  ::rewinddir(stream);  // the duplicate shares its offset with earlier listings
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(stream);
    if (entry == nullptr) {
      if (errno != 0) error = last_error();
      break;
    }
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (auto found = status(name)) entries.push_back(DirectoryEntry{name, *found});
  }
  ::closedir(stream);
  return entries;
}

std::optional<EntryStatus> DirectoryHandle::status(const std::string& name) const {
  struct stat info {};
  if (::fstatat(fd_, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  return status_of(info);
}

FileRead DirectoryHandle::read_regular_file(const std::string& name, std::uint64_t max_bytes) const {
  const int fd = ::openat(fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const std::error_code error = last_error();
    // A link (ELOOP) or a socket (ENXIO) is refused for what it is; anything else may pass.
    if (auto found = status(name); found && found->kind != EntryKind::regular) return not_regular(name, found->kind);
    return unreadable("cannot open " + name + ": " + error.message());
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat info {};
  if (::fstat(fd, &info) != 0) return unreadable("cannot stat " + name + ": " + last_error().message());
  const EntryStatus opened = status_of(info);
  if (opened.kind != EntryKind::regular) return not_regular(name, opened.kind);
  if (opened.size > max_bytes) return too_large(name, max_bytes);

  FileRead read;
  read.bytes.reserve(static_cast<std::size_t>(opened.size));
  char buffer[65536];
  while (true) {
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) return unreadable("cannot read " + name + ": " + last_error().message());
    if (count == 0) break;
    // Written to since the fstat: the cap holds for what is actually read.
    if (read.bytes.size() + static_cast<std::size_t>(count) > max_bytes) return too_large(name, max_bytes);
    read.bytes.append(buffer, static_cast<std::size_t>(count));
  }
  return read;
}

bool DirectoryHandle::write_atomically(const std::string& name, std::string_view content, std::error_code& error) const {
  error.clear();
  std::string temporary;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    // A leading '.': never taken by a poll, whatever the folder.
    temporary = "." + name.substr(0, 200) + "." + random_suffix() + ".tmp";
    fd = ::openat(fd_, temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd < 0 && errno != EEXIST) {
      error = last_error();
      return false;
    }
  }
  if (fd < 0) {
    error = std::make_error_code(std::errc::file_exists);
    return false;
  }
  const bool written = write_all(fd, content) && ::fdatasync(fd) == 0;
  if (!written) error = last_error();
  if (::close(fd) != 0 && !error) error = last_error();
  if (!error && ::renameat(fd_, temporary.c_str(), fd_, name.c_str()) != 0) error = last_error();
  if (error) {
    ::unlinkat(fd_, temporary.c_str(), 0);
    return false;
  }
  return true;
}

bool DirectoryHandle::move(const std::string& name, const DirectoryHandle& to, const std::string& new_name,
                           std::error_code& error) const {
  error.clear();
  if (::renameat(fd_, name.c_str(), to.fd_, new_name.c_str()) == 0) return true;
  error = last_error();
  return false;
}

void DirectoryHandle::remove(const std::string& name) const { ::unlinkat(fd_, name.c_str(), 0); }

}  // namespace pse::connector
