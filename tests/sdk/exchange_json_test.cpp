// The JSON of POST /v1/exchange as the SDK writes and reads it.
#include "wire/exchange_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace pse::wire {
namespace {
namespace json = boost::json;

constexpr std::string_view kSuccess = R"({
  "request_id": "rq-2026-11-22-0001",
  "record": {"surname": "Tremblay", "birth_date": "1957-03-14", "children": 2, "alive": true, "note": null},
  "refused_fields": [{"name": "birth_place", "reason": "field_not_permitted"}],
  "rule_id": "retraite-quebec-birth-pension",
  "basis": {"type": "consent", "reference": "cns_7373566bd14c7f5ec70cf0e997d817e4"},
  "obligations": ["notify_subject"],
  "audit_seq": 42
})";

TEST(ExchangeJson, RequestCarriesEveryFieldAndTheRequestId) {
  ExchangeRequest request{"QC-1957-0042", "etat-civil", "identity.birth", "pension_eligibility",
                          {"surname", "birth_date"}, std::nullopt};
  const auto body = json::parse(encode_exchange_request(request, "rq-1")).as_object();
  EXPECT_EQ(body, json::parse(R"({"request_id": "rq-1", "subject": "QC-1957-0042", "provider": "etat-civil",
      "category": "identity.birth", "purpose": "pension_eligibility", "fields": ["surname", "birth_date"]})"));
}

TEST(ExchangeJson, EmptyFieldsAreLeftOut) {
  ExchangeRequest request{"s", "p", "c", "u", {}, std::nullopt};
  const auto body = json::parse(encode_exchange_request(request, "rq-1")).as_object();
  EXPECT_FALSE(body.contains("fields"));
}

TEST(ExchangeJson, SubjectIsEscaped) {
  ExchangeRequest request{"a\"b\\c", "p", "c", "u", {}, std::nullopt};
  EXPECT_EQ(json::parse(encode_exchange_request(request, "r")).at("subject").as_string(), "a\"b\\c");
}

TEST(ExchangeJson, SuccessBodyIsDecoded) {
  auto response = decode_exchange_response(kSuccess);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->request_id, "rq-2026-11-22-0001");
  EXPECT_EQ(response->record.at("surname").as_string(), "Tremblay");
  EXPECT_EQ(response->record.size(), 5u);
  ASSERT_EQ(response->refused_fields.size(), 1u);
  EXPECT_EQ(response->refused_fields[0].name, "birth_place");
  EXPECT_EQ(response->refused_fields[0].reason, Reason::field_not_permitted);
  EXPECT_EQ(response->rule_id, "retraite-quebec-birth-pension");
  EXPECT_EQ(response->basis.type, "consent");
  EXPECT_EQ(response->basis.reference, "cns_7373566bd14c7f5ec70cf0e997d817e4");
  EXPECT_EQ(response->obligations, std::vector<std::string>{"notify_subject"});
  EXPECT_EQ(response->audit_seq, 42u);
}

TEST(ExchangeJson, EncodedResponseDecodesToTheSame) {
  auto response = decode_exchange_response(kSuccess);
  ASSERT_TRUE(response);
  EXPECT_EQ(json::parse(encode_exchange_response(*response)), json::parse(kSuccess));
}

TEST(ExchangeJson, OptionalListsMayBeAbsent) {
  auto response = decode_exchange_response(R"({"request_id": "r", "record": {}, "rule_id": "x",
      "basis": {"type": "law", "reference": "RLRQ c A-2.1 a 68"}, "audit_seq": 0})");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_TRUE(response->refused_fields.empty());
  EXPECT_TRUE(response->obligations.empty());
}

// Under end-to-end encryption the record comes sealed, in place of "record".
TEST(ExchangeJson, ASealedRecordIsKeptForTheClientToOpen) {
  auto response = decode_exchange_response(R"({"request_id": "r", "sealed_record": "c2VhbGVk", "rule_id": "x",
      "basis": {"type": "law", "reference": "L"}, "obligations": ["end_to_end_encryption"], "audit_seq": 3})");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->sealed_record, "c2VhbGVk");
  EXPECT_TRUE(response->record.empty());
  EXPECT_FALSE(decode_exchange_response(R"({"request_id": "r", "sealed_record": "", "rule_id": "x",
      "basis": {"type": "law", "reference": "L"}, "audit_seq": 3})"));
  EXPECT_FALSE(decode_exchange_response(R"({"request_id": "r", "rule_id": "x",
      "basis": {"type": "law", "reference": "L"}, "audit_seq": 3})"));  // neither
}

TEST(ExchangeJson, UnknownRefusalReasonKeepsItsCode) {
  auto response = decode_exchange_response(R"({"request_id": "r", "record": {}, "rule_id": "x",
      "basis": {"type": "law", "reference": "l"}, "audit_seq": 1,
      "refused_fields": [{"name": "f", "reason": "reason_from_the_future"}]})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->refused_fields[0].reason, Reason::field_not_permitted);
  EXPECT_EQ(response->refused_fields[0].code, "reason_from_the_future");
}

// Every way a success body can break the contract is a malformed_request naming the problem.
TEST(ExchangeJson, BrokenSuccessBodiesAreRefused) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"not json", "not valid JSON"},
      {"[1, 2]", "not a JSON object"},
      {R"({"record": {}, "rule_id": "x", "basis": {"type": "t", "reference": "r"}, "audit_seq": 1})", "request_id"},
      {R"({"request_id": 7, "record": {}, "rule_id": "x", "basis": {"type": "t", "reference": "r"}, "audit_seq": 1})",
       "request_id"},
      {R"({"request_id": "r", "record": [], "rule_id": "x", "basis": {"type": "t", "reference": "r"}, "audit_seq": 1})",
       "record"},
      {R"({"request_id": "r", "record": {"a": {"nested": 1}}, "rule_id": "x", "basis": {"type": "t", "reference": "r"},
           "audit_seq": 1})", "the value of 'a' is not a string"},
      {R"({"request_id": "r", "record": {"a": [{"b": [1]}]}, "rule_id": "x", "basis": {"type": "t", "reference": "r"},
           "audit_seq": 1})", "the value of 'a.b' is not a string"},
      // Parses as infinity, which JSON cannot write back.
      {R"({"request_id": "r", "record": {"a": 1e999}, "rule_id": "x", "basis": {"type": "t", "reference": "r"},
           "audit_seq": 1})", "the value of 'a' is not a string"},
      {R"({"request_id": "r", "record": {}, "rule_id": "x", "basis": {"type": "t"}, "audit_seq": 1})", "reference"},
      {R"({"request_id": "r", "record": {}, "rule_id": "x", "basis": {"type": "t", "reference": "r"}, "audit_seq": -1})",
       "audit_seq"},
      {R"({"request_id": "r", "record": {}, "rule_id": "x", "basis": {"type": "t", "reference": "r"}, "audit_seq": 1,
           "obligations": [1]})", "obligations"},
      {R"({"request_id": "r", "record": {}, "rule_id": "x", "basis": {"type": "t", "reference": "r"}, "audit_seq": 1,
           "refused_fields": [{"name": "f"}]})", "reason"},
  };
  for (const auto& [body, mention] : cases) {
    auto response = decode_exchange_response(body);
    ASSERT_FALSE(response) << body;
    EXPECT_EQ(response.error().reason, Reason::malformed_request) << body;
    EXPECT_NE(response.error().message.find(mention), std::string::npos) << response.error().message;
  }
}

TEST(ExchangeJson, ErrorBodyMapsToItsReason) {
  const auto error = decode_error_body(
      403, R"({"error": {"code": "consent_revoked", "message": "revoked on 2026-11-20", "request_id": "rq-1"}})");
  EXPECT_EQ(error.reason, Reason::consent_revoked);
  EXPECT_EQ(error.message, "revoked on 2026-11-20");
}

TEST(ExchangeJson, EveryCodeOfTheContractMaps) {
  for (const char* code : {"malformed_request", "unknown_category", "unknown_field", "no_rule", "purpose_not_allowed",
                           "clearance_insufficient", "field_not_permitted", "rule_expired", "consent_missing",
                           "consent_revoked", "consent_expired", "purpose_not_consented", "mandate_invalid",
                           "record_not_found", "rate_limited", "overloaded", "provider_unavailable",
                           "provider_timeout", "provider_error"}) {
    const auto reason = reason_from_string(code);
    ASSERT_TRUE(reason) << code;
    const std::string body = std::string(R"({"error": {"code": ")") + code + R"(", "message": "m"}})";
    EXPECT_EQ(decode_error_body(http_status(*reason), body).reason, *reason) << code;
  }
}

TEST(ExchangeJson, UnknownCodeFallsBackOnTheStatusAndKeepsTheCode) {
  const auto error = decode_error_body(429, R"({"error": {"code": "slow_down_please", "message": "later"}})");
  EXPECT_EQ(error.reason, Reason::rate_limited);
  EXPECT_EQ(error.message, "slow_down_please: later");
}

TEST(ExchangeJson, NonJsonErrorFallsBackOnTheStatus) {
  auto error = decode_error_body(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(error.reason, Reason::provider_error);
  EXPECT_NE(error.message.find("HTTP 502"), std::string::npos);
  EXPECT_EQ(decode_error_body(503, "").reason, Reason::overloaded);
  EXPECT_EQ(decode_error_body(504, "{}").reason, Reason::provider_timeout);
  EXPECT_EQ(decode_error_body(418, "").reason, Reason::internal_error);
  // A long page is cut in the message.
  EXPECT_LT(decode_error_body(500, std::string(10000, 'x')).message.size(), 300u);
}

TEST(ExchangeJson, RequestForTheCAbiIsReadStrictly) {
  auto request = decode_exchange_request(R"({"subject": "s", "provider": "p", "category": "c", "purpose": "u",
      "fields": ["a"], "request_id": "rq-9"})");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->request_id, "rq-9");
  EXPECT_EQ(request->fields, std::vector<std::string>{"a"});

  auto unknown = decode_exchange_request(R"({"subject": "s", "provider": "p", "category": "c", "purpose": "u",
      "consumer": "someone-else"})");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("consumer"), std::string::npos);
  EXPECT_FALSE(decode_exchange_request(R"({"subject": "s", "provider": "p", "category": "c"})"));
  EXPECT_FALSE(decode_exchange_request(R"({"subject": 1, "provider": "p", "category": "c", "purpose": "u"})"));
}

TEST(ExchangeJson, GeneratedRequestIdsFollowTheWireRules) {
  const auto first = make_request_id();
  EXPECT_NE(first, make_request_id());
  EXPECT_GE(first.size(), 1u);
  EXPECT_LE(first.size(), 64u);
  for (char c : first) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') << first;
  }
}

}  // namespace
}  // namespace pse::wire
