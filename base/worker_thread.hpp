// A thread that runs posted jobs one at a time, in order, with a bounded queue.
//
// The broker's I/O threads must never wait on a disk: work that does (a durable SQLite write
// with synchronous=FULL takes milliseconds) is posted here, and its result handed back through
// the job's own callback. When the queue is full, post() refuses rather than letting memory
// grow without bound; the caller answers "try later".
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace pse {

class WorkerThread {
 public:
  explicit WorkerThread(std::string name, std::size_t max_queued = 10'000);
  /// Runs the jobs already queued, then stops.
  ~WorkerThread();
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  /// False (and the job is dropped, not run) when the queue is full or the worker stopping.
  [[nodiscard]] bool post(std::function<void()> job);

 private:
  void run();

  std::string name_;
  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pse
