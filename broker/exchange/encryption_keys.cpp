#include "broker/exchange/encryption_keys.hpp"

#include "base/base64.hpp"
#include "base/log.hpp"

#include <fstream>
#include <iterator>

namespace pse::broker {

std::optional<std::string> EncryptionKeys::public_key_of(std::string_view organisation) {
  {
    std::lock_guard lock(mutex_);
    if (auto found = keys_.find(organisation); found != keys_.end()) return found->second;
  }
  // An organisation id is snake_case or kebab-case (orgs.yaml): never a path of its own.
  for (char c : organisation) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return std::nullopt;
  }
  std::ifstream in(directory_ / (std::string(organisation) + ".pub"));
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  const auto bytes = from_base64(text, Base64::standard);
  if (!bytes || bytes->size() != 32) {
    log::warn("encryption key file holds no 32-byte key in base64",
              {{"org", organisation}, {"file", (directory_ / (std::string(organisation) + ".pub")).string()}});
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  keys_.emplace(std::string(organisation), text);
  return text;
}

void EncryptionKeys::forget() {
  std::lock_guard lock(mutex_);
  keys_.clear();
}

}  // namespace pse::broker
