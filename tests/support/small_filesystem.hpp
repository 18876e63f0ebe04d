// A small tmpfs mounted for one test, to be filled up and freed again: the real "disk full"
// (ENOSPC) that a data directory can meet in production, not a simulated error.
//
// Mounting needs root (CAP_SYS_ADMIN), as in CI; elsewhere mounted() is false and why_not()
// says why, for GTEST_SKIP.
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace pse::testing {

class SmallFilesystem {
 public:
  explicit SmallFilesystem(std::size_t megabytes) {
    std::string pattern = (std::filesystem::temp_directory_path() / "pse-tmpfs-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    if (geteuid() != 0) {
      why_not_ = "mounting a tmpfs needs root (CI runs as root); run this test as root to fill a real file system";
      return;
    }
    const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
    if (mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      why_not_ = std::string("cannot mount a tmpfs (") + std::strerror(errno) + "); a container without CAP_SYS_ADMIN?";
      return;
    }
    mounted_ = true;
  }

  ~SmallFilesystem() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }
  const std::filesystem::path& path() const { return path_; }

  /// Writes a filler file until the file system refuses (ENOSPC). Returns the bytes written.
  std::size_t fill() {
    const int fd = ::open((path_ / "filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) throw std::runtime_error("cannot create the filler file");
    const std::vector<char> block(4096, 'x');
    std::size_t written = 0;
    while (true) {
      const ssize_t n = ::write(fd, block.data(), block.size());
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return written;
  }

  /// Removes the filler file: the space is free again.
  void free() { std::filesystem::remove(path_ / "filler"); }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
  std::string why_not_;
};

}  // namespace pse::testing
