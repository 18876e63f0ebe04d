#include "base/worker_thread.hpp"

#include "base/log.hpp"

#include <exception>

namespace pse {

WorkerThread::WorkerThread(std::string name, std::size_t max_queued)
    : name_(std::move(name)), max_queued_(max_queued), thread_([this] { run(); }) {}

WorkerThread::~WorkerThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool WorkerThread::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void WorkerThread::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left to run
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      // A job must report its own failures; this only keeps the worker alive if one does not.
      log::error("worker job failed", {{"worker", name_}, {"detail", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace pse
