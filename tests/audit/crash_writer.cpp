// Test helper for crash_test: appends to an audit log from several threads, as fast as it
// can, and prints each sequence number on its own line once AuditLog reports it durable.
// crash_test kills it with SIGKILL mid-stream.
//
//   audit_crash_writer DB KEY_DIR
#include "audit/audit_log.hpp"

#include "sample_records.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

int main(int argc, char** argv) {
  using namespace pse::audit;
  if (argc != 3) {
    std::fprintf(stderr, "usage: audit_crash_writer DB KEY_DIR\n");
    return 2;
  }
  AuditConfig config;
  config.database = argv[1];
  config.key_dir = argv[2];
  config.max_batch_entries = 256;
  auto log = AuditLog::open(config);
  std::mutex output;
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (std::uint64_t i = 0;; ++i) {
        auto result = log->append(testing::sample_record(i * 3 + static_cast<std::uint64_t>(t))).get();
        if (!result.ok()) return;
        std::lock_guard lock(output);
        // One write per line, flushed: what the parent reads was durable before it was printed.
        std::printf("%llu\n", static_cast<unsigned long long>(*result));
        std::fflush(stdout);
      }
    });
  }
  for (auto& writer : writers) writer.join();
  return 0;
}
