// The connector's messages read without a session: types, hellos, responses, ack and nack ids.
#include "broker/connector/connector_message.hpp"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>

namespace pse::broker {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

json::object object_of(std::string_view text) { return json::parse(text).as_object(); }

TEST(ConnectorMessage, TheTypeIsOneOfFourOrUnknown) {
  EXPECT_EQ(connector_message_type(object_of(R"({"type": "hello"})")), ConnectorMessageType::hello);
  EXPECT_EQ(connector_message_type(object_of(R"({"type": "response"})")), ConnectorMessageType::response);
  EXPECT_EQ(connector_message_type(object_of(R"({"type": "ack"})")), ConnectorMessageType::ack);
  EXPECT_EQ(connector_message_type(object_of(R"({"type": "nack"})")), ConnectorMessageType::nack);
  EXPECT_EQ(connector_message_type(object_of(R"({"type": "ready"})")), ConnectorMessageType::unknown);
  EXPECT_EQ(connector_message_type(object_of(R"({"type": 1})")), ConnectorMessageType::unknown);
  EXPECT_EQ(connector_message_type(object_of(R"({})")), ConnectorMessageType::unknown);
}

TEST(ConnectorMessage, AHelloServesSubscribesAndBoundsItsRequestsInFlight) {
  auto hello = read_hello(object_of(
      R"({"type": "hello", "serves": ["identity.birth"], "max_in_flight": 8,
          "subscribes": [{"category": "identity.death", "purpose": "pension_termination"}]})"));
  ASSERT_TRUE(hello) << hello.error().message;
  EXPECT_EQ(hello->serves, std::vector<std::string>{"identity.birth"});
  ASSERT_EQ(hello->subscribes.size(), 1U);
  EXPECT_EQ(hello->subscribes[0].category, "identity.death");
  EXPECT_EQ(hello->subscribes[0].purpose, "pension_termination");
  EXPECT_EQ(hello->max_in_flight, 8U);
  EXPECT_FALSE(hello->batch);
  auto batching = read_hello(object_of(R"({"type": "hello", "serves": ["identity.birth"], "batch": true})"));
  ASSERT_TRUE(batching) << batching.error().message;
  EXPECT_TRUE(batching->batch);

  auto plain = read_hello(object_of(R"({"type": "hello", "serves": ["identity.birth"]})"));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->max_in_flight);
}

TEST(ConnectorMessage, AMalformedHelloSaysWhatIsWrong) {
  const auto problem = [](std::string_view text) {
    auto hello = read_hello(object_of(text));
    EXPECT_FALSE(hello) << text;
    if (hello) return std::string();
    EXPECT_EQ(hello.error().reason, Reason::malformed_request);
    return hello.error().message;
  };
  EXPECT_THAT(problem(R"({"type": "hello", "serves": ["a"], "extra": 1})"), HasSubstr("unknown field 'extra'"));
  EXPECT_THAT(problem(R"({"type": "hello", "serves": "a"})"), HasSubstr("serves must be a list"));
  EXPECT_THAT(problem(R"({"type": "hello", "serves": ["a"], "max_in_flight": 0})"), HasSubstr("between 1 and 1024"));
  EXPECT_THAT(problem(R"({"type": "hello", "serves": ["a"], "max_in_flight": 1025})"), HasSubstr("between 1 and 1024"));
  EXPECT_THAT(problem(R"({"type": "hello", "serves": ["a"], "max_in_flight": 2.5})"), HasSubstr("between 1 and 1024"));
  EXPECT_THAT(problem(R"({"type": "hello", "serves": ["a"], "batch": "yes"})"), HasSubstr("batch must be true or false"));
  EXPECT_THAT(problem(R"({"type": "hello", "subscribes": {}})"), HasSubstr("subscribes must be a list"));
  EXPECT_THAT(problem(R"({"type": "hello", "subscribes": ["x"]})"), HasSubstr("subscribes must be a list"));
  EXPECT_THAT(problem(R"({"type": "hello", "subscribes": [{"category": "c"}]})"), HasSubstr("subscribes.purpose is required"));
  EXPECT_THAT(problem(R"({"type": "hello", "subscribes": [{"category": "c", "purpose": ""}]})"), HasSubstr("1-128"));
  EXPECT_THAT(problem(R"({"type": "hello", "subscribes": []})"), HasSubstr("serve or subscribe"));
  EXPECT_THAT(problem(R"({"type": "hello"})"), HasSubstr("serve or subscribe"));

  json::array many;
  for (int i = 0; i < 257; ++i) many.push_back(json::object{{"category", "c"}, {"purpose", "p"}});
  json::object too_many{{"type", "hello"}, {"subscribes", many}};
  auto refused = read_hello(too_many);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("at most 256"));
}

TEST(ConnectorMessage, AResponseCarriesARecordASealedRecordOrAnError) {
  auto record = object_of(R"({"type": "response", "id": "x-1", "record": {"surname": "Tremblay"}})");
  EXPECT_EQ(response_id(record), "x-1");
  auto answered = response_outcome(record);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->record.at("surname"), "Tremblay");
  EXPECT_TRUE(answered->sealed.empty());

  auto sealed = object_of(R"({"type": "response", "id": "x-5", "sealed": "c2VhbGVk"})");
  auto opaque = response_outcome(sealed);
  ASSERT_TRUE(opaque);
  EXPECT_EQ(opaque->sealed, "c2VhbGVk");
  EXPECT_TRUE(opaque->record.empty());
  for (const char* bad : {R"({"id": "x", "sealed": ""})", R"({"id": "x", "sealed": 5})",
                          R"({"id": "x", "sealed": "c2VhbGVk", "record": {}})",
                          R"({"id": "x", "sealed": "c2VhbGVk", "error": {"code": "record_not_found"}})"}) {
    json::object message = object_of(bad);
    EXPECT_EQ(response_outcome(message).error().reason, Reason::provider_error) << bad;
  }

  auto not_found = object_of(R"({"type": "response", "id": "x-2", "error": {"code": "record_not_found"}})");
  EXPECT_EQ(response_outcome(not_found).error().reason, Reason::record_not_found);
  auto other = object_of(R"({"type": "response", "id": "x-3", "error": {"code": "anything", "message": "secret"}})");
  EXPECT_EQ(response_outcome(other).error().reason, Reason::provider_error);
  auto both = object_of(R"({"type": "response", "id": "x-4", "record": {}, "error": {}})");
  EXPECT_EQ(response_outcome(both).error().reason, Reason::provider_error);
  auto neither = object_of(R"({"type": "response", "id": 5})");
  EXPECT_EQ(response_outcome(neither).error().reason, Reason::provider_error);
  EXPECT_FALSE(response_id(neither));
}

TEST(ConnectorMessage, ADeliveryIdIsUpToTwentyDigitsWithin64Bits) {
  EXPECT_EQ(delivery_id(object_of(R"({"type": "ack", "id": "17"})")), 17U);
  EXPECT_EQ(delivery_id(object_of(R"({"type": "ack", "id": "18446744073709551615"})")), 18446744073709551615ULL);
  for (const char* bad : {R"({"id": "18446744073709551616"})", R"({"id": "99999999999999999999"})",
                          R"({"id": "000000000000000000001"})", R"({"id": ""})", R"({"id": "-1"})",
                          R"({"id": "1 "})", R"({"id": 17})", R"({})"}) {
    EXPECT_FALSE(delivery_id(object_of(bad))) << bad;
  }
}

TEST(ConnectorMessage, ANackKeepsOnlyAKnownReasonCode) {
  EXPECT_EQ(nack_reason(object_of(R"({"type": "nack", "id": "1", "error": {"code": "provider_error"}})")), "provider_error");
  EXPECT_EQ(nack_reason(object_of(R"({"type": "nack", "id": "1", "error": {"code": "Jeanne Tremblay"}})")), "nack");
  EXPECT_EQ(nack_reason(object_of(R"({"type": "nack", "id": "1"})")), "nack");
}

}  // namespace
}  // namespace pse::broker
