// The connector WebSocket's messages as the provider writes and reads them.
#include "wire/connector_json.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace pse::wire {
namespace {
namespace json = boost::json;

constexpr std::string_view kRequest = R"({"type": "request", "id": "x-17", "request_id": "rq-2026-11-22-0001",
  "consumer": "retraite-quebec", "category": "identity.birth", "purpose": "pension_eligibility",
  "subject": "QC-1957-0042", "fields": ["surname", "birth_date"], "timeout_ms": 5000})";

TEST(ConnectorJson, HelloDeclaresCategoriesAndMaxInFlight) {
  EXPECT_EQ(json::parse(encode_hello({"identity.birth", "identity.death"}, {}, 64)),
            json::parse(R"({"type": "hello", "serves": ["identity.birth", "identity.death"], "max_in_flight": 64,
                            "batch": true})"));
}

TEST(ConnectorJson, ResponsesCarryTheRecordOrTheError) {
  EXPECT_EQ(json::parse(encode_record_response("x-17", json::object{{"surname", "Tremblay"}})),
            json::parse(R"({"type": "response", "id": "x-17", "record": {"surname": "Tremblay"}})"));
  EXPECT_EQ(json::parse(encode_error_response("x-17", make_error(Reason::record_not_found, "no such citizen"))),
            json::parse(R"({"type": "response", "id": "x-17",
                            "error": {"code": "record_not_found", "message": "no such citizen"}})"));
  // An empty message is replaced by the reason's description: the contract has no empty text.
  const auto described = json::parse(encode_error_response("x", make_error(Reason::provider_error)));
  EXPECT_FALSE(described.at("error").at("message").as_string().empty());
}

TEST(ConnectorJson, RequestIsDecoded) {
  auto message = decode_broker_message(kRequest);
  ASSERT_TRUE(message) << message.error().message;
  const auto& request = std::get<ProviderRequest>(*message);
  EXPECT_EQ(request.id, "x-17");
  EXPECT_EQ(request.request_id, "rq-2026-11-22-0001");
  EXPECT_EQ(request.consumer, "retraite-quebec");
  EXPECT_EQ(request.category, "identity.birth");
  EXPECT_EQ(request.purpose, "pension_eligibility");
  EXPECT_EQ(request.subject, "QC-1957-0042");
  EXPECT_EQ(request.fields, (std::vector<std::string>{"surname", "birth_date"}));
  EXPECT_EQ(request.timeout, std::chrono::milliseconds(5000));
  EXPECT_TRUE(request.seal_for.empty());
}

// A request under end-to-end encryption names the key to seal for; the answer then carries
// only the sealed text.
TEST(ConnectorJson, ARequestToSealIsDecodedAndAnsweredSealed) {
  std::string sealed_request(kRequest);
  sealed_request.insert(sealed_request.rfind('}'), R"(, "seal_for": "7/rT6RP7a+FZTxiT1t5e5BA0Kjg5VQkey1FCEg/jSU0=")");
  auto message = decode_broker_message(sealed_request);
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(std::get<ProviderRequest>(*message).seal_for, "7/rT6RP7a+FZTxiT1t5e5BA0Kjg5VQkey1FCEg/jSU0=");
  EXPECT_EQ(json::parse(encode_sealed_response("x-17", "c2VhbGVk")),
            json::parse(R"({"type": "response", "id": "x-17", "sealed": "c2VhbGVk"})"));
  EXPECT_EQ(encode_record(json::object{{"a", 1}, {"b", "x"}, {"c", true}}, {"a", "c"}), R"({"a":1,"c":true})");
}

// A delivery names what the subscriber's rule obliges it to; one from a broker that does not
// send them has none.
TEST(ConnectorJson, ADeliveryCarriesItsRulesObligations) {
  const std::string delivery = R"({"type": "delivery", "id": "1842", "attempt": 1, "event_id": "evt_1",
    "publisher": "etat-civil", "category": "identity.death", "purpose": "pension_termination",
    "subject": "QC-1931-0007", "record": {"death_date": "2026-11-20"}, "published_at": "2026-11-22T19:30:00Z")";
  auto with = decode_broker_message(delivery + R"(, "obligations": ["no_onward_disclosure"]})");
  ASSERT_TRUE(with) << with.error().message;
  EXPECT_EQ(std::get<Delivery>(*with).obligations, std::vector<std::string>{"no_onward_disclosure"});
  auto without = decode_broker_message(delivery + "}");
  ASSERT_TRUE(without) << without.error().message;
  EXPECT_TRUE(std::get<Delivery>(*without).obligations.empty());
  EXPECT_FALSE(decode_broker_message(delivery + R"(, "obligations": "no_onward_disclosure"})")) << "not a list";
}

// Under end-to-end encryption a delivery carries the sealed text in place of the record.
TEST(ConnectorJson, ASealedDeliveryCarriesItsSealedRecord) {
  const std::string delivery = R"({"type": "delivery", "id": "9", "attempt": 1, "event_id": "evt_1",
    "publisher": "retraite-quebec", "category": "pension.contributions", "purpose": "tax_assessment",
    "subject": "QC-1", "published_at": "2026-11-22T19:30:00Z", )";
  auto sealed = decode_broker_message(delivery + R"("sealed_record": "c2VhbGVk"})");
  ASSERT_TRUE(sealed) << sealed.error().message;
  EXPECT_EQ(std::get<Delivery>(*sealed).sealed_record, "c2VhbGVk");
  EXPECT_TRUE(std::get<Delivery>(*sealed).record.empty());
  EXPECT_FALSE(decode_broker_message(delivery + R"("sealed_record": ""})")) << "empty";
  EXPECT_FALSE(decode_broker_message(delivery + R"("obligations": []})")) << "neither record nor sealed_record";
}

TEST(ConnectorJson, ReadyRefusedAndErrorAreDecoded) {
  auto ready = decode_broker_message(R"({"type": "ready", "connection": "c-9", "serves": ["identity.birth"]})");
  ASSERT_TRUE(ready);
  EXPECT_EQ(std::get<ReadyMessage>(*ready).connection, "c-9");

  auto refused = decode_broker_message(
      R"({"type": "refused", "error": {"code": "not_category_owner", "message": "belongs to etat-civil"}})");
  ASSERT_TRUE(refused);
  EXPECT_EQ(std::get<RefusedMessage>(*refused).error.reason, Reason::not_category_owner);
  EXPECT_EQ(std::get<RefusedMessage>(*refused).error.message, "belongs to etat-civil");

  auto error = decode_broker_message(R"({"type": "error", "error": {"code": "malformed_request"}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(std::get<BrokerErrorMessage>(*error).error.reason, Reason::malformed_request);
}

TEST(ConnectorJson, UnknownRefusalCodeIsKeptInTheMessage) {
  auto refused = decode_broker_message(R"({"type": "refused", "error": {"code": "new_reason", "message": "m"}})");
  ASSERT_TRUE(refused);
  EXPECT_EQ(std::get<RefusedMessage>(*refused).error.reason, Reason::internal_error);
  EXPECT_EQ(std::get<RefusedMessage>(*refused).error.message, "new_reason: m");
}

TEST(ConnectorJson, BrokenMessagesAreRefused) {
  const std::string_view cases[] = {
      "", "null", "[]", R"({"id": "x"})", R"({"type": 3})", R"({"type": "surprise"})",
      R"({"type": "ready", "serves": ["a"]})",
      R"({"type": "ready", "connection": "c", "serves": "a"})",
      R"({"type": "refused"})",
      R"({"type": "refused", "error": {"message": "no code"}})",
      R"({"type": "request", "id": "x", "request_id": "r", "consumer": "c", "category": "k", "purpose": "p",
          "subject": "s", "fields": ["a"]})",
      R"({"type": "request", "id": "x", "request_id": "r", "consumer": "c", "category": "k", "purpose": "p",
          "subject": "s", "fields": ["a"], "timeout_ms": 0})",
      R"({"type": "request", "id": "x", "request_id": "r", "consumer": "c", "category": "k", "purpose": "p",
          "subject": "s", "fields": ["a"], "timeout_ms": "5000"})",
      R"({"type": "request", "id": "", "request_id": "r", "consumer": "c", "category": "k", "purpose": "p",
          "subject": "s", "fields": ["a"], "timeout_ms": 5})",
      R"({"type": "request", "id": "x", "request_id": "r", "consumer": "c", "category": "k", "purpose": "p",
          "subject": "s", "fields": [1], "timeout_ms": 5})",
  };
  for (const auto text : cases) {
    auto message = decode_broker_message(text);
    EXPECT_FALSE(message) << text;
    if (!message) {
      EXPECT_EQ(message.error().reason, Reason::malformed_request) << text;
    }
  }
}

TEST(ConnectorJson, AMalformedRequestStillYieldsItsId) {
  EXPECT_EQ(request_id_of_malformed(R"({"type": "request", "id": "x-3", "subject": 12})"), "x-3");
  EXPECT_EQ(request_id_of_malformed(R"({"type": "ready", "id": "x-3"})"), std::nullopt);
  EXPECT_EQ(request_id_of_malformed(R"({"type": "request", "id": 4})"), std::nullopt);
  EXPECT_EQ(request_id_of_malformed("garbage"), std::nullopt);
}

}  // namespace
}  // namespace pse::wire
