// Copies the audit log's write-ahead log into its database file on a thread of its own.
//
// With SQLite's automatic checkpoint, the commit that crosses the threshold also copies every
// page the WAL holds into the database and fsyncs it: a stall of tens of milliseconds for
// every exchange waiting on that commit (the p99 of bench/RESULTS.md). Here the writer's
// connection only reports its WAL size after each commit (sqlite3_wal_hook); a second
// connection runs PASSIVE checkpoints, which never block the writer, whenever the WAL holds
// `start_pages` or more. A PASSIVE checkpoint cannot restart the WAL while commits keep
// landing, so past `restart_pages` the writer restarts it itself, right after a commit: by
// then almost every frame has been copied already, and the restart costs little.
//
// Durability does not change: a commit is durable once the WAL is synced, checkpoint or not.
#pragma once

#include "audit/result.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

struct sqlite3;

namespace pse::audit {

struct CheckpointSettings {
  std::uint32_t start_pages = 4096;     ///< WAL pages (4 KiB) from which the thread copies
  std::uint32_t restart_pages = 16384;  ///< WAL pages from which the writer restarts the WAL
};

class WalCheckpointer {
 public:
  /// Opens a second connection to `file` and hooks `writer` (which must outlive this object).
  static Result<std::unique_ptr<WalCheckpointer>> start(sqlite3* writer, const std::filesystem::path& file,
                                                        CheckpointSettings settings);
  /// Unhooks the writer, stops the thread (a pass in progress finishes) and closes.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  /// Background passes that copied at least one frame, and restarts the writer made (tests, metrics).
  std::uint64_t passes() const { return passes_.load(std::memory_order_relaxed); }
  std::uint64_t restarts() const { return restarts_.load(std::memory_order_relaxed); }

 private:
  WalCheckpointer(sqlite3* writer, sqlite3* own, CheckpointSettings settings);
  static int on_commit(void* self, sqlite3* writer, const char* database, int pages);
  void run();

  sqlite3* writer_;
  sqlite3* own_;
  CheckpointSettings settings_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> passes_{0};
  std::atomic<std::uint64_t> restarts_{0};
  std::thread thread_;
};

}  // namespace pse::audit
