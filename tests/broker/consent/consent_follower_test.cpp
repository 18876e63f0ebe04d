// Two brokers' registries on one PostgreSQL, each with its follower: what one records, the other
// applies before the write is answered (a grant as much as a revocation); a broker cut off from
// the changes fails closed.
#include "broker/consent/consent_follower.hpp"

#include "consent_fixture.hpp"

#include <gmock/gmock.h>

namespace pse::consent {
namespace {

using namespace std::chrono_literals;

PgConnection connect(const PgConnectOptions& options) {
  auto connection = PgConnection::connect(options);
  if (!connection) throw std::runtime_error(connection.error().message);
  return std::move(connection).value();
}

// One broker: its registry on the shared schema, and its follower.
struct Broker {
  Broker(const PgConnectOptions& schema, const std::string& id, const audit::SubjectHashKey& subject_key,
         const audit::SigningKey& signing_key) {
    auto store = std::make_unique<PgConsentStore>(schema);  // migrates before the mark is read
    PgConnection connection = connect(schema);
    const std::int64_t mark = ConsentFollower::last_change(connection).value();
    Vocabulary vocabulary{[](std::string_view) { return true; }, [](std::string_view) { return true; }};
    registry = std::make_unique<ConsentRegistry>(std::move(store), subject_key, signing_key, vocabulary);
    follower = std::make_unique<ConsentFollower>(schema, *registry, mark,
                                                 FollowerOptions{id, 20ms, 1'000ms, 300ms, 10'000ms});
    registry->set_propagation(follower.get());
  }
  std::unique_ptr<ConsentRegistry> registry;
  std::unique_ptr<ConsentFollower> follower;
};

class ConsentAcrossBrokers : public ::testing::Test {
 protected:
  ConsentAcrossBrokers()
      : schema_(testing::fresh_pg_schema()),
        subject_key_(audit::SubjectHashKey::generate()),
        signing_key_(audit::SigningKey::generate()),
        a_(schema_, "broker-a", subject_key_, signing_key_),
        b_(schema_, "broker-b", subject_key_, signing_key_) {}

  static GrantRequest grant_for(const std::string& subject) {
    GrantRequest request = ConsentRegistryFixture::birth_for_pension(subject);
    request.expires_at = Instant(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())) +
                         std::chrono::days(30);
    return request;
  }
  static Instant now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }
  ConsentCheck check_on(Broker& broker, const std::string& subject) {
    return broker.registry->check(subject, "retraite-quebec", "etat-civil", "identity.birth", "pension.eligibility",
                                  now());
  }
  // Until `broker` allows the subject's exchange (a grant elsewhere reaches it within a round).
  bool eventually_allowed(Broker& broker, const std::string& subject) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (check_on(broker, subject).allowed()) return true;
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }

  PgConnectOptions schema_;
  audit::SubjectHashKey subject_key_;
  audit::SigningKey signing_key_;
  Broker a_;
  Broker b_;
};

TEST_F(ConsentAcrossBrokers, AGrantOnOneBrokerIsInForceOnTheOtherWhenItIsAnswered) {
  EXPECT_EQ(check_on(b_, "QC-1").denial, Reason::consent_missing);
  ASSERT_TRUE(a_.registry->grant(grant_for("QC-1"), "services-quebec", now()));
  EXPECT_TRUE(check_on(b_, "QC-1").allowed());
  // And the other way, with a mandate too.
  MandateRequest mandate{"QC-2", "QC-3", {"identity.birth"}, {"pension.eligibility"}, std::nullopt, now() + 24h};
  auto granted = b_.registry->grant_mandate(mandate, "services-quebec", now());
  ASSERT_TRUE(granted) << granted.error().message;
  EXPECT_GE(a_.follower->applied(), b_.follower->applied());
}

TEST_F(ConsentAcrossBrokers, NoRevocationOnOneBrokerIsServedByTheOtherAfterItsAnswer) {
  constexpr int kPairs = 1000;
  std::vector<std::string> ids;
  for (int i = 0; i < kPairs; ++i) {
    auto granted = a_.registry->grant(grant_for("QC-" + std::to_string(i)), "services-quebec", now());
    ASSERT_TRUE(granted) << granted.error().message;
    ids.push_back(granted->consent.id);
  }
  ASSERT_TRUE(eventually_allowed(b_, "QC-" + std::to_string(kPairs - 1)));
  int served_after_revocation = 0;
  for (int i = 0; i < kPairs; ++i) {
    const std::string subject = "QC-" + std::to_string(i);
    ASSERT_TRUE(check_on(b_, subject).allowed()) << subject;
    auto revoked = a_.registry->revoke(ids[static_cast<std::size_t>(i)], subject, "web-form", "services-quebec", now());
    ASSERT_TRUE(revoked) << revoked.error().message;
    // At once, on the other broker.
    const ConsentCheck after = check_on(b_, subject);
    if (after.allowed()) ++served_after_revocation;
    EXPECT_EQ(after.denial, Reason::consent_revoked) << subject;
  }
  EXPECT_EQ(served_after_revocation, 0);
}

TEST_F(ConsentAcrossBrokers, ABrokerCutOffFromTheChangesFailsClosedAndCatchesUp) {
  ASSERT_TRUE(a_.registry->grant(grant_for("QC-9"), "services-quebec", now()));
  ASSERT_TRUE(eventually_allowed(b_, "QC-9"));
  auto id = a_.registry->consents_of("QC-9")->front().id;
  // Broker B's heartbeat blocks on a row lock: its rounds stall as if the database were gone.
  PgConnection locker = connect(schema_);
  ASSERT_TRUE(locker.execute_script("BEGIN; SELECT * FROM brokers WHERE broker_id = 'broker-b' FOR UPDATE").ok());
  std::this_thread::sleep_for(1'200ms);  // past its lease
  EXPECT_FALSE(b_.follower->current());
  EXPECT_EQ(check_on(b_, "QC-9").denial, Reason::store_unavailable);  // fails closed
  // A's revocation is not held up for long by a broker that refuses on its own.
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(a_.registry->revoke(id, "QC-9", "web-form", "services-quebec", now()));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  ASSERT_TRUE(locker.execute_script("ROLLBACK").ok());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!b_.follower->current() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(b_.follower->current());
  EXPECT_EQ(check_on(b_, "QC-9").denial, Reason::consent_revoked);
}

}  // namespace
}  // namespace pse::consent
