// Audit log benchmarks: durable appends per second at batch sizes 1, 64 and 1024, append
// latency under load, verification of a million entries, and the per-entry and per-head
// costs behind those figures. Results and how they were measured: bench/RESULTS.md.
//
// The databases live in $PSE_BENCH_DIR (default /tmp), which must be on a real disk: on
// tmpfs fsync is free and the figures would mean nothing.
#include "audit/audit_log.hpp"
#include "audit/log_verifier.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "audit/tree_head.hpp"

#include "audit/sample_records.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace pse::audit {
namespace {

using Clock = std::chrono::steady_clock;

class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("PSE_BENCH_DIR");
    std::string pattern = std::string(base ? base : "/tmp") + "/pse-audit-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    write_new_key_files(path_ / "keys");
  }
  ~BenchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  AuditConfig config(std::size_t max_batch) const {
    AuditConfig config;
    config.database = path_ / "audit.db";
    config.key_dir = path_ / "keys";
    config.max_batch_entries = max_batch;
    config.max_pending_entries = 4 * 1024 * 1024;
    return config;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Waits until `count` completions have arrived.
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

// Durable appends per second: one producer queues `entries` appends as fast as it can; the
// writer commits up to `batch` per transaction (fsync + one signed head each).
void BM_DurableAppend(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  const std::uint64_t entries = batch == 1 ? 2'000 : batch == 64 ? 50'000 : 300'000;
  BenchDir dir;
  auto log = AuditLog::open(dir.config(batch));
  std::uint64_t next = 0;
  std::atomic<std::uint64_t> failures{0};
  for (auto _ : state) {
    Countdown countdown(entries);
    for (std::uint64_t i = 0; i < entries; ++i) {
      log->append(testing::sample_record(next++), [&](AuditLog::AppendResult result) {
        if (!result.ok()) ++failures;
        countdown.done();
      });
    }
    countdown.wait();
  }
  log->close();
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(entries));
  state.counters["failures"] = static_cast<double>(failures.load());
}
BENCHMARK(BM_DurableAppend)->ArgName("batch")->Arg(1)->Arg(64)->Arg(1024)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

// Latency from append() to the durable callback, with `producers` threads each keeping
// `outstanding` appends in flight (closed loop), batches of up to 1024.
void BM_AppendLatencyUnderLoad(benchmark::State& state) {
  const int producers = 4;
  const auto outstanding = static_cast<std::uint64_t>(state.range(0));
  const std::uint64_t per_producer = 50'000;
  BenchDir dir;
  auto log = AuditLog::open(dir.config(1024));
  std::vector<double> latencies;
  std::mutex latencies_mutex;
  for (auto _ : state) {
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        std::vector<double> mine;
        mine.reserve(per_producer);
        std::mutex mutex;
        std::condition_variable slot_free;
        std::uint64_t in_flight = 0;
        for (std::uint64_t i = 0; i < per_producer; ++i) {
          {
            std::unique_lock lock(mutex);
            slot_free.wait(lock, [&] { return in_flight < outstanding; });
            ++in_flight;
          }
          const auto start = Clock::now();
          log->append(testing::sample_record(static_cast<std::uint64_t>(p) * per_producer + i),
                      [&, start](AuditLog::AppendResult) {
                        const double micros =
                            std::chrono::duration<double, std::micro>(Clock::now() - start).count();
                        std::lock_guard lock(mutex);
                        mine.push_back(micros);
                        --in_flight;
                        slot_free.notify_one();
                      });
        }
        std::unique_lock lock(mutex);
        slot_free.wait(lock, [&] { return in_flight == 0; });
        std::lock_guard all(latencies_mutex);
        latencies.insert(latencies.end(), mine.begin(), mine.end());
      });
    }
    for (auto& thread : threads) thread.join();
  }
  log->close();
  std::sort(latencies.begin(), latencies.end());
  const auto percentile = [&](double p) {
    return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * static_cast<double>(latencies.size())))];
  };
  state.SetItemsProcessed(static_cast<std::int64_t>(latencies.size()));
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
  state.counters["max_us"] = latencies.back();
}
BENCHMARK(BM_AppendLatencyUnderLoad)->ArgName("in_flight_per_producer")->Arg(16)->Arg(256)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// verify of a log of one million entries written in batches of up to 1024.
void BM_VerifyMillionEntries(benchmark::State& state) {
  constexpr std::uint64_t entries = 1'000'000;
  BenchDir dir;
  {
    auto log = AuditLog::open(dir.config(1024));
    Countdown countdown(entries);
    for (std::uint64_t i = 0; i < entries; ++i) {
      log->append(testing::sample_record(i), [&](AuditLog::AppendResult) { countdown.done(); });
    }
    countdown.wait();
  }
  auto store = std::move(SqliteAuditStore::open(dir.path() / "audit.db", SqliteAuditStore::Access::read_only)).value();
  const PublicKey key = load_public_key(dir.path() / "keys" / public_key_file);
  std::uint64_t heads = 0;
  for (auto _ : state) {
    const auto report = verify_log(*store, key, {});
    if (!report.ok() || !report->intact()) state.SkipWithError("verification failed");
    heads = report->tree_heads;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(entries));
  state.counters["tree_heads"] = static_cast<double>(heads);
  state.counters["db_MiB"] = static_cast<double>(std::filesystem::file_size(dir.path() / "audit.db")) / (1 << 20);
}
BENCHMARK(BM_VerifyMillionEntries)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// The writer's per-entry CPU work: canonical encoding, leaf hash, frontier append.
void BM_EntryHashAndFrontierAppend(benchmark::State& state) {
  AuditEntry entry;
  const AuditRecord record = testing::sample_record(3);
  entry.consumer = record.consumer;
  entry.provider = record.provider;
  entry.category = record.category;
  entry.purpose = record.purpose;
  entry.request_id = record.request_id;
  entry.permitted_fields = record.permitted_fields;
  entry.payload_hash = record.payload_hash;
  MerkleFrontier frontier;
  for (auto _ : state) {
    entry.seq = frontier.size();
    frontier.append(entry_leaf_hash(entry));
  }
  benchmark::DoNotOptimize(frontier.root());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EntryHashAndFrontierAppend);

void BM_SignTreeHead(benchmark::State& state) {
  const SigningKey key = SigningKey::generate();
  SignedTreeHead head;
  head.tree_size = 1;
  for (auto _ : state) {
    ++head.tree_size;
    sign_tree_head(head, key);
    benchmark::DoNotOptimize(head.signature);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignTreeHead);

void BM_VerifyTreeHeadSignature(benchmark::State& state) {
  const SigningKey key = SigningKey::generate();
  SignedTreeHead head;
  head.tree_size = 7;
  sign_tree_head(head, key);
  for (auto _ : state) benchmark::DoNotOptimize(verify_tree_head(head, key.public_key()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyTreeHeadSignature);

}  // namespace
}  // namespace pse::audit
