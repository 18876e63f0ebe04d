// The fields of a record, list fields included (pse/record_fields.hpp): what a field may hold,
// a record kept to some sub-fields, and signatures that prove the sub-fields a recipient keeps
// and catch a list altered, reordered or emptied on the way.
#include <pse/record_fields.hpp>
#include <pse/record_proof.hpp>

#include "integrity/minimised_record.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <sodium.h>

namespace pse::records {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

json::object with_dependants() {
  return json::parse(R"({"surname": "Tremblay",
                         "dependants": [{"given_names": "Léa", "birth_date": "2012-04-01"},
                                        {"given_names": "Jules", "birth_date": "2015-09-30"}]})")
      .as_object();
}

TEST(RecordFields, AScalarIsFinite) {
  auto object = json::parse(R"({"s": "x", "i": -3, "u": 18446744073709551615, "d": 1.5, "b": true, "n": null,
                                "huge": 1e999, "tiny": 1e-999, "o": {}, "a": []})")
                    .as_object();
  for (const char* key : {"s", "i", "u", "d", "b", "n", "tiny"}) EXPECT_TRUE(is_scalar(object.at(key))) << key;
  for (const char* key : {"huge", "o", "a"}) EXPECT_FALSE(is_scalar(object.at(key))) << key;
}

TEST(RecordFields, AFieldHoldsAScalarOrAListOfItemsOfScalars) {
  EXPECT_EQ(value_problem("surname", "Tremblay"), std::nullopt);
  EXPECT_EQ(value_problem("dependants", with_dependants().at("dependants")), std::nullopt);
  EXPECT_EQ(value_problem("dependants", json::array{}), std::nullopt);
  EXPECT_THAT(*value_problem("x", json::object{}), HasSubstr("'x' is not a string, a finite number, a boolean, null or a list"));
  EXPECT_THAT(*value_problem("x", json::array{1}), HasSubstr("an item of the list 'x' is not an object"));
  EXPECT_THAT(*value_problem("x", json::parse(R"([{"a": {"b": 1}}])")), HasSubstr("the value of 'x.a' is not a string"));
  EXPECT_THAT(*value_problem("x", json::parse(R"([{"a.b": 1}])")), HasSubstr("dotted"));
  json::array many;
  for (std::size_t i = 0; i <= kMaxListItems; ++i) many.emplace_back(json::object{{"a", 1}});
  EXPECT_THAT(*value_problem("x", many), HasSubstr("more than 1000 items"));
}

TEST(RecordFields, AListIsKeptToItsListedSubFields) {
  const json::object record = with_dependants();
  EXPECT_EQ(json::serialize(project(record, {"dependants.given_names"})),
            R"({"dependants":[{"given_names":"Léa"},{"given_names":"Jules"}]})");
  EXPECT_EQ(json::serialize(project(record, {"surname"})), R"({"surname":"Tremblay"})");
  EXPECT_EQ(json::serialize(project(record, {"surname", "dependants.birth_date", "dependants.given_names"})),
            json::serialize(record));
  EXPECT_TRUE(provides(record, "dependants.birth_date"));
  EXPECT_TRUE(provides(record, "dependants.anything"));  // the list is there: its items say the rest
  EXPECT_FALSE(provides(record, "addresses.city"));
  EXPECT_FALSE(provides(record, "given_names"));
}

TEST(RecordFields, ColumnsHoldTheCountAndOneArrayPerSubField) {
  EXPECT_EQ(json::serialize(columns(with_dependants())),
            R"({"surname":"Tremblay","dependants":2,"dependants.given_names":["Léa","Jules"],)"
            R"("dependants.birth_date":["2012-04-01","2015-09-30"]})");
  EXPECT_EQ(json::serialize(columns(json::parse(R"({"l": [{"a": 1}, {"b": 2}]})").as_object())),
            R"({"l":2,"l.a":[1,null],"l.b":[null,2]})");
  EXPECT_EQ(with_list_names({"surname", "l.a", "l.b"}), (std::vector<std::string>{"surname", "l.a", "l.b", "l"}));
}

class SignedLists : public ::testing::Test {
 protected:
  SignedLists() {
    EXPECT_GE(sodium_init(), 0);
    randombytes_buf(seed_.data(), seed_.size());
  }
  integrity::Key seed_{};
  const integrity::SignedClaims claims_{"retraite-quebec", "QC-1980-0001", "identity.family", "req-1", 0};
};

TEST_F(SignedLists, ARecipientKeptToOneSubFieldProvesItAndSeesNoOther) {
  const json::object record = with_dependants();
  const integrity::SignedRecord signature = integrity::sign_record(record, claims_, seed_);
  const auto kept = integrity::minimise(record, {"dependants.given_names"}, signature);
  EXPECT_EQ(json::serialize(kept.record), R"({"dependants":[{"given_names":"Léa"},{"given_names":"Jules"}]})");
  ASSERT_TRUE(kept.signature);
  EXPECT_EQ(kept.signature->disclosures.size(), 2U);  // the count and the given names: no birth date
  auto proof = integrity::verify_record(kept.record, *kept.signature, integrity::public_key_of(seed_), claims_);
  ASSERT_TRUE(proof) << proof.error().message;
  EXPECT_THAT(proof->disclosures, ::testing::SizeIs(2));
  EXPECT_TRUE(proof->disclosures.contains("dependants.given_names"));
}

TEST_F(SignedLists, AListAlteredReorderedOrEmptiedIsCaught) {
  const json::object record = with_dependants();
  const integrity::SignedRecord signature = integrity::sign_record(record, claims_, seed_);
  const auto key = integrity::public_key_of(seed_);
  ASSERT_TRUE(integrity::verify_record(record, signature, key, claims_));
  json::object altered = record;
  altered["dependants"].as_array()[1].as_object()["birth_date"] = "2015-10-01";
  EXPECT_FALSE(integrity::verify_record(altered, signature, key, claims_));
  json::object reordered = record;
  std::swap(reordered["dependants"].as_array()[0], reordered["dependants"].as_array()[1]);
  EXPECT_FALSE(integrity::verify_record(reordered, signature, key, claims_));
  json::object emptied = record;
  emptied["dependants"] = json::array{};
  auto refused = integrity::verify_record(emptied, signature, key, claims_);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("'dependants' differs from its signed value"));
}

}  // namespace
}  // namespace pse::records
