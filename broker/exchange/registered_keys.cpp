#include "broker/exchange/registered_keys.hpp"

#include "base/base64.hpp"
#include "base/config_error.hpp"
#include "base/key_file.hpp"
#include "base/log.hpp"

namespace pse::broker {

std::optional<std::string> RegisteredKeys::public_key_of(std::string_view organisation) {
  {
    std::lock_guard lock(mutex_);
    if (auto found = keys_.find(organisation); found != keys_.end()) return found->second;
  }
  // An organisation id is snake_case or kebab-case (orgs.yaml): never a path of its own.
  for (char c : organisation) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return std::nullopt;
  }
  const std::filesystem::path file = directory_ / (std::string(organisation) + ".pub");
  if (!std::filesystem::is_regular_file(file)) return std::nullopt;
  std::string text;
  try {
    text = read_key_file(file);
  } catch (const ConfigError& error) {
    log::warn(what_ + " file cannot be read", {{"org", organisation}, {"detail", error.what()}});
    return std::nullopt;
  }
  const auto bytes = from_base64(text, Base64::standard);
  if (!bytes || bytes->size() != 32) {
    log::warn(what_ + " file holds no 32-byte key in base64", {{"org", organisation}, {"file", file.string()}});
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  keys_.emplace(std::string(organisation), text);
  return text;
}

void RegisteredKeys::forget() {
  std::lock_guard lock(mutex_);
  keys_.clear();
}

Result<integrity::RecordProof> verify_signed_record(RegisteredKeys& signing_keys, std::string_view organisation,
                                                    const boost::json::object& record,
                                                    const std::optional<integrity::SignedRecord>& signature,
                                                    const integrity::SignedClaims& expected) {
  if (!signature) {
    return make_error(Reason::integrity_failed, "'" + std::string(organisation) + "' did not sign a record its category requires signed");
  }
  const auto key_text = signing_keys.public_key_of(organisation);
  const auto key = key_text ? integrity::decode_key(*key_text) : std::nullopt;
  if (!key) return make_error(Reason::integrity_failed, "no signing key is registered for '" + std::string(organisation) + "'");
  return integrity::verify_record(record, *signature, *key, expected);
}

}  // namespace pse::broker
