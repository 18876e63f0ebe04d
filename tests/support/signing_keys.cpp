#include "support/signing_keys.hpp"

#include "base/base64.hpp"

#include <pse/publish.hpp>

#include <boost/json.hpp>

#include <yaml-cpp/yaml.h>

#include <fstream>

namespace pse::testing {
namespace fs = std::filesystem;

const integrity::Key& test_signing_seed() {
  // Fixed bytes: a test's keys are never secret, and a failure is easier to replay.
  static const integrity::Key seed = [] {
    integrity::Key bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(0x5e + 7 * i);
    return bytes;
  }();
  return seed;
}

fs::path write_test_signing_keys(const fs::path& keys_dir) {
  const auto as_base64 = [](const integrity::Key& key) {
    return to_base64(std::span<const std::uint8_t>(key), Base64::standard) + "\n";
  };
  fs::create_directories(keys_dir / "signing");
  const std::string public_key = as_base64(integrity::public_key_of(test_signing_seed()));
  for (const YAML::Node& org : YAML::LoadFile(PSE_SOURCE_DIR "/config/orgs.yaml")["organisations"]) {
    std::ofstream(keys_dir / "signing" / (org["id"].as<std::string>() + ".pub")) << public_key;
  }
  const fs::path seed_file = keys_dir.parent_path() / "test.sign.key";
  std::ofstream(seed_file) << as_base64(test_signing_seed());
  fs::permissions(seed_file, fs::perms::owner_read | fs::perms::owner_write);
  return seed_file;
}

std::string signed_publish_body(const std::string& publisher, const std::string& body) {
  boost::json::object object = boost::json::parse(body).as_object();
  const auto text = [&object](const char* key) { return std::string(object.at(key).as_string()); };
  const integrity::SignedRecord signature =
      integrity::sign_record(object.at("record").as_object(),
                             {"", text("subject"), text("category"), event_id_for(publisher, text("idempotency_key")), 0},
                             test_signing_seed());
  boost::json::array disclosures;
  for (const auto& disclosure : signature.disclosures) disclosures.emplace_back(disclosure);
  object["integrity"] = boost::json::object{{"jws", signature.jws}, {"disclosures", std::move(disclosures)}};
  return boost::json::serialize(object);
}

}  // namespace pse::testing
