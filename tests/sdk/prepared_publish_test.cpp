// An event made ready by its publisher's SDK under a sealing plan: what travels in clear, what
// is sealed for whom, and that each recipient opens and proves exactly its own fields.
#include "client/prepared_publish.hpp"
#include "seal/sealed_record.hpp"
#include "wire/publish_json.hpp"

#include "crypto/key_text.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>

namespace pse {
namespace {

namespace json = boost::json;

struct BoxKeys {
  seal::Key public_key{};
  seal::Key secret_key{};
};

BoxKeys new_box_keys() {
  EXPECT_GE(sodium_init(), 0);
  BoxKeys keys;
  crypto_box_keypair(keys.public_key.data(), keys.secret_key.data());
  return keys;
}

std::string base64(const seal::Key& key) {
  return crypto::to_base64(key.data(), key.size(), crypto::Alphabet::standard);
}

PublishRequest contributions() {
  PublishRequest event;
  event.category = "pension.contributions";
  event.subject = "QC-1961-0815";
  event.idempotency_key = "cotisations-2026";
  event.record = json::object{{"contribution_years", 31}, {"total_contributions", 84213.55},
                              {"social_insurance_number", "046 454 286"}, {"eligible_earnings", 51000}};
  return event;
}

class PreparedPublish : public ::testing::Test {
 protected:
  PreparedPublish() {
    randombytes_buf(seed_->data(), seed_->size());
    revenu_quebec_ = new_box_keys();
    plan_.sealed.push_back({"revenu-quebec", {"contribution_years", "social_insurance_number"}, base64(revenu_quebec_.public_key)});
    plan_.clear_fields = {"contribution_years", "total_contributions"};
  }

  PublisherKeys keys() const { return PublisherKeys{"retraite-quebec", seed_, no_registry_}; }

  std::optional<integrity::Key> seed_ = integrity::Key{};
  std::filesystem::path no_registry_;
  BoxKeys revenu_quebec_;
  wire::SealingPlan plan_;
};

TEST_F(PreparedPublish, OnlyTheClearFieldsTravelInClearAndEachRecipientProvesItsOwn) {
  const wire::PreparedPublish prepared = prepare_publish(contributions(), plan_, keys());
  EXPECT_TRUE(prepared.sealing);
  EXPECT_EQ(prepared.record, (json::object{{"contribution_years", 31}, {"total_contributions", 84213.55}}));
  ASSERT_TRUE(prepared.signature.has_value());
  EXPECT_EQ(prepared.signature->disclosures.size(), 2u);  // a disclosure holds its value: clear fields only

  ASSERT_EQ(prepared.sealed.size(), 1u);
  const wire::SealedCopy& copy = prepared.sealed[0];
  EXPECT_EQ(copy.recipient, "revenu-quebec");
  EXPECT_EQ(copy.fields, (std::vector<std::string>{"contribution_years", "social_insurance_number"}));
  EXPECT_EQ(copy.sealed_record.find("046"), std::string::npos);

  auto opened = seal::open_record(copy.sealed_record, revenu_quebec_.secret_key);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->record, (json::object{{"contribution_years", 31}, {"social_insurance_number", "046 454 286"}}));
  // One signature for the whole event: the same in clear and in the seal, bound to the event id.
  EXPECT_EQ(opened->signature.jws, prepared.signature->jws);
  auto proof = integrity::verify_record(opened->record, opened->signature, integrity::public_key_of(*seed_),
                                        {"", "QC-1961-0815", "pension.contributions",
                                         event_id_for("retraite-quebec", "cotisations-2026"), 0});
  ASSERT_TRUE(proof) << proof.error().message;
  EXPECT_EQ(proof->disclosures.size(), 2u);

  // Nobody else opens it.
  EXPECT_FALSE(seal::open_record(copy.sealed_record, new_box_keys().secret_key));
}

TEST_F(PreparedPublish, WithoutAnythingToSealTheEventTravelsAsItIs) {
  const wire::PreparedPublish prepared = prepare_publish(contributions(), wire::SealingPlan{}, keys());
  EXPECT_FALSE(prepared.sealing);
  EXPECT_EQ(prepared.record, contributions().record);
  EXPECT_EQ(prepared.signature->disclosures.size(), 4u);
  EXPECT_TRUE(prepared.sealed.empty());
  EXPECT_EQ(json::parse(wire::encode_publish_request(contributions(), prepared)).as_object().if_contains("sealed"), nullptr);
}

// A recipient with no key gets no copy (the broker refuses its delivery rather than send it in
// clear); when every rule seals, nothing is in clear at all, and the body still says so.
TEST_F(PreparedPublish, NoKeyMeansNoCopyAndNoClearFieldsMeansAnEmptyRecord) {
  plan_.sealed[0].key.reset();
  plan_.clear_fields.clear();
  const wire::PreparedPublish prepared = prepare_publish(contributions(), plan_, keys());
  EXPECT_TRUE(prepared.record.empty());
  EXPECT_TRUE(prepared.sealed.empty());
  const json::value body = json::parse(wire::encode_publish_request(contributions(), prepared));
  EXPECT_EQ(body.at("record"), json::object());
  EXPECT_EQ(body.at("sealed"), json::array());
  EXPECT_EQ(body.at("integrity").at("disclosures"), json::array());
}

// A publisher that keeps the platform's registry seals for the key there, not the broker's.
TEST_F(PreparedPublish, APublishersOwnRegistryDecidesTheKey) {
  const BoxKeys registered = new_box_keys();
  const std::filesystem::path registry = std::filesystem::temp_directory_path() / ("pse-registry-" + std::to_string(::getpid()));
  std::filesystem::create_directories(registry);
  std::ofstream(registry / "revenu-quebec.pub") << base64(registered.public_key) << "\n";
  const PublisherKeys pinned{"retraite-quebec", seed_, registry};

  const wire::PreparedPublish prepared = prepare_publish(contributions(), plan_, pinned);
  ASSERT_EQ(prepared.sealed.size(), 1u);
  EXPECT_TRUE(seal::open_record(prepared.sealed[0].sealed_record, registered.secret_key));
  EXPECT_FALSE(seal::open_record(prepared.sealed[0].sealed_record, revenu_quebec_.secret_key));
  std::filesystem::remove_all(registry);
}

TEST(SealingPlan, IsDecodedWithItsKeysAndClearFields) {
  auto plan = wire::decode_sealing_plan(R"({"category": "c", "sealed": [
      {"organisation": "a", "fields": ["x", "y"], "key": "k"}, {"organisation": "b", "fields": ["x"], "key": null}],
      "clear_fields": ["z"]})");
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->sealed.size(), 2u);
  EXPECT_EQ(plan->sealed[0].fields, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(plan->sealed[0].key, "k");
  EXPECT_FALSE(plan->sealed[1].key.has_value());
  EXPECT_EQ(plan->clear_fields, std::vector<std::string>{"z"});
  EXPECT_FALSE(wire::decode_sealing_plan(R"({"sealed": [], "clear_fields": "z"})"));
  EXPECT_FALSE(wire::decode_sealing_plan(R"({"sealed": [{"organisation": "a", "fields": ["x"], "key": 3}], "clear_fields": []})"));
  EXPECT_FALSE(wire::decode_sealing_plan(R"({"sealed": ["a"], "clear_fields": []})"));
}

}  // namespace
}  // namespace pse
