// Availability (D) under overload, through a real broker: a flood of exchanges in a category
// rated low for availability cannot take the capacity that a category rated higher needs.
// identity.birth is rated 1 (faible) and identity.death 2 (moyen) in config/classification.yaml;
// RAMQ may receive both from État civil by law.
#include "broker/admission/availability.hpp"

#include "broker_fixture.hpp"
#include "support/test_connector.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;
using namespace std::chrono_literals;

TEST(AvailabilityShares, HigherRatingsMayFillMoreOfACapacity) {
  EXPECT_EQ(broker::slots_for(10, 0), 5u);
  EXPECT_EQ(broker::slots_for(10, 1), 6u);
  EXPECT_EQ(broker::slots_for(10, 2), 8u);
  EXPECT_EQ(broker::slots_for(10, 3), 10u);
  EXPECT_EQ(broker::slots_for(256, 1), 166u);
  EXPECT_EQ(broker::slots_for(1, 0), 1u);  // never nothing at all
  EXPECT_EQ(broker::slots_for(0, 3), 0u);
  EXPECT_EQ(broker::slots_for(10, 7), 10u);  // out of range: the nearest rating
}

TEST(AvailabilityShares, TheProviderTimeoutFollowsTheRatingUnlessTheCategorySetsOne) {
  policy::Category category;
  const auto configured = std::chrono::milliseconds(5000);
  EXPECT_EQ(broker::provider_timeout_for(nullptr, configured), configured);
  category.impact.availability = 1;
  EXPECT_EQ(broker::provider_timeout_for(&category, configured), configured);
  category.impact.availability = 2;
  EXPECT_EQ(broker::provider_timeout_for(&category, configured), 3000ms);
  category.impact.availability = 3;
  EXPECT_EQ(broker::provider_timeout_for(&category, configured), 2000ms);
  category.provider_timeout_ms = 750;
  EXPECT_EQ(broker::provider_timeout_for(&category, configured), 750ms);
}

std::string request(const std::string& category, const std::string& purpose, const std::string& subject) {
  return R"({"subject": ")" + subject + R"(", "provider": "etat-civil", "category": ")" + category +
         R"(", "purpose": ")" + purpose + "\"}";
}
std::string birth(const std::string& subject) { return request("identity.birth", "health_insurance_registration", subject); }
std::string death(const std::string& subject) { return request("identity.death", "health_insurance_termination", subject); }

class Availability : public BrokerTest {
 protected:
  // État civil's connector, with `slots` requests in flight at most: it answers death records at
  // once and never answers a birth record (each then waits for its provider timeout).
  void connect_stalling_births(std::size_t slots) {
    connector_ = std::make_unique<TestConnector>(broker_->port(), pki_->ca(), etat_civil_);
    auto ready = connector_->connect_with(json::object{
        {"type", "hello"}, {"serves", json::array{"identity.birth", "identity.death"}}, {"max_in_flight", slots}});
    ASSERT_TRUE(ready && ready->at("type") == "ready") << connector_->error();
    connector_->serve([this](const json::object& asked) -> std::string {
      if (asked.at("category") == "identity.birth") {
        ++births_held_;
        return "";
      }
      return record_response(asked, json::object{{"surname", "Tremblay"}, {"death_date", "2026-11-30"}});
    });
  }

  // `count` birth exchanges at once, from as many connections.
  std::vector<std::future<HttpResult>> flood_births(int count) {
    std::vector<std::future<HttpResult>> flood;
    for (int i = 0; i < count; ++i) {
      flood.push_back(std::async(std::launch::async, [this, i] { return post(ramq_, "/v1/exchange", birth("QC-F-" + std::to_string(i))); }));
    }
    return flood;
  }

  // Waits until each exchange of the flood is either held by the provider or answered (before
  // the held ones time out), checks every one answered was refused `overloaded` with `message`,
  // and returns how many were.
  int refused_of(std::vector<std::future<HttpResult>>& flood, const std::string& message) {
    const auto deadline = std::chrono::steady_clock::now() + 1500ms;
    std::size_t answered = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      answered = 0;
      for (auto& each : flood) answered += each.wait_for(0ms) == std::future_status::ready ? 1 : 0;
      if (answered + static_cast<std::size_t>(births_held_.load()) == flood.size()) break;
      std::this_thread::sleep_for(10ms);
    }
    int refused = 0;
    for (auto& each : flood) {
      if (each.wait_for(0ms) != std::future_status::ready) continue;  // held by the provider
      const HttpResult result = each.get();
      EXPECT_EQ(result.status, 503) << result.body;
      EXPECT_THAT(result.body, HasSubstr(message));
      ++refused;
    }
    return refused;
  }

  std::unique_ptr<TestConnector> connector_;
  std::atomic<int> births_held_{0};
};

// Against the connector's slots: D1 may fill 6 of 10, D2 8 of 10.
TEST_F(Availability, AFloodOfLowRatedExchangesLeavesTheConnectorRoomForHigherRatedOnes) {
  start_broker([](broker::BrokerConfig& config) { config.limits.provider_timeout = 2000ms; });
  connect_stalling_births(10);
  auto flood = flood_births(10);
  EXPECT_EQ(refused_of(flood, "the provider's connector has too many requests in flight"), 4);
  EXPECT_EQ(births_held_.load(), 6);

  // The connector holds 6 requests: a seventh birth is refused, a death record is answered.
  const HttpResult another_birth = post(ramq_, "/v1/exchange", birth("QC-F-X"));
  EXPECT_EQ(another_birth.status, 503) << another_birth.body;
  const auto asked = std::chrono::steady_clock::now();
  const HttpResult death_record = post(ramq_, "/v1/exchange", death("QC-D-1"));
  EXPECT_EQ(death_record.status, 200) << death_record.body;
  EXPECT_THAT(death_record.body, HasSubstr("2026-11-30"));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 1200ms);  // within its own timeout (60 % of 2 s)

  for (auto& each : flood) {
    if (each.valid()) EXPECT_EQ(each.get().status, 504);  // the held ones, at their provider timeout
  }
  // Every refusal is audited with its reason.
  int overloaded = 0;
  for (const auto& entry : audit_entries()) overloaded += entry.reason == "overloaded" ? 1 : 0;
  EXPECT_EQ(overloaded, 5);
}

// Against the consumer's own exchanges in flight: D1 may fill 2 of 4, D2 3 of 4.
TEST_F(Availability, AConsumersOwnFloodOfLowRatedExchangesLeavesRoomForItsHigherRatedOnes) {
  start_broker([](broker::BrokerConfig& config) {
    config.limits.provider_timeout = 2000ms;
    config.limits.max_in_flight_per_org = 4;
  });
  connect_stalling_births(64);
  auto flood = flood_births(4);
  EXPECT_EQ(refused_of(flood, "too many exchanges in flight for this consumer"), 2);
  EXPECT_EQ(births_held_.load(), 2);
  const HttpResult death_record = post(ramq_, "/v1/exchange", death("QC-D-2"));
  EXPECT_EQ(death_record.status, 200) << death_record.body;
  for (auto& each : flood) {
    if (each.valid()) EXPECT_EQ(each.get().status, 504);
  }
}

// A provider that stalls on a D2 category is given up on after 60 % of the configured timeout.
TEST_F(Availability, AHigherRatedCategoryWaitsLessForAStalledProvider) {
  start_broker([](broker::BrokerConfig& config) { config.limits.provider_timeout = 1000ms; });
  TestConnector silent(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_EQ(silent.connect({"identity.birth", "identity.death"})->at("type"), "ready");
  auto started = std::chrono::steady_clock::now();
  const HttpResult death_record = post(ramq_, "/v1/exchange", death("QC-D-3"));
  const auto death_waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(death_record.status, 504) << death_record.body;
  started = std::chrono::steady_clock::now();
  const HttpResult birth_record = post(ramq_, "/v1/exchange", birth("QC-B-3"));
  const auto birth_waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(birth_record.status, 504) << birth_record.body;
  EXPECT_GE(death_waited, 550ms);
  EXPECT_LT(death_waited, 950ms);
  EXPECT_GE(birth_waited, 950ms);
}

}  // namespace
}  // namespace pse::testing
