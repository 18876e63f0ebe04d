// The output file a subscriber's connector writes deliveries into, as mainframe transfers
// expect: records appended to `<prefix>.part`, which is rolled — fsynced, renamed to
// `<prefix>-<UTC time>-<seq><extension>` and followed by an empty `<that name>.done` — once it
// holds max_records records or max_bytes bytes, or has been open max_age. A legacy job picks a
// file up when its done-marker appears, never before.
//
// Exactly once per event id: each append is made durable (fsync) and then recorded in a ledger
// (SQLite, synchronous=FULL: event id → the .part's size after it) before it is acknowledged.
// A crash between the two leaves bytes the ledger does not know; opening again truncates the
// .part to the ledger's last size, and the broker, never having had the ack, delivers the
// event again, which is then written once. An event id the ledger holds is not written again.
#pragma once

#include "base/sqlite.hpp"

#include <pse/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

namespace pse::connector {

struct RollSettings {
  std::filesystem::path folder;
  std::string prefix;             ///< file names start with it
  std::string extension = ".dat";
  std::string header;             ///< bytes that start every file (a CSV header line), or none
  std::uint64_t max_records = 10000;
  std::uint64_t max_bytes = 64ULL * 1024 * 1024;
  std::chrono::seconds max_age{300};
};

class RolledFile {
 public:
  /// Opens the ledger (`<folder>/<prefix>.ledger.db`) and the current .part, truncating it to
  /// what the ledger acknowledged; finishes a roll a crash interrupted. Throws
  /// std::runtime_error when the folder or ledger cannot be used.
  explicit RolledFile(RollSettings settings);
  ~RolledFile();
  RolledFile(const RolledFile&) = delete;
  RolledFile& operator=(const RolledFile&) = delete;

  /// Appends `bytes` (one framed record) for `event_id`, durably, then rolls if the file is
  /// full. Done when written now or already written before; provider_unavailable when the
  /// disk refuses (the caller nacks, the broker retries).
  pse::Status append(std::string_view event_id, std::string_view bytes);
  /// Rolls the current file if it holds records and has been open max_age (called regularly).
  pse::Status roll_if_old();

  std::filesystem::path part_path() const { return settings_.folder / (settings_.prefix + ".part"); }

 private:
  pse::Status open_part();
  pse::Status roll();
  pse::Status failed(const std::string& what);

  RollSettings settings_;
  SqliteDatabase ledger_;
  std::mutex mutex_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t records_ = 0;
  std::chrono::steady_clock::time_point opened_at_;
  std::uint64_t sequence_ = 0;  ///< files rolled so far, for unique names within one second
};

}  // namespace pse::connector
