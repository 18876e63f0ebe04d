// Public keys as the platform registers them: one file per organisation, <directory>/<org>.pub,
// holding 32 bytes in base64 (scripts/dev-pki makes them). Two registries use it:
//   <keys_dir>/encryption  the consumers' X25519 keys: under a rule with end_to_end_encryption
//                          the broker sends the consumer's key to the provider's connector,
//                          which seals the record for it;
//   <keys_dir>/signing     the providers' Ed25519 keys: the broker checks the signature of a
//                          record in a category whose integrity rating requires one.
//
// Keys are read when first needed and kept until forget() (the broker's reload); a missing
// file is looked for again each time, so that a key registered later is used without a reload.
#pragma once

#include <pse/record_proof.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace pse::broker {

class RegisteredKeys {
 public:
  /// `what` names the keys in log lines, e.g. "encryption key".
  RegisteredKeys(std::filesystem::path directory, std::string what)
      : directory_(std::move(directory)), what_(std::move(what)) {}

  /// The organisation's public key (base64 of 32 bytes), or std::nullopt when none is
  /// registered or its file does not hold one.
  std::optional<std::string> public_key_of(std::string_view organisation);

  void forget();

 private:
  std::filesystem::path directory_;
  std::string what_;
  std::mutex mutex_;
  std::map<std::string, std::string, std::less<>> keys_;
};

/// The signature over `record` checked against `organisation`'s registered signing key and the
/// `expected` claims: integrity_failed when there is no signature, no key, or it does not verify.
Result<integrity::RecordProof> verify_signed_record(RegisteredKeys& signing_keys, std::string_view organisation,
                                                    const boost::json::object& record,
                                                    const std::optional<integrity::SignedRecord>& signature,
                                                    const integrity::SignedClaims& expected);

}  // namespace pse::broker
