// GroupCommitWriter — one writer thread that commits whatever is queued, together.
//
// A durable commit costs an fsync, so one commit per operation caps a store at a few thousand
// operations per second. Callers queue operations; the writer takes everything queued at once
// and hands it to `commit` in slices of at most `max_batch`, so one fsync covers whatever
// arrived during the previous commit. A batch never waits to fill: a lone operation under
// light load is committed at once. The audit log and the delivery queues both write this way.
//
// The owner keeps its own admission rules (limits, a failed store, closing): `locked` runs
// them under the queue's lock, where they may push. `commit` and `on_taken` run on the
// writer thread; `on_taken` under the lock, to keep counts of what is queued exact.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace pse {

template <typename Op>
class GroupCommitWriter {
 public:
  struct Options {
    std::size_t max_batch = 1024;
    /// When set, `commit` is also called with an empty slice after this long without work, so
    /// that a store that failed can be retried with nothing queued.
    std::optional<std::chrono::milliseconds> idle_tick;
  };
  using Commit = std::function<void(std::span<Op> batch)>;
  using Taken = std::function<void(std::span<const Op> taken)>;

  GroupCommitWriter(Options options, Commit commit, Taken on_taken = {})
      : options_(options), commit_(std::move(commit)), on_taken_(std::move(on_taken)) {
    if (options_.max_batch == 0) options_.max_batch = 1;
  }
  ~GroupCommitWriter() { close(); }
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  /// Starts the thread: separate from the constructor, so that the owner's members that
  /// `commit` uses exist before it can run.
  void start() {
    thread_ = std::thread([this] { run(); });
  }

  /// Runs `f(queue, closing)` under the queue's lock and returns what it returns; `f` may
  /// push operations (unless closing: close() has been called). The writer is woken if it did.
  template <typename F>
  auto locked(F&& f) {
    using Returned = std::invoke_result_t<F, std::vector<Op>&, bool>;
    std::unique_lock lock(mutex_);
    const std::size_t before = queue_.size();
    const auto wake_if_pushed = [&] {
      const bool pushed = queue_.size() > before;
      lock.unlock();
      if (pushed) ready_.notify_one();
    };
    if constexpr (std::is_void_v<Returned>) {
      std::forward<F>(f)(queue_, closing_);
      wake_if_pushed();
    } else {
      Returned result = std::forward<F>(f)(queue_, closing_);
      wake_if_pushed();
      return result;
    }
  }

  /// Commits everything queued, then stops the thread. Idempotent.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    ready_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::vector<Op> batch;
    while (true) {
      {
        std::unique_lock lock(mutex_);
        const auto has_work = [this] { return !queue_.empty() || closing_; };
        if (options_.idle_tick) {
          ready_.wait_for(lock, *options_.idle_tick, has_work);
        } else {
          ready_.wait(lock, has_work);
        }
        if (closing_ && queue_.empty()) return;  // everything is committed
        batch.swap(queue_);
        if (on_taken_) on_taken_(batch);
      }
      if (batch.empty()) {
        commit_({});  // the idle tick
        continue;
      }
      const std::span<Op> all(batch);
      for (std::size_t begin = 0; begin < all.size(); begin += options_.max_batch) {
        commit_(all.subspan(begin, std::min(options_.max_batch, all.size() - begin)));
      }
      batch.clear();
    }
  }

  Options options_;
  Commit commit_;
  Taken on_taken_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Op> queue_;
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace pse
