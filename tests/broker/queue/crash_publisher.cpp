// Test helper for queue_crash_test: publishes to a delivery queue from three threads as fast
// as it can, while a fourth takes, acks and nacks one subscriber's deliveries. Prints each
// publish's number on its own line once the queue reports it durable. The test kills it with
// SIGKILL mid-stream.
//
//   queue_crash_publisher DB KEY_DIR FIRST
#include "broker/queue/delivery_queue.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  using namespace pse::queue;
  if (argc != 4) {
    std::fprintf(stderr, "usage: queue_crash_publisher DB KEY_DIR FIRST\n");
    return 2;
  }
  QueueOptions options;
  options.path = argv[1];
  options.max_batch_ops = 128;
  options.retry_initial = std::chrono::milliseconds(1);
  auto queue = DeliveryQueue::open(options, QueueKeyring::load(argv[2], "a"));
  const std::uint64_t first = std::stoull(argv[3]);
  std::mutex output;
  std::atomic<std::uint64_t> next{first};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (true) {
        const std::uint64_t i = next++;
        const std::string n = std::to_string(i);
        NewEvent event{"etat-civil", "key-" + n, "ev-" + n, "identity.address"};
        std::vector<NewDelivery> deliveries{{"ramq", "s" + std::to_string(i % 50), "payload-" + n},
                                            {"saaq", "s" + std::to_string(i % 7), "payload-" + n}};
        auto result = queue->publish(std::move(event), std::move(deliveries)).get();
        if (!result.ok()) return;
        std::lock_guard lock(output);
        // One write per line, flushed: what the parent reads was durable before it was printed.
        std::printf("%llu\n", static_cast<unsigned long long>(i));
        std::fflush(stdout);
      }
    });
  }
  threads.emplace_back([&] {
    for (std::uint64_t round = 0;; ++round) {
      const auto now = Clock::now();
      (void)queue->expire_in_flight(now);
      auto taken = queue->take_ready("saaq", now, 16);
      if (!taken.ok()) return;
      for (const Delivery& delivery : taken->deliveries) {
        if ((delivery.id + round) % 5 == 0) {
          (void)queue->nack("saaq", delivery.id, now, "busy");
        } else {
          (void)queue->ack("saaq", delivery.id);
        }
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  for (auto& thread : threads) thread.join();
  return 0;
}
