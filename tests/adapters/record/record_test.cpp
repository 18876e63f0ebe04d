// The canonical record model: JSON spelling of every value type, decimal and date forms.
#include "adapters/record/record.hpp"

#include <gtest/gtest.h>

namespace pse::adapters {
namespace {

TEST(CanonicalRecord, CanonicalJsonKeepsFieldOrderAndTypes) {
  Record record;
  record.add("nom", std::string("Tremblay"));
  record.add("solde", Decimal{true, "123450", 2});
  record.add("enfants", std::int64_t{2});
  Date date;
  ASSERT_TRUE(make_date(1984, 2, 29, date));
  record.add("naissance", date);
  record.add("actif", true);
  record.add("note", Null{});
  EXPECT_EQ(to_json(record),
            R"({"nom":"Tremblay","solde":"-1234.50","enfants":2,"naissance":"1984-02-29","actif":true,"note":null})");
}

TEST(CanonicalRecord, EmptyRecordIsEmptyObject) { EXPECT_EQ(to_json(Record{}), "{}"); }

TEST(CanonicalRecord, StringsAreEscapedPerRfc8259) {
  EXPECT_EQ(to_json(Value{std::string("a\"b\\c\nd\te\x01\x1f")}), R"("a\"b\\c\nd\te\u0001\u001f")");
  EXPECT_EQ(to_json(Value{std::string("Côté €")}), "\"Côté €\"");
}

TEST(CanonicalRecord, DecimalTextIsExact) {
  EXPECT_EQ((Decimal{false, "005", 2}.to_string()), "0.05");
  EXPECT_EQ((Decimal{false, "42", 0}.to_string()), "42");
  EXPECT_EQ((Decimal{false, "1234567890123456789012345678901", 2}.to_string()),
            "12345678901234567890123456789.01");
  // Non-canonical values built by hand still print their exact value.
  EXPECT_EQ((Decimal{false, "5", 3}.to_string()), "0.005");
  EXPECT_EQ((Decimal{true, "12", -2}.to_string()), "-1200");
}

TEST(CanonicalRecord, DatesAreValidated) {
  Date date;
  EXPECT_TRUE(make_date(2000, 2, 29, date));
  EXPECT_FALSE(make_date(1900, 2, 29, date));
  EXPECT_FALSE(make_date(2023, 2, 29, date));
  EXPECT_FALSE(make_date(2024, 13, 1, date));
  EXPECT_FALSE(make_date(2024, 4, 31, date));
  EXPECT_FALSE(make_date(0, 1, 1, date));
  ASSERT_TRUE(make_date(1, 1, 1, date));
  EXPECT_EQ(date.to_string(), "0001-01-01");
}

TEST(CanonicalRecord, FindByName) {
  Record record;
  record.add("a", std::int64_t{1});
  ASSERT_NE(record.find("a"), nullptr);
  EXPECT_EQ(std::get<std::int64_t>(*record.find("a")), 1);
  EXPECT_EQ(record.find("b"), nullptr);
}

}  // namespace
}  // namespace pse::adapters
