// pse/record_proof.hpp — provider-signed records that survive minimisation.
//
// The selective-disclosure design of IETF SD-JWT: the provider signs (Ed25519) a list of
// salted hashes, one per field of the record, and hands out each field as a *disclosure* —
// base64url of the JSON array [salt, name, value]. Whoever receives some of the fields with
// their disclosures and the signature can prove that each came unaltered from the provider,
// without seeing the others: the broker forwards to each consumer only the disclosures of the
// fields that consumer may receive.
//
//   signature  compact JWS, header {"alg":"EdDSA","typ":"pse-sd+jwt"}, payload
//              {"_sd":[digests, sorted],"_sd_alg":"sha-256","aud":consumer,"sub":subject,
//               "category":…,"request_id":…,"iat":seconds}
//   digest     base64url(SHA-256(the disclosure's ASCII text))
//
// The claims bind the signature to one answer: a record signed for one citizen, consumer or
// request cannot be passed off as another's. Keys: 32-byte Ed25519 seeds (secret, one per
// body) and public keys, each one line of standard base64, as the platform's other keys.
// The SDK signs for you (ClientOptions::signing_key_file) and verifies for you
// (ClientOptions::signing_keys_dir); these functions are for those who check a proof themselves.
#pragma once

#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pse::integrity {

using Key = std::array<std::uint8_t, 32>;  ///< an Ed25519 seed (secret) or public key

/// What the signature is about, besides the fields.
struct SignedClaims {
  std::string audience;    ///< the consumer organisation
  std::string subject;     ///< the citizen
  std::string category;
  std::string request_id;  ///< the consumer's exchange id
  std::int64_t issued_at = 0;  ///< seconds since the epoch (not compared by verify_record)

  bool operator==(const SignedClaims&) const = default;
};

/// A signature and the disclosures that go with it.
struct SignedRecord {
  std::string jws;
  std::vector<std::string> disclosures;
};

/// What a verified signature proves: the claims, and each field of the record with the
/// disclosure that proves it.
struct RecordProof {
  SignedClaims claims;
  std::map<std::string, std::string, std::less<>> disclosures;  ///< field name → its disclosure
};

/// Signs every column of `record` (plain fields, and each list field's count and sub-fields:
/// pse/record_fields.hpp) with a fresh random salt each; the disclosures are in column order.
SignedRecord sign_record(const boost::json::object& record, const SignedClaims& claims, const Key& seed);

/// Checks that `signed_record.jws` is signed by `public_key`, that its claims are `expected`
/// (all but issued_at), and that every column of `record` has a disclosure whose digest is
/// signed and whose name and value are the column's. Disclosures of fields the record does not
/// hold are ignored. integrity_failed naming the first problem otherwise.
Result<RecordProof> verify_record(const boost::json::object& record, const SignedRecord& signed_record,
                                  const Key& public_key, const SignedClaims& expected);

/// The public key of a seed.
Key public_key_of(const Key& seed);

/// A key from one line of standard base64; std::nullopt unless it is exactly 32 bytes.
std::optional<Key> decode_key(std::string_view base64);

/// A key file: one line of standard base64. internal_error naming the file when it cannot be
/// read or holds no key.
Result<Key> read_key(const std::filesystem::path& file);

}  // namespace pse::integrity
