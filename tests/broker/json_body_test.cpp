// Strict JSON bodies: a key given twice in one object, at any depth, is malformed_request
// naming it — two readers could otherwise take different values from the same body.
#include "broker/json_body.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <string>
#include <string_view>
#include <utility>

namespace pse::broker {
namespace {

using ::testing::HasSubstr;

std::string refusal(std::string_view body) {
  auto parsed = parse_json_object(body);
  if (parsed) return "accepted";
  EXPECT_EQ(parsed.error().reason, Reason::malformed_request);
  return parsed.error().message;
}

TEST(JsonBodyTest, ADuplicateKeyIsRefusedAndNamed) {
  EXPECT_THAT(refusal(R"({"purpose": "a", "subject": "s", "purpose": "b"})"), HasSubstr("duplicate key 'purpose'"));
  EXPECT_THAT(refusal(R"({"record": {"surname": "A", "surname": "B"}})"), HasSubstr("duplicate key 'record.surname'"));
  EXPECT_THAT(refusal(R"({"to": [{"x": 1}, {"y": 1, "y": 2}]})"), HasSubstr("duplicate key 'to[].y'"));
  // The same name written two ways is the same key once decoded.
  EXPECT_THAT(refusal(R"({"purpose": "a", "purpos\u0065": "b"})"), HasSubstr("duplicate key 'purpose'"));
  // A duplicate whose value is an object: the dropped object is not counted either.
  EXPECT_THAT(refusal(R"({"a": {"b": 1, "c": 2}, "a": {"b": 1}})"), HasSubstr("duplicate key 'a'"));
}

TEST(JsonBodyTest, TheSameKeyInDifferentObjectsIsFine) {
  auto parsed = parse_json_object(R"({"a": {"name": 1}, "b": {"name": 2}, "c": [{"name": 3}, {"name": 4}], "name": 5})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->size(), 4U);
  EXPECT_EQ(parsed->at("c").as_array().size(), 2U);
}

TEST(JsonBodyTest, ALargeObjectWithOneDuplicateAtTheEndIsNamed) {
  std::string body = "{";
  for (int i = 0; i < 50'000; ++i) body += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  body += "\"k123\":0}";
  EXPECT_THAT(refusal(body), HasSubstr("duplicate key 'k123'"));
}

TEST(JsonBodyTest, WhatWasRefusedBeforeStillIs) {
  EXPECT_THAT(refusal(R"({"a": 1} x)"), HasSubstr("not valid JSON"));
  EXPECT_THAT(refusal(R"({"a": )"), HasSubstr("not valid JSON"));
  EXPECT_THAT(refusal(R"([1, 2])"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(refusal(std::string(17, '[') + std::string(17, ']')), HasSubstr("not valid JSON"));  // too deep
  auto parsed = parse_json_object("  {\"subject\": \"QC-1\", \"n\": 1.5, \"ok\": true, \"none\": null}\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->at("subject").as_string(), "QC-1");
}

// Boost 1.81 alone reads these a unit in the last place off, so a record passing through the
// hub would come out with a value its sender never wrote.
TEST(JsonBodyTest, NumbersAreReadExactlyAndSurviveBeingWrittenOutAgain) {
  const std::pair<std::string_view, double> cases[] = {{"492233720368547175808", 492233720368547175808.0},
                                                       {"2.2250738585072011e-308", 2.2250738585072011e-308},
                                                       {"0.1", 0.1},
                                                       {"-1.7976931348623157e308", -1.7976931348623157e308}};
  for (const auto& [text, expected] : cases) {
    auto parsed = parse_json_object("{\"n\": " + std::string(text) + "}");
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(parsed->at("n").as_double(), expected) << text;
    auto again = parse_json_object(boost::json::serialize(*parsed));
    ASSERT_TRUE(again) << text;
    EXPECT_EQ(again->at("n").as_double(), expected) << text;
  }
}

TEST(JsonBodyTest, ParsesIntoTheGivenStorage) {
  unsigned char buffer[4096];
  boost::json::monotonic_resource scratch(buffer, sizeof buffer);
  auto parsed = parse_json_object(R"({"subject": "QC-1", "fields": ["a", "b"]})", &scratch);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->storage().get(), boost::json::storage_ptr(&scratch).get());
}

}  // namespace
}  // namespace pse::broker
