// A drop folder's files, read and written without trusting the file system.
//
// Whoever can write into a drop folder (a transfer account, a legacy job) must not be able to
// make the connector read or write anything else. So every operation is relative to a directory
// held open since the start (renaming the folder or one of its sub-folders and putting a
// symbolic link in its place changes nothing), no symbolic link is ever followed, only regular
// files are read (a FIFO or a device is refused without being read, and cannot block), a
// file's size is capped while it is read from the one descriptor that was checked, and files
// the connector writes go through a fresh name created exclusively (O_EXCL), never a fixed one
// another user could have placed first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pse::connector {

enum class EntryKind { regular, directory, symbolic_link, fifo, socket, device, other };

/// Writes all of `content` to `fd`, through short writes and EINTR; false on an error.
bool write_all(int fd, std::string_view content);

/// "a symbolic link", "a FIFO"… for messages.
std::string_view describe(EntryKind kind) noexcept;

/// What lstat says of an entry (a symbolic link is itself, never its target).
struct EntryStatus {
  EntryKind kind = EntryKind::other;
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;
};

struct DirectoryEntry {
  std::string name;
  EntryStatus status;
};

/// A file read whole, or why not.
struct FileRead {
  enum class Outcome {
    read,       ///< `bytes` holds the file
    refused,    ///< never to be read: `code` (not_regular_file, file_too_large) and `message`
    unreadable  ///< may work later (permissions, I/O error, gone): `message`
  };
  Outcome outcome = Outcome::read;
  std::string bytes;
  std::string code;
  std::string message;
};

class DirectoryHandle {
 public:
  /// Opens `path` as a directory. `follow_link`: whether `path` itself may be a symbolic link
  /// (the configured folder may; its done/ and rejected/ may not). Throws std::filesystem_error.
  DirectoryHandle(const std::filesystem::path& path, bool follow_link);
  ~DirectoryHandle();
  DirectoryHandle(DirectoryHandle&& other) noexcept;
  DirectoryHandle& operator=(DirectoryHandle&&) = delete;
  DirectoryHandle(const DirectoryHandle&) = delete;
  DirectoryHandle& operator=(const DirectoryHandle&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

  /// Every entry but "." and "..", each with its lstat.
  std::vector<DirectoryEntry> list(std::error_code& error) const;
  /// lstat of `name`; nullopt when there is no such entry.
  std::optional<EntryStatus> status(const std::string& name) const;

  /// Reads `name` if it is a regular file of at most `max_bytes`, from the descriptor that was
  /// checked: O_NOFOLLOW (a link is refused), O_NONBLOCK (opening a FIFO does not wait for a
  /// writer), then fstat, then at most max_bytes + 1 bytes (a file that grows is still caught).
  FileRead read_regular_file(const std::string& name, std::uint64_t max_bytes) const;

  /// Writes `content` as `name` through an exclusively created temporary name in this
  /// directory (mode 0640 less the umask), synced, then renamed over `name`: a reader sees the
  /// old file or the whole new one. False with `error` set when it could not.
  bool write_atomically(const std::string& name, std::string_view content, std::error_code& error) const;

  /// Renames the entry `name` (whatever it is: a link is moved, not followed) to `to`/`new_name`.
  bool move(const std::string& name, const DirectoryHandle& to, const std::string& new_name,
            std::error_code& error) const;

  /// Removes the entry `name` if present (a link itself, not its target).
  void remove(const std::string& name) const;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace pse::connector
