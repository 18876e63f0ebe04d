// A subscriber's deliveries as its handler saw them, with a way to wait for them (and to refuse
// some, to see the broker retry).
#pragma once

#include <pse/publish.hpp>
#include <pse/result.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace pse::testing {

class Inbox {
 public:
  Status take(const Delivery& delivery) {
    std::lock_guard lock(mutex_);
    if (refusals_left_ > 0) {
      --refusals_left_;
      ++refused_;
      return make_error(Reason::provider_error, "not now");
    }
    received_.push_back(delivery);
    changed_.notify_all();
    return Done{};
  }

  bool wait_for(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return received_.size() >= count; });
  }

  std::vector<Delivery> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  void refuse_next(int count) {
    std::lock_guard lock(mutex_);
    refusals_left_ = count;
  }
  int refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Delivery> received_;
  int refusals_left_ = 0;
  int refused_ = 0;
};

}  // namespace pse::testing
