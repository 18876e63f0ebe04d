#include <pse/record_proof.hpp>
#include <pse/record_fields.hpp>

#include "crypto/key_text.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include <algorithm>
#include <set>

namespace pse::integrity {
namespace json = boost::json;
using crypto::Alphabet;

namespace {

constexpr std::string_view kHeader = R"({"alg":"EdDSA","typ":"pse-sd+jwt"})";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kMaxJwsBytes = 256 * 1024;
constexpr std::size_t kMaxDisclosures = 4096;
constexpr std::size_t kMaxDisclosureBytes = 1024 * 1024;

Error failed(std::string message) { return Error{Reason::integrity_failed, std::move(message)}; }

std::string digest_of(std::string_view disclosure) {
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> hash{};
  crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(disclosure.data()), disclosure.size());
  return crypto::to_base64(hash.data(), hash.size(), Alphabet::url_unpadded);
}

std::optional<std::string> decode_text(std::string_view base64url, std::size_t max_bytes) {
  auto bytes = crypto::from_base64(base64url, max_bytes, Alphabet::url_unpadded);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

std::optional<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

const json::string* string_member(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? &value->get_string() : nullptr;
}

// The signed payload: the claims and the sorted digests.
std::string payload_of(const SignedClaims& claims, std::vector<std::string> digests) {
  std::sort(digests.begin(), digests.end());
  json::array sd;
  for (auto& digest : digests) sd.emplace_back(std::move(digest));
  json::object payload{{"_sd", std::move(sd)},       {"_sd_alg", "sha-256"},
                       {"aud", claims.audience},     {"sub", claims.subject},
                       {"category", claims.category}, {"request_id", claims.request_id},
                       {"iat", claims.issued_at}};
  return json::serialize(payload);
}

// The claims and the set of signed digests of a payload whose signature has been checked.
struct Payload {
  SignedClaims claims;
  std::set<std::string, std::less<>> digests;
};

Result<Payload> read_payload(std::string_view text) {
  auto object = parse_object(text);
  if (!object) return failed("the signed payload is not a JSON object");
  Payload payload;
  const json::string* alg = string_member(*object, "_sd_alg");
  if (alg == nullptr || *alg != "sha-256") return failed("the signed payload's _sd_alg is not sha-256");
  const json::value* sd = object->if_contains("_sd");
  if (sd == nullptr || !sd->is_array()) return failed("the signed payload has no _sd list");
  for (const json::value& digest : sd->get_array()) {
    if (!digest.is_string()) return failed("the signed payload's _sd holds something other than digests");
    payload.digests.emplace(digest.get_string());
  }
  const json::string* aud = string_member(*object, "aud");
  const json::string* sub = string_member(*object, "sub");
  const json::string* category = string_member(*object, "category");
  const json::string* request_id = string_member(*object, "request_id");
  const json::value* iat = object->if_contains("iat");
  if (aud == nullptr || sub == nullptr || category == nullptr || request_id == nullptr || iat == nullptr ||
      !iat->is_int64()) {
    return failed("the signed payload lacks one of aud, sub, category, request_id and iat");
  }
  payload.claims = SignedClaims{std::string(*aud), std::string(*sub), std::string(*category),
                                std::string(*request_id), iat->get_int64()};
  return payload;
}

// The payload of a compact JWS signed by `public_key` with EdDSA.
Result<std::string> verified_payload(std::string_view jws, const Key& public_key) {
  if (jws.size() > kMaxJwsBytes) return failed("the signature is too long");
  const auto first_dot = jws.find('.');
  const auto second_dot = first_dot == std::string_view::npos ? first_dot : jws.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || jws.find('.', second_dot + 1) != std::string_view::npos) {
    return failed("the signature is not a compact JWS");
  }
  const auto header = decode_text(jws.substr(0, first_dot), 1024);
  if (!header || *header != kHeader) return failed("the signature's header is not EdDSA pse-sd+jwt");
  const auto signature = crypto::from_base64(jws.substr(second_dot + 1), crypto_sign_BYTES, Alphabet::url_unpadded);
  if (!signature || signature->size() != crypto_sign_BYTES) return failed("the signature is not an Ed25519 signature");
  const std::string_view signing_input = jws.substr(0, second_dot);
  if (crypto_sign_verify_detached(signature->data(), reinterpret_cast<const unsigned char*>(signing_input.data()),
                                  signing_input.size(), public_key.data()) != 0) {
    return failed("the signature does not verify with the provider's public key");
  }
  auto payload = decode_text(jws.substr(first_dot + 1, second_dot - first_dot - 1), kMaxJwsBytes);
  if (!payload) return failed("the signed payload is not base64url");
  return std::move(*payload);
}

// Expanding a seed into Ed25519's secret key costs a scalar multiplication, as much again as
// the signature itself: each thread keeps the last one (a connector signs with one key).
const std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES>& expanded_secret_key(const Key& seed) {
  struct Expanded {
    Key seed{};
    std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> secret_key{};
    bool valid = false;
    ~Expanded() { sodium_memzero(secret_key.data(), secret_key.size()); }
  };
  thread_local Expanded last;
  if (!last.valid || sodium_memcmp(last.seed.data(), seed.data(), seed.size()) != 0) {
    std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> public_key{};
    crypto_sign_seed_keypair(public_key.data(), last.secret_key.data(), seed.data());
    last.seed = seed;
    last.valid = true;
  }
  return last.secret_key;
}

}  // namespace

SignedRecord sign_record(const json::object& record, const SignedClaims& claims, const Key& seed) {
  crypto::ensure_sodium();
  SignedRecord out;
  std::vector<std::string> digests;
  for (const auto& [name, value] : records::columns(record)) {
    std::array<std::uint8_t, kSaltBytes> salt{};
    randombytes_buf(salt.data(), salt.size());
    const json::array disclosed{json::string(crypto::to_base64(salt.data(), salt.size(), Alphabet::url_unpadded)),
                                json::string(name), value};
    out.disclosures.push_back(crypto::to_base64(json::serialize(disclosed), Alphabet::url_unpadded));
    digests.push_back(digest_of(out.disclosures.back()));
  }
  std::string signing_input = crypto::to_base64(kHeader, Alphabet::url_unpadded);
  signing_input += '.';
  signing_input += crypto::to_base64(payload_of(claims, std::move(digests)), Alphabet::url_unpadded);

  std::array<std::uint8_t, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size(), expanded_secret_key(seed).data());
  out.jws = std::move(signing_input);
  out.jws += '.';
  out.jws += crypto::to_base64(signature.data(), signature.size(), Alphabet::url_unpadded);
  return out;
}

Result<RecordProof> verify_record(const json::object& record, const SignedRecord& signed_record, const Key& public_key,
                                  const SignedClaims& expected) {
  crypto::ensure_sodium();
  auto payload_text = verified_payload(signed_record.jws, public_key);
  if (!payload_text) return payload_text.error();
  auto payload = read_payload(*payload_text);
  if (!payload) return payload.error();
  const SignedClaims& claims = payload->claims;
  if (claims.audience != expected.audience || claims.subject != expected.subject ||
      claims.category != expected.category || claims.request_id != expected.request_id) {
    return failed("the signature was made for another consumer, subject, category or request");
  }
  if (signed_record.disclosures.size() > kMaxDisclosures) return failed("too many disclosures");

  RecordProof proof{claims, {}};
  std::map<std::string, json::value, std::less<>> disclosed;  // name → value, of signed disclosures
  for (const std::string& disclosure : signed_record.disclosures) {
    if (!payload->digests.contains(digest_of(disclosure))) return failed("a disclosure is not among the signed digests");
    const auto text = decode_text(disclosure, kMaxDisclosureBytes);
    boost::system::error_code ec;
    json::value parsed = text ? json::parse(*text, ec) : json::value();
    if (!text || ec || !parsed.is_array() || parsed.get_array().size() != 3 || !parsed.get_array()[0].is_string() ||
        !parsed.get_array()[1].is_string()) {
      return failed("a disclosure is not [salt, name, value]");
    }
    json::array& parts = parsed.get_array();
    std::string name(parts[1].get_string());
    if (disclosed.contains(name)) return failed("two disclosures for the field '" + name + "'");
    proof.disclosures.emplace(name, disclosure);
    disclosed.emplace(std::move(name), std::move(parts[2]));
  }
  const json::object columns = records::columns(record);
  for (const auto& [name, value] : columns) {
    const auto found = disclosed.find(std::string_view(name));
    if (found == disclosed.end()) return failed("the field '" + std::string(name) + "' is not signed");
    if (found->second != value) return failed("the field '" + std::string(name) + "' differs from its signed value");
  }
  // Only the record's fields are proven; a disclosure of any other is not passed on.
  std::erase_if(proof.disclosures, [&columns](const auto& entry) { return !columns.contains(entry.first); });
  return proof;
}

Key public_key_of(const Key& seed) {
  crypto::ensure_sodium();
  Key public_key{};
  std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> secret_key{};
  crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed.data());
  sodium_memzero(secret_key.data(), secret_key.size());
  return public_key;
}

std::optional<Key> decode_key(std::string_view base64) { return crypto::decode_key(base64); }

Result<Key> read_key(const std::filesystem::path& file) { return crypto::read_key(file, "signing key"); }

}  // namespace pse::integrity
