#include "adapters/connector/rolled_file.hpp"

#include "adapters/connector/directory_handle.hpp"
#include "base/utc_time.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace pse::connector {
namespace {

namespace fs = std::filesystem;

// Event ids are remembered this long after their file rolled: far beyond the broker's retries.
constexpr std::int64_t kRememberSeconds = 30LL * 24 * 3600;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool sync_directory(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

bool create_empty_durably(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

void must(const SqliteStatus& status, const char* what) {
  if (!status) throw std::runtime_error(std::string(what) + ": " + status.error().message);
}

SqliteDatabase open_ledger(const RollSettings& settings) {
  std::error_code error;
  fs::create_directories(settings.folder, error);
  if (error) throw std::runtime_error("cannot create " + settings.folder.string() + ": " + error.message());
  auto ledger = SqliteDatabase::open(settings.folder / (settings.prefix + ".ledger.db"), SqliteDatabase::Mode::read_write_create);
  if (!ledger) throw std::runtime_error("cannot open the delivery ledger: " + ledger.error().message);
  return std::move(ledger).value();
}

// True when the statement gave a row.
bool has_row(SqliteStatement& statement) {
  auto stepped = statement.step();
  return stepped && *stepped;
}

}  // namespace

RolledFile::RolledFile(RollSettings settings) : settings_(std::move(settings)), ledger_(open_ledger(settings_)) {
  must(ledger_.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                       "CREATE TABLE IF NOT EXISTS delivered (event_id TEXT PRIMARY KEY, in_part INTEGER NOT NULL,"
                       " end_offset INTEGER NOT NULL, at INTEGER NOT NULL);"
                       "CREATE TABLE IF NOT EXISTS files (rolled INTEGER NOT NULL);"),
       "cannot set up the delivery ledger");
  auto rolled = ledger_.prepare("SELECT count(*) FROM files");
  if (rolled && has_row(*rolled)) sequence_ = static_cast<std::uint64_t>(rolled->integer(0));

  if (!fs::exists(part_path())) {
    // A roll renamed the .part and stopped before the ledger heard of it: those records are
    // in a finished file now.
    must(ledger_.execute("UPDATE delivered SET in_part = 0 WHERE in_part = 1"), "cannot update the delivery ledger");
  }
  // A roll that stopped before its done-marker: the file is complete, mark it.
  for (const auto& entry : fs::directory_iterator(settings_.folder)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(settings_.prefix + "-") && name.ends_with(settings_.extension) &&
        !fs::exists(entry.path().string() + ".done")) {
      if (!create_empty_durably(entry.path().string() + ".done")) {
        throw std::runtime_error("cannot write the done-marker of " + entry.path().string());
      }
    }
  }
  if (auto opened = open_part(); !opened) throw std::runtime_error(opened.error().message);
}

RolledFile::~RolledFile() {
  if (fd_ >= 0) ::close(fd_);
}

pse::Status RolledFile::failed(const std::string& what) {
  return pse::make_error(Reason::provider_unavailable,
                         what + " (" + settings_.folder.string() + "): " + std::strerror(errno));
}

// The .part as the ledger knows it: bytes past the last acknowledged record are cut off.
pse::Status RolledFile::open_part() {
  const bool existed = fs::exists(part_path());
  // Never through a symbolic link someone with access to the folder could have planted.
  fd_ = ::open(part_path().c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd_ < 0) return failed("cannot open the output file");
  auto known = ledger_.prepare("SELECT count(*), coalesce(max(end_offset), 0) FROM delivered WHERE in_part = 1");
  if (!known || !has_row(*known)) {
    return pse::make_error(Reason::provider_unavailable, "cannot read the delivery ledger");
  }
  records_ = static_cast<std::uint64_t>(known->integer(0));
  size_ = records_ > 0 ? static_cast<std::uint64_t>(known->integer(1)) : settings_.header.size();
  if (::ftruncate(fd_, static_cast<off_t>(records_ > 0 ? size_ : 0)) != 0) return failed("cannot truncate the output file");
  if (records_ == 0 && (!write_all(fd_, settings_.header) || ::fsync(fd_) != 0)) return failed("cannot write the header");
  if (::lseek(fd_, static_cast<off_t>(size_), SEEK_SET) < 0) return failed("cannot seek in the output file");
  if (!existed && !sync_directory(settings_.folder)) return failed("cannot sync the output folder");
  opened_at_ = std::chrono::steady_clock::now();
  return pse::Done{};
}

pse::Status RolledFile::append(std::string_view event_id, std::string_view bytes) {
  std::lock_guard lock(mutex_);
  if (fd_ < 0) {
    if (auto opened = open_part(); !opened) return opened;
  }
  auto seen = ledger_.prepare("SELECT 1 FROM delivered WHERE event_id = ?");
  if (!seen) return pse::make_error(Reason::provider_unavailable, "cannot read the delivery ledger");
  seen->bind(1, event_id);
  auto stepped = seen->step();
  if (!stepped) return pse::make_error(Reason::provider_unavailable, "cannot read the delivery ledger");
  if (*stepped) return pse::Done{};  // written before: once is enough

  if (!write_all(fd_, bytes) || ::fdatasync(fd_) != 0) {
    const auto failure = failed("cannot write the output file");
    (void)::ftruncate(fd_, static_cast<off_t>(size_));
    (void)::lseek(fd_, static_cast<off_t>(size_), SEEK_SET);
    return failure;
  }
  auto record = ledger_.prepare("INSERT INTO delivered (event_id, in_part, end_offset, at) VALUES (?, 1, ?, ?)");
  if (record) {
    record->bind(1, event_id);
    record->bind(2, static_cast<std::int64_t>(size_ + bytes.size()));
    record->bind(3, unix_now());
  }
  if (!record || !record->run()) {
    // Not acknowledged: the bytes go, and the redelivery writes them again.
    (void)::ftruncate(fd_, static_cast<off_t>(size_));
    (void)::lseek(fd_, static_cast<off_t>(size_), SEEK_SET);
    return pse::make_error(Reason::provider_unavailable, "cannot record the delivery in the ledger: " + ledger_.last_error());
  }
  size_ += bytes.size();
  ++records_;
  if (records_ >= settings_.max_records || size_ >= settings_.max_bytes) return roll();
  return pse::Done{};
}

pse::Status RolledFile::roll_if_old() {
  std::lock_guard lock(mutex_);
  if (fd_ < 0 || records_ == 0 || std::chrono::steady_clock::now() - opened_at_ < settings_.max_age) return pse::Done{};
  return roll();
}

// fsync, rename, done-marker, then the ledger: a crash at any point is finished by the next
// open (see the constructor). The records are already durable; a failed roll is retried later.
pse::Status RolledFile::roll() {
  if (::fsync(fd_) != 0) return failed("cannot sync the output file");
  ::close(fd_);
  fd_ = -1;
  ++sequence_;
  // 20261207T061500Z: sortable, and safe in any file system.
  std::string stamp = format_utc(std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  const fs::path final_path =
      settings_.folder / (settings_.prefix + "-" + stamp + "-" + std::to_string(sequence_) + settings_.extension);
  if (::rename(part_path().c_str(), final_path.c_str()) != 0 || !sync_directory(settings_.folder)) {
    return failed("cannot roll the output file");
  }
  if (!create_empty_durably(final_path.string() + ".done") || !sync_directory(settings_.folder)) {
    return failed("cannot write the done-marker");
  }
  auto forget = ledger_.prepare("DELETE FROM delivered WHERE in_part = 0 AND at < ?");
  if (forget) {
    forget->bind(1, unix_now() - kRememberSeconds);
    (void)forget->run();
  }
  if (!ledger_.execute("BEGIN; UPDATE delivered SET in_part = 0 WHERE in_part = 1; INSERT INTO files VALUES (1); COMMIT")) {
    (void)ledger_.execute("ROLLBACK");
    return pse::make_error(Reason::provider_unavailable, "cannot update the delivery ledger: " + ledger_.last_error());
  }
  return open_part();
}

}  // namespace pse::connector
