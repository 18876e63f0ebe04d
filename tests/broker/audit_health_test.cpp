// A broker whose data directory fills up (a real tmpfs, ENOSPC): it refuses every exchange
// with 503 audit_unavailable, /readyz says it is not ready, the metrics show it; once space is
// freed it takes exchanges again without a restart, and `pse-audit verify` accepts the log.
#include "broker_fixture.hpp"

#include "support/small_filesystem.hpp"

#include <gmock/gmock.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Refused by policy (RAMQ may not ask for this purpose), so audited without a connector.
const std::string kDeniedExchange =
    R"({"subject": "QC-1957-0042", "provider": "etat-civil", "category": "identity.birth", "purpose": "marketing"})";

class AuditHealth : public BrokerTest {
 protected:
  HttpResult readyz() const { return http_get(broker_->admin_port(), "/readyz"); }
  std::string metrics() const { return http_get(broker_->admin_port(), "/metrics").body; }

  bool becomes_ready() const {
    for (int i = 0; i < 100; ++i) {
      if (readyz().status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

TEST_F(AuditHealth, AFullDataDirectoryMakesTheBrokerUnreadyUntilSpaceIsFreed) {
  SmallFilesystem disk(16);
  if (!disk.mounted()) GTEST_SKIP() << disk.why_not();
  start_broker([&](broker::BrokerConfig& config) { config.store.data_dir = disk.path() / "data"; });

  HttpResult healthy = post(ramq_, "/v1/exchange", kDeniedExchange);
  ASSERT_EQ(healthy.status, 403) << healthy.body;
  EXPECT_EQ(readyz().status, 200);
  EXPECT_THAT(metrics(), HasSubstr("\npse_audit_available 1\n"));

  ASSERT_GT(disk.fill(), 0U);
  for (int i = 0; i < 3; ++i) {
    HttpResult refused = post(ramq_, "/v1/exchange", kDeniedExchange);
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_THAT(refused.body, HasSubstr(R"("code":"audit_unavailable")"));
  }
  const HttpResult unready = readyz();
  EXPECT_EQ(unready.status, 503);
  EXPECT_THAT(unready.body, HasSubstr("audit_unavailable"));
  const std::string down = metrics();
  EXPECT_THAT(down, HasSubstr("\npse_audit_available 0\n"));
  EXPECT_THAT(down, Not(HasSubstr("\npse_audit_commit_failures_total 0\n")));

  disk.free();
  ASSERT_TRUE(becomes_ready()) << "still not ready 10 s after space was freed";
  HttpResult again = post(ramq_, "/v1/exchange", kDeniedExchange);
  EXPECT_EQ(again.status, 403) << again.body;
  EXPECT_THAT(metrics(), HasSubstr("\npse_audit_available 1\n"));

  TearDown();  // the broker stops; its log must verify as it is on disk
  const std::string verify = std::string(PSE_AUDIT_BINARY) + " verify --db " +
                             (disk.path() / "data" / "audit.db").string() + " --key-dir " +
                             (dir_->path() / "keys").string() + " > /dev/null 2>&1";
  EXPECT_EQ(std::system(verify.c_str()), 0) << "pse-audit verify failed";
}

}  // namespace
}  // namespace pse::testing
