// The canonical entry encoding: a faithful round trip, strict decoding, and a leaf hash that
// binds every field, the sequence number included.
#include "audit/audit_entry.hpp"
#include "audit/merkle.hpp"
#include "base/hex.hpp"

#include <gtest/gtest.h>

namespace pse::audit {
namespace {

AuditEntry sample_entry() {
  AuditEntry entry;
  entry.seq = 42;
  entry.time = 1'767'225'600'123'456;
  entry.request_id = "req-1";
  entry.consumer = "ramq";
  entry.provider = "saaq";
  entry.category = "adresse";
  entry.purpose = "admissibilité";
  entry.decision = Decision::allow;
  entry.rule_id = "r-1";
  entry.basis_type = BasisType::consent;
  entry.basis = "c-9";
  entry.permitted_fields = {"adresse", "code_postal"};
  entry.payload_hash = sha256("payload");
  entry.subject_hash = sha256("subject");
  return entry;
}

TEST(AuditEntryTest, EncodingRoundTrips) {
  const AuditEntry entry = sample_entry();
  const auto decoded = decode_entry(encode_entry(entry));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, entry);

  AuditEntry denied = sample_entry();
  denied.decision = Decision::deny;
  denied.reason = "consent_missing";
  denied.basis_type = BasisType::none;
  denied.basis.clear();
  denied.permitted_fields.clear();
  denied.payload_hash.reset();
  EXPECT_EQ(decode_entry(encode_entry(denied)), denied);
}

TEST(AuditEntryTest, ObligationsRoundTripAfterTheBytesOfBefore) {
  AuditEntry entry = sample_entry();
  const std::string without = encode_entry(entry);
  entry.obligations = {"notify_subject", "no_onward_disclosure"};
  const std::string with = encode_entry(entry);
  EXPECT_EQ(with.substr(0, without.size()), without) << "appended after the existing bytes";
  EXPECT_EQ(decode_entry(with), entry);
  EXPECT_TRUE(decode_entry(without)->obligations.empty());
}

TEST(AuditEntryTest, AnEntryWithoutObligationsKeepsTheLeafHashOfBefore) {
  // Computed from the layout of docs/decisions/audit.md before obligations were recorded: the
  // logs written then must verify as they are.
  EXPECT_EQ(to_hex(entry_leaf_hash(sample_entry())), "d9db708d8f68d0f1cef48629682f21d0917f6a72784901769150335f0f054c70");
}

TEST(AuditEntryTest, AnEmptyObligationListIsNeverEncoded) {
  AuditEntry entry = sample_entry();
  const std::string without = encode_entry(entry);
  EXPECT_FALSE(decode_entry(without + std::string(4, '\0')).has_value()) << "a count of zero";
  entry.obligations = {"no_onward_disclosure"};
  const std::string with = encode_entry(entry);
  EXPECT_FALSE(decode_entry(with + "x").has_value()) << "trailing bytes";
  EXPECT_FALSE(decode_entry(with.substr(0, with.size() - 1)).has_value()) << "truncated";
  std::string two = with;
  two[without.size() + 3] = 2;  // a count of 2 with one name
  EXPECT_FALSE(decode_entry(two).has_value());
}

TEST(AuditEntryTest, DecodingIsStrict) {
  const std::string bytes = encode_entry(sample_entry());
  EXPECT_FALSE(decode_entry(bytes + "x").has_value()) << "trailing bytes";
  EXPECT_FALSE(decode_entry(bytes.substr(0, bytes.size() - 1)).has_value()) << "truncated";
  std::string other_version = bytes;
  other_version[0] = 2;
  EXPECT_FALSE(decode_entry(other_version).has_value());
  EXPECT_FALSE(decode_entry("").has_value());
}

TEST(AuditEntryTest, EveryFieldChangesTheLeafHash) {
  const Hash original = entry_leaf_hash(sample_entry());
  const std::vector<void (*)(AuditEntry&)> edits = {
      [](AuditEntry& e) { e.seq += 1; },
      [](AuditEntry& e) { e.time += 1; },
      [](AuditEntry& e) { e.request_id += "x"; },
      [](AuditEntry& e) { e.consumer = "saaq"; },
      [](AuditEntry& e) { e.provider = "ramq"; },
      [](AuditEntry& e) { e.category += "x"; },
      [](AuditEntry& e) { e.purpose += "x"; },
      [](AuditEntry& e) { e.decision = Decision::deny; },
      [](AuditEntry& e) { e.reason = "no_rule"; },
      [](AuditEntry& e) { e.rule_id += "x"; },
      [](AuditEntry& e) { e.basis_type = BasisType::law; },
      [](AuditEntry& e) { e.basis += "x"; },
      [](AuditEntry& e) { e.permitted_fields.pop_back(); },
      [](AuditEntry& e) { e.payload_hash.reset(); },
      [](AuditEntry& e) { e.subject_hash[0] ^= 1; },
      [](AuditEntry& e) { e.obligations = {"no_onward_disclosure"}; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    AuditEntry edited = sample_entry();
    edits[i](edited);
    EXPECT_NE(entry_leaf_hash(edited), original) << "edit #" << i;
  }
  // Length prefixes: moving a character from one field to the next changes the bytes.
  AuditEntry shifted = sample_entry();
  shifted.consumer = "ramqs";
  shifted.provider = "aaq";
  EXPECT_NE(entry_leaf_hash(shifted), original);
}

TEST(AuditEntryTest, FieldNamesMustBeRepresentable) {
  AuditRecord record;
  record.permitted_fields = {"adresse"};
  EXPECT_TRUE(validate(record).ok());
  record.permitted_fields = {"a,b"};
  EXPECT_EQ(validate(record).error().code, AuditErrorCode::invalid_entry);
  record.permitted_fields = {""};
  EXPECT_FALSE(validate(record).ok());
  record.permitted_fields = {"adresse"};
  record.obligations = {"no_onward_disclosure", "notify_subject"};
  EXPECT_TRUE(validate(record).ok());
  record.obligations = {"a,b"};
  EXPECT_EQ(validate(record).error().code, AuditErrorCode::invalid_entry);
  EXPECT_EQ(split_fields(join_fields({"a", "b", "c"})), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_fields("").empty());
}

TEST(AuditEntryTest, TimesFormatAndParseInUtc) {
  EXPECT_EQ(format_time(1'767'225'600'123'456), "2026-01-01T00:00:00.123456Z");
  EXPECT_EQ(parse_time("2026-01-01T00:00:00.123456Z"), 1'767'225'600'123'456);
  EXPECT_EQ(parse_time("2026-01-01T00:00:00Z"), 1'767'225'600'000'000);
  EXPECT_EQ(parse_time("2026-01-01"), 1'767'225'600'000'000);
  EXPECT_EQ(parse_time("2026-01-01T00:00:00.5Z"), 1'767'225'600'500'000);
  EXPECT_FALSE(parse_time("2026-02-30").has_value());
  EXPECT_FALSE(parse_time("2026-01-01T00:00:00+01:00").has_value());
  EXPECT_FALSE(parse_time("yesterday").has_value());
}

}  // namespace
}  // namespace pse::audit
