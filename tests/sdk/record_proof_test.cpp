// Provider-signed records (pse/record_proof.hpp): what a signature proves, and every way a
// record, a disclosure or the claims can be altered without it noticing — none.
#include <pse/record_proof.hpp>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <sodium.h>

#include <algorithm>

namespace pse::integrity {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

Key random_seed() {
  Key seed{};
  EXPECT_GE(sodium_init(), 0);
  randombytes_buf(seed.data(), seed.size());
  return seed;
}

const SignedClaims kClaims{"retraite-quebec", "QC-1950-0101", "identity.death", "req-1", 1'790'000'000};

json::object death_record() {
  return json::object{{"surname", "Tremblay"}, {"death_date", "2026-11-30"}, {"age", 76}, {"organ_donor", true},
                      {"cause_of_death", nullptr}};
}

// The record without `dropped`, and the disclosures of the fields it keeps (as the broker
// forwards them to a consumer that may not see `dropped`).
std::pair<json::object, SignedRecord> without(const json::object& record, SignedRecord signed_record,
                                              std::string_view dropped) {
  json::object kept = record;
  const auto index = static_cast<std::size_t>(std::distance(record.begin(), record.find(dropped)));
  kept.erase(dropped);
  signed_record.disclosures.erase(signed_record.disclosures.begin() + static_cast<std::ptrdiff_t>(index));
  return {kept, signed_record};
}

class RecordProofTest : public ::testing::Test {
 protected:
  Key seed_ = random_seed();
  Key public_key_ = public_key_of(seed_);
  json::object record_ = death_record();
  SignedRecord signed_ = sign_record(record_, kClaims, seed_);
};

TEST_F(RecordProofTest, EveryFieldIsProvenWithTheProvidersKey) {
  auto proof = verify_record(record_, signed_, public_key_, kClaims);
  ASSERT_TRUE(proof) << proof.error().message;
  EXPECT_EQ(proof->claims, kClaims);
  EXPECT_EQ(proof->disclosures.size(), record_.size());
  EXPECT_EQ(signed_.disclosures.size(), record_.size());
}

TEST_F(RecordProofTest, AMinimisedRecordIsStillProvenAndTheDroppedFieldIsNotRevealed) {
  auto [kept, forwarded] = without(record_, signed_, "cause_of_death");
  auto proof = verify_record(kept, forwarded, public_key_, kClaims);
  ASSERT_TRUE(proof) << proof.error().message;
  EXPECT_EQ(proof->disclosures.size(), 4u);
  EXPECT_FALSE(proof->disclosures.contains("cause_of_death"));
}

TEST_F(RecordProofTest, ADisclosureOfAFieldTheRecordDoesNotHoldIsNotPartOfTheProof) {
  json::object kept = record_;
  kept.erase("age");
  auto proof = verify_record(kept, signed_, public_key_, kClaims);
  ASSERT_TRUE(proof);
  EXPECT_FALSE(proof->disclosures.contains("age"));
}

TEST_F(RecordProofTest, AnAlteredValueIsRefused) {
  for (const auto& [name, altered] : std::vector<std::pair<std::string, json::value>>{
           {"surname", "Gagnon"}, {"age", 77}, {"age", "76"}, {"organ_donor", false}, {"cause_of_death", ""}}) {
    json::object changed = record_;
    changed[name] = altered;
    auto proof = verify_record(changed, signed_, public_key_, kClaims);
    ASSERT_FALSE(proof) << name;
    EXPECT_EQ(proof.error().reason, Reason::integrity_failed);
    EXPECT_THAT(proof.error().message, HasSubstr("differs from its signed value"));
  }
}

TEST_F(RecordProofTest, AFieldWithoutItsDisclosureIsRefused) {
  auto [ignored, forwarded] = without(record_, signed_, "surname");
  auto proof = verify_record(record_, forwarded, public_key_, kClaims);
  ASSERT_FALSE(proof);
  EXPECT_THAT(proof.error().message, HasSubstr("'surname' is not signed"));
}

TEST_F(RecordProofTest, AnAddedFieldIsRefusedEvenWithADisclosureOfItsOwn) {
  // Whoever adds a field can make a disclosure for it, but not sign its digest.
  json::object added = record_;
  added["death_place"] = "Québec";
  SignedRecord forged = signed_;
  forged.disclosures.push_back(sign_record(json::object{{"death_place", "Québec"}}, kClaims, seed_).disclosures[0]);
  auto proof = verify_record(added, forged, public_key_, kClaims);
  ASSERT_FALSE(proof);
  EXPECT_THAT(proof.error().message, HasSubstr("not among the signed digests"));
}

TEST_F(RecordProofTest, AnotherKeyIsRefused) {
  auto proof = verify_record(record_, signed_, public_key_of(random_seed()), kClaims);
  ASSERT_FALSE(proof);
  EXPECT_THAT(proof.error().message, HasSubstr("does not verify"));
}

TEST_F(RecordProofTest, ASignatureForAnotherSubjectConsumerCategoryOrRequestIsRefused) {
  for (auto change : std::vector<void (*)(SignedClaims&)>{
           [](SignedClaims& c) { c.subject = "QC-1950-0102"; }, [](SignedClaims& c) { c.audience = "ramq"; },
           [](SignedClaims& c) { c.category = "identity.birth"; }, [](SignedClaims& c) { c.request_id = "req-2"; }}) {
    SignedClaims expected = kClaims;
    change(expected);
    auto proof = verify_record(record_, signed_, public_key_, expected);
    ASSERT_FALSE(proof);
    EXPECT_THAT(proof.error().message, HasSubstr("made for another"));
  }
}

TEST_F(RecordProofTest, AnAlteredSignatureOrHeaderIsRefused) {
  SignedRecord altered = signed_;
  altered.jws.back() = altered.jws.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_record(record_, altered, public_key_, kClaims));
  altered = signed_;
  altered.jws[5] = altered.jws[5] == 'A' ? 'B' : 'A';  // inside the header
  EXPECT_FALSE(verify_record(record_, altered, public_key_, kClaims));
  for (const std::string& garbage : std::vector<std::string>{"", "a.b", "a.b.c.d", "...", std::string(300000, 'a')}) {
    EXPECT_FALSE(verify_record(record_, SignedRecord{garbage, signed_.disclosures}, public_key_, kClaims));
  }
}

TEST_F(RecordProofTest, TwoDisclosuresOfOneFieldAreRefused) {
  SignedRecord twice = signed_;
  twice.disclosures.push_back(twice.disclosures.front());
  auto proof = verify_record(record_, twice, public_key_, kClaims);
  ASSERT_FALSE(proof);
  EXPECT_THAT(proof.error().message, HasSubstr("two disclosures"));
}

TEST_F(RecordProofTest, EachSigningUsesFreshSalts) {
  // Equal values in two records do not give equal digests: a digest alone reveals nothing.
  const SignedRecord again = sign_record(record_, kClaims, seed_);
  for (std::size_t i = 0; i < again.disclosures.size(); ++i) EXPECT_NE(again.disclosures[i], signed_.disclosures[i]);
  EXPECT_NE(again.jws, signed_.jws);
}

TEST(RecordProofKeys, AKeyIsExactly32BytesOfBase64) {
  EXPECT_TRUE(decode_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"));
  EXPECT_FALSE(decode_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="));  // 31 bytes
  EXPECT_FALSE(decode_key("not base64"));
  EXPECT_FALSE(read_key("/nonexistent/signing.key"));
}

}  // namespace
}  // namespace pse::integrity
