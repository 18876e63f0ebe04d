// Delivery queue benchmarks: durable publishes per second with 1, 10 and 100 deliveries per
// event, take+ack throughput, and take_ready and start-up with a large backlog. Results and
// how they were measured: bench/RESULTS.md.
//
// The databases live in $PSE_BENCH_DIR (default /tmp), which must be on a real disk: on
// tmpfs fsync is free and the figures would mean nothing.
#include "broker/queue/delivery_queue.hpp"

#include <benchmark/benchmark.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>

namespace pse::queue {
namespace {

using SteadyClock = std::chrono::steady_clock;

class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("PSE_BENCH_DIR");
    std::string pattern = std::string(base ? base : "/tmp") + "/pse-queue-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    std::filesystem::create_directories(path_ / "keys");
    if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(text, sizeof text, key, sizeof key, sodium_base64_VARIANT_ORIGINAL);
    const auto file = path_ / "keys" / "queue-bench.key";
    std::ofstream(file) << text << "\n";
    ::chmod(file.c_str(), 0600);
  }
  ~BenchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::unique_ptr<DeliveryQueue> open() const {
    QueueOptions options;
    options.path = path_ / "queue.db";
    options.max_pending_ops = 1 << 20;
    options.max_pending_bytes = std::size_t{2} << 30;
    return DeliveryQueue::open(options, QueueKeyring::load(path_ / "keys", "bench"));
  }
  std::uintmax_t database_bytes() const {
    std::uintmax_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      if (entry.is_regular_file()) total += entry.file_size();
    }
    return total;
  }

 private:
  std::filesystem::path path_;
};

class Countdown {
 public:
  explicit Countdown(std::uint64_t count) : remaining_(count) {}
  void done() {
    if (remaining_.fetch_sub(1) == 1) {
      std::lock_guard lock(mutex_);
      finished_ = true;
      ready_.notify_all();
    }
  }
  void wait() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return finished_; });
  }

 private:
  std::atomic<std::uint64_t> remaining_;
  std::mutex mutex_;
  std::condition_variable ready_;
  bool finished_ = false;
};

// This process's resident memory (VmRSS), in MiB.
double resident_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

const std::string payload(1024, 'p');  // a 1 KiB minimised record

// Queues `events` publishes of `fanout` deliveries each (subscribers sub-0…, one subject per
// event) and waits until all are durable.
std::uint64_t publish_events(DeliveryQueue& queue, std::uint64_t first, std::uint64_t events, std::size_t fanout,
                             std::uint64_t subjects = 0) {
  Countdown countdown(events);
  std::atomic<std::uint64_t> failures{0};
  for (std::uint64_t i = first; i < first + events; ++i) {
    const std::string n = std::to_string(i);
    std::vector<NewDelivery> deliveries;
    deliveries.reserve(fanout);
    const std::string subject = "subject-" + std::to_string(subjects ? i % subjects : i);
    for (std::size_t s = 0; s < fanout; ++s) {
      deliveries.push_back(NewDelivery{"sub-" + std::to_string(s), subject, payload});
    }
    queue.publish(NewEvent{"etat-civil", "key-" + n, "ev-" + n, "identity.address"}, std::move(deliveries),
                  [&](DeliveryQueue::PublishResult result) {
                    if (!result.ok()) ++failures;
                    countdown.done();
                  });
  }
  countdown.wait();
  return failures.load();
}

// Durable publishes per second: one producer queues publishes as fast as it can; the writer
// commits up to 1024 per transaction (one fsync each).
void BM_DurablePublish(benchmark::State& state) {
  const auto fanout = static_cast<std::size_t>(state.range(0));
  const std::uint64_t events = fanout == 1 ? 100'000 : fanout == 10 ? 20'000 : 2'000;
  BenchDir dir;
  auto queue = dir.open();
  std::uint64_t next = 0;
  std::uint64_t failures = 0;
  for (auto _ : state) {
    failures += publish_events(*queue, next, events, fanout);
    next += events;
  }
  queue->close();
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events));
  state.counters["deliveries_per_s"] = benchmark::Counter(
      static_cast<double>(static_cast<std::uint64_t>(state.iterations()) * events * fanout), benchmark::Counter::kIsRate);
  state.counters["failures"] = static_cast<double>(failures);
  state.counters["db_MiB"] = static_cast<double>(dir.database_bytes()) / (1 << 20);
}
BENCHMARK(BM_DurablePublish)->ArgName("deliveries_per_event")->Arg(1)->Arg(10)->Arg(100)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

// One subscriber drains `pending` deliveries over `subjects` subjects: take_ready(100),
// decrypt, ack each (group committed), until empty. Counts deliveries acked per second,
// including the final commit.
void BM_TakeAndAck(benchmark::State& state) {
  const auto subjects = static_cast<std::uint64_t>(state.range(0));
  const std::uint64_t pending = 100'000;
  BenchDir dir;
  auto queue = dir.open();
  std::uint64_t next = 0;
  std::uint64_t acked = 0;
  for (auto _ : state) {
    state.PauseTiming();
    publish_events(*queue, next, pending, 1, subjects);
    next += pending;
    state.ResumeTiming();
    std::uint64_t round_acked = 0;
    while (round_acked < pending) {
      auto taken = queue->take_ready("sub-0", Clock::now(), 100);
      if (!taken.ok()) {
        state.SkipWithError("take_ready failed");
        return;
      }
      if (taken->deliveries.empty()) {
        (void)queue->flush();  // the next of each subject becomes eligible once its ack commits
        continue;
      }
      for (const Delivery& delivery : taken->deliveries) {
        if (!queue->ack("sub-0", delivery.id).ok()) state.SkipWithError("ack failed");
        ++round_acked;
      }
    }
    (void)queue->flush();
    acked += round_acked;
  }
  queue->close();
  state.SetItemsProcessed(static_cast<std::int64_t>(acked));
}
BENCHMARK(BM_TakeAndAck)->ArgName("subjects")->Arg(100'000)->Arg(1000)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// A subscriber offline with `backlog` pending: the time to reopen the queue (start-up) and of
// take_ready(100) + release_in_flight, and the memory the reopened queue adds.
void BM_BacklogTakeReady(benchmark::State& state) {
  const auto backlog = static_cast<std::uint64_t>(state.range(0));
  BenchDir dir;
  // Filled by a child process, so that this one's memory is only what reopening costs.
  const pid_t child = ::fork();
  if (child == 0) {
    auto queue = dir.open();
    for (std::uint64_t done = 0; done < backlog; done += 100'000) {
      publish_events(*queue, done, std::min<std::uint64_t>(100'000, backlog - done), 1);
    }
    queue->close();
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    state.SkipWithError("filling the backlog failed");
    return;
  }
  const double rss_before = resident_mib();
  const auto open_start = SteadyClock::now();
  auto queue = dir.open();
  const double open_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - open_start).count();
  const auto first_start = SteadyClock::now();
  auto first = queue->take_ready("sub-0", Clock::now(), 100);
  const double first_take_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - first_start).count();
  if (!first.ok() || first->deliveries.size() != 100) state.SkipWithError("take_ready failed");
  queue->release_in_flight("sub-0");
  for (auto _ : state) {
    auto taken = queue->take_ready("sub-0", Clock::now(), 100);
    benchmark::DoNotOptimize(taken);
    queue->release_in_flight("sub-0");
  }
  const auto stats_start = SteadyClock::now();
  const auto stats = queue->stats(Clock::now());
  state.counters["stats_us"] =
      std::chrono::duration<double, std::micro>(SteadyClock::now() - stats_start).count();
  state.counters["pending"] = stats.empty() ? 0.0 : static_cast<double>(stats[0].ready);
  state.counters["open_ms"] = open_ms;
  state.counters["first_take_ms"] = first_take_ms;
  state.counters["db_MiB"] = static_cast<double>(dir.database_bytes()) / (1 << 20);
  state.counters["rss_added_MiB"] = resident_mib() - rss_before;
  state.SetItemsProcessed(state.iterations() * 100);
}
// PSE_QUEUE_BACKLOG=5000000 adds a larger backlog (minutes to fill, ~8 GiB of disk).
const auto* const backlog_benchmark = [] {
  auto* registered = benchmark::RegisterBenchmark("BM_BacklogTakeReady", BM_BacklogTakeReady);
  // A fixed iteration count: the function (and its fill) runs once per backlog.
  registered->ArgName("backlog")->Arg(100'000)->Arg(1'000'000)->Iterations(1000)->UseRealTime()->Unit(benchmark::kMicrosecond);
  if (const char* extra = std::getenv("PSE_QUEUE_BACKLOG")) registered->Arg(std::atoll(extra));
  return registered;
}();

// The writer's per-delivery sealing cost (XChaCha20-Poly1305, 1 KiB).
void BM_Seal1KiB(benchmark::State& state) {
  QueueKeyring keyring("k");
  std::array<std::uint8_t, 32> key{};
  randombytes_buf(key.data(), key.size());
  keyring.add("k", key);
  for (auto _ : state) benchmark::DoNotOptimize(keyring.seal(payload, "associated data"));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
}
BENCHMARK(BM_Seal1KiB);

}  // namespace
}  // namespace pse::queue
