// The consumers' public encryption keys, as the platform registers them: one file per
// organisation, <keys_dir>/encryption/<org>.pub, holding a 32-byte X25519 public key in base64
// (scripts/dev-pki makes them). Under a rule with the end_to_end_encryption obligation, the
// broker sends the consumer's key to the provider's connector, which seals the record for it.
//
// Keys are read when first needed and kept until forget() (the broker's reload); a missing
// file is looked for again each time, so that a key registered later is used without a reload.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace pse::broker {

class EncryptionKeys {
 public:
  explicit EncryptionKeys(std::filesystem::path directory) : directory_(std::move(directory)) {}

  /// The organisation's public key (base64 of 32 bytes), or std::nullopt when none is
  /// registered or its file does not hold one.
  std::optional<std::string> public_key_of(std::string_view organisation);

  void forget();

 private:
  std::filesystem::path directory_;
  std::mutex mutex_;
  std::map<std::string, std::string, std::less<>> keys_;
};

}  // namespace pse::broker
