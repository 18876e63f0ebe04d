// The CRL watcher through a real broker: a CRL replaced on disk applies without SIGHUP, a bad
// one keeps the old, the time to nextUpdate is a metric and a short-lived CRL is warned about.
// Each test starts from a CRL of its own making; only Revenu Québec's certificate is revoked.
#include "broker_fixture.hpp"

#include <gmock/gmock.h>

#include <chrono>
#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class CrlWatch : public BrokerTest {
 protected:
  void start(int crl_days = 7) {
    pki_->publish_crl(crl_days);
    start_broker([](broker::BrokerConfig& config) { config.tls.crl_poll_interval = 100ms; });
  }
  HttpResult whoami(const ClientIdentity& who = ramq_) const { return get(who, "/v1/whoami"); }
  // The value of an unlabelled metric line.
  double metric(const std::string& name) const {
    const std::string text = http_get(broker_->admin_port(), "/metrics").body;
    const auto at = text.find("\n" + name + " ");
    EXPECT_NE(at, std::string::npos) << name;
    return at == std::string::npos ? 0 : std::stod(text.substr(at + name.size() + 2));
  }
  static std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  TempDir scratch_;
};

TEST_F(CrlWatch, ReplacedCrlTakesEffectWithoutSighup) {
  const ClientIdentity revenu_quebec = pki_->issue_org("revenu-quebec");
  start();
  ASSERT_EQ(whoami(revenu_quebec).status, 200);
  pki_->revoke(revenu_quebec);  // pse-pki revoke, which publishes the new CRL (renamed into place)
  pki_->publish_crl(7);         // and pse-pki crl, as an operator would

  // Within a few poll periods (100 ms), a new handshake with the revoked certificate fails.
  HttpResult after;
  const auto revoked_at = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    after = whoami(revenu_quebec);
    if (!after.answered) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_FALSE(after.answered) << "the revoked certificate is still served";
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, 5s);
  const std::string revoked = R"(pse_handshake_failures_total{reason="certificate_revoked"} 1)";
  const std::string counted = metrics_showing(revoked);
  EXPECT_THAT(counted, HasSubstr(revoked));
  EXPECT_THAT(counted, ::testing::Not(HasSubstr(R"(pse_crl_reloads_total{result="applied"} 0)")));
  EXPECT_EQ(whoami().status, 200);  // everyone else is still served
}

TEST_F(CrlWatch, BadNewCrlKeepsTheOldOneAndIsLoggedOnce) {
  start();
  ::testing::internal::CaptureStderr();
  // Written beside, then renamed over, as a careful tool would: the broker sees one new file.
  scratch_.write("garbage.pem", "-----BEGIN X509 CRL-----\nnot a CRL\n-----END X509 CRL-----\n");
  std::filesystem::rename(scratch_ / "garbage.pem", pki_->crl());
  std::this_thread::sleep_for(1s);  // ten poll periods
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(count(log, "CRL file changed"), 1u) << log;  // one attempt, one error: not one per poll
  EXPECT_EQ(count(log, R"("level":"error")"), 1u) << log;
  EXPECT_EQ(whoami().status, 200);  // the previous CRL is still in force
  const std::string failed = R"(pse_crl_reloads_total{result="failed"} 1)";
  EXPECT_THAT(metrics_showing(failed), HasSubstr(failed));

  pki_->publish_crl(7);  // fixed: taken at once
  const std::string applied = R"(pse_crl_reloads_total{result="applied"} 1)";
  EXPECT_THAT(metrics_showing(applied), HasSubstr(applied));
  EXPECT_EQ(whoami().status, 200);
}

TEST_F(CrlWatch, TimeToNextUpdateIsAMetric) {
  start();
  const double seconds = metric("pse_crl_next_update_seconds");
  // pse-pki's CRL runs 7 days from its making, a few seconds ago.
  EXPECT_LE(seconds, 7 * 86400);
  EXPECT_GT(seconds, 7 * 86400 - 600);
}

TEST_F(CrlWatch, CrlCloseToItsNextUpdateIsWarnedAboutOnce) {
  ::testing::internal::CaptureStderr();
  start(1);  // nextUpdate in 24 h: within the 48 h warning
  std::this_thread::sleep_for(1s);  // ten poll periods: still one warning (at most one an hour)
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(count(log, "CRL expires soon"), 1u) << log;
  EXPECT_THAT(log, HasSubstr(R"("hours_left":23)"));
  const double seconds = metric("pse_crl_next_update_seconds");
  EXPECT_LE(seconds, 86400);
  EXPECT_GT(seconds, 86400 - 600);
  EXPECT_EQ(whoami().status, 200);  // not expired yet: still served
}

TEST_F(CrlWatch, FreshCrlIsNotWarnedAbout) {
  ::testing::internal::CaptureStderr();
  start();
  std::this_thread::sleep_for(300ms);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(count(log, "CRL expire"), 0u) << log;
}

}  // namespace
}  // namespace pse::testing
