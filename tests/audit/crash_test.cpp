// Crash safety with a real process: entries reported durable by a writer killed with SIGKILL
// are all present after restart, and the log verifies.
#include "audit/audit_log.hpp"
#include "audit/log_verifier.hpp"
#include "audit/sqlite_audit_store.hpp"

#include "audit_test_support.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

namespace pse::audit {
namespace {

// Starts the writer, reads the sequence numbers it reports until `wanted` have come, then
// kills it with SIGKILL. Returns every number it reported.
std::set<std::uint64_t> run_and_kill(const testing::LogFixture& fixture, std::size_t wanted) {
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) throw std::runtime_error("pipe failed");
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(pipe_ends[1], STDOUT_FILENO);
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    ::execl(PSE_CRASH_WRITER, PSE_CRASH_WRITER, fixture.database.c_str(), fixture.keys.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(pipe_ends[1]);
  std::set<std::uint64_t> reported;
  std::string pending;
  char buffer[4096];
  while (reported.size() < wanted) {
    const auto got = ::read(pipe_ends[0], buffer, sizeof buffer);
    if (got <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(got));
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      reported.insert(std::stoull(pending.substr(0, newline)));
      pending.erase(0, newline + 1);
    }
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipe_ends[0]);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer must die by SIGKILL";
  return reported;
}

void expect_present_and_verified(const testing::LogFixture& fixture, const std::set<std::uint64_t>& reported) {
  // Restart: opening for writing must accept the log as the killed writer left it.
  { auto log = AuditLog::open(fixture.config()); }
  auto store = SqliteAuditStore::open(fixture.database, SqliteAuditStore::Access::read_only);
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::set<std::uint64_t> stored;
  ASSERT_TRUE((*store)->read_entries(0, UINT64_MAX, [&](const StoredEntry& entry) {
    stored.insert(entry.entry.seq);
    return true;
  }).ok());
  for (const std::uint64_t seq : reported) ASSERT_TRUE(stored.contains(seq)) << "durable entry " << seq << " lost";
  const auto report = verify_log(**store, load_public_key(fixture.keys / public_key_file), {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact()) << (report->problems.empty() ? "" : report->problems.front().description);
}

TEST(CrashTest, DurableEntriesSurviveSigkillAndTheLogVerifies) {
  testing::LogFixture fixture;
  const auto first = run_and_kill(fixture, 1500);
  ASSERT_GE(first.size(), 1500U);
  expect_present_and_verified(fixture, first);

  // A second run continues the same log after the crash, and is killed too.
  const auto second = run_and_kill(fixture, 500);
  ASSERT_GE(second.size(), 500U);
  EXPECT_GT(*second.begin(), *first.rbegin()) << "sequence numbers continue after the restart";
  std::set<std::uint64_t> all = first;
  all.insert(second.begin(), second.end());
  expect_present_and_verified(fixture, all);
}

}  // namespace
}  // namespace pse::audit
