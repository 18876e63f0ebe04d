#include "broker/consent/receipt.hpp"

#include "audit/obligation_wording.hpp"
#include "base/base64.hpp"

#include <boost/json.hpp>

namespace pse::consent {
namespace json = boost::json;
namespace {

std::string base64url(std::string_view bytes) { return to_base64(bytes, Base64::url); }

std::optional<std::string> from_base64url(std::string_view text) { return from_base64(text, Base64::url); }

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

std::string sign(const json::object& payload, const audit::SigningKey& key) {
  const json::object header{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", audit::key_id(key.public_key())}};
  const std::string signing_input =
      base64url(json::serialize(header)) + "." + base64url(json::serialize(payload));
  const auto signature = key.sign(std::span(reinterpret_cast<const std::uint8_t*>(signing_input.data()),
                                            signing_input.size()));
  return signing_input + "." +
         base64url(std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()));
}

// The Kantara v1.1 fields shared by consent and mandate receipts.
json::object kantara_base(std::string_view subject_id, std::string_view language, std::string_view method,
                          Instant issued_at, const audit::SigningKey& key) {
  return json::object{
      {"version", "KI-CR-v1.1.0"},
      {"jurisdiction", "CA-QC"},
      {"consentTimestamp", issued_at.time_since_epoch().count()},
      {"collectionMethod", method},
      {"consentReceiptID", new_record_id("rcp_")},
      {"publicKey", audit::key_id(key.public_key())},
      {"language", language},
      {"piiPrincipalId", subject_id},
      {"sensitive", true},
      {"spiCat", json::array()},
  };
}

}  // namespace

std::string_view to_string(ReceiptEvent event) noexcept {
  switch (event) {
    case ReceiptEvent::granted: return "granted";
    case ReceiptEvent::amended: return "amended";
    case ReceiptEvent::revoked: return "revoked";
    case ReceiptEvent::mandate_granted: return "mandate_granted";
    case ReceiptEvent::mandate_revoked: return "mandate_revoked";
  }
  return "granted";
}

std::string consent_receipt(const Consent& consent, std::string_view subject_id, ReceiptEvent event,
                            Instant issued_at, const audit::SigningKey& key,
                            const std::vector<std::string>& obligations) {
  json::object receipt = kantara_base(subject_id, consent.notice.language, consent.collection_method, issued_at, key);
  receipt["piiControllers"] = json::array{json::object{{"piiController", consent.consumer}, {"onBehalf", false}}};
  receipt["policyUrl"] = consent.notice.reference;
  const bool french = consent.notice.language != "en";
  receipt["services"] = json::array{json::object{
      {"service", french ? consent.purpose.text_fr : consent.purpose.text_en},
      {"purposes", json::array{json::object{
                       {"purpose", french ? consent.purpose.text_fr : consent.purpose.text_en},
                       {"purposeCategory", json::array{json::value(consent.purpose.code)}},
                       {"consentType", "EXPLICIT"},
                       {"piiCategory", strings(consent.categories)},
                       {"primaryPurpose", true},
                       {"termination", policy::format_instant(consent.expires_at)},
                       {"thirdPartyDisclosure", true},
                       {"thirdPartyName", consent.provider},
                   }}},
  }};
  json::object record{
      {"event", to_string(event)},
      {"consent_id", consent.id},
      {"state", to_string(consent.state_at(issued_at))},
      {"given_by", to_string(consent.given_by.kind)},
      {"provider", consent.provider},
      {"consumer", consent.consumer},
      {"categories", strings(consent.categories)},
      {"purpose", json::object{{"code", consent.purpose.code}, {"fr", consent.purpose.text_fr}, {"en", consent.purpose.text_en}}},
      {"notice", json::object{{"reference", consent.notice.reference}, {"version", consent.notice.version}, {"language", consent.notice.language}}},
      {"granted_at", policy::format_instant(consent.granted_at)},
      {"expires_at", policy::format_instant(consent.expires_at)},
      {"issued_at", policy::format_instant(issued_at)},
  };
  if (!obligations.empty()) {
    json::array conditions;
    for (const std::string& obligation : obligations) {
      json::object item{{"code", obligation}};
      if (const auto wording = audit::obligation_wording(obligation)) {
        item["fr"] = wording->french;
        item["en"] = wording->english;
      }
      conditions.emplace_back(std::move(item));
    }
    record["obligations"] = std::move(conditions);
  }
  if (!consent.given_by.mandate_id.empty()) record["mandate_id"] = consent.given_by.mandate_id;
  if (!consent.previous_id.empty()) record["previous_id"] = consent.previous_id;
  if (consent.revoked_at) {
    record["revoked_at"] = policy::format_instant(*consent.revoked_at);
    record["revocation_method"] = consent.revocation_method;
    if (!consent.revoked_through.empty()) {
      record["revoked_by"] = json::object{{"kind", "mandatary"}, {"mandate_id", consent.revoked_through}};
    }
  }
  receipt["pse"] = std::move(record);
  return sign(receipt, key);
}

std::string mandate_receipt(const Mandate& mandate, std::string_view mandator_id, ReceiptEvent event,
                            Instant issued_at, const audit::SigningKey& key) {
  json::object receipt = kantara_base(mandator_id, "fr", "mandate", issued_at, key);
  json::object record{
      {"event", to_string(event)},
      {"mandate_id", mandate.id},
      {"categories", strings(mandate.categories)},
      {"purposes", strings(mandate.purposes)},
      {"valid_from", policy::format_instant(mandate.valid_from)},
      {"valid_until", policy::format_instant(mandate.valid_until)},
      {"issued_at", policy::format_instant(issued_at)},
  };
  if (mandate.revoked_at) record["revoked_at"] = policy::format_instant(*mandate.revoked_at);
  receipt["pse"] = std::move(record);
  return sign(receipt, key);
}

std::optional<std::string> verify_receipt(std::string_view jws, const audit::PublicKey& key) {
  const auto first = jws.find('.');
  const auto second = first == std::string_view::npos ? first : jws.find('.', first + 1);
  if (second == std::string_view::npos || jws.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  auto header = from_base64url(jws.substr(0, first));
  auto payload = from_base64url(jws.substr(first + 1, second - first - 1));
  auto signature = from_base64url(jws.substr(second + 1));
  if (!header || !payload || !signature || signature->size() != 64) return std::nullopt;

  boost::system::error_code ec;
  json::value parsed_header = json::parse(*header, ec);
  if (ec || !parsed_header.is_object()) return std::nullopt;
  const json::value* alg = parsed_header.as_object().if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "EdDSA") return std::nullopt;

  audit::Signature bytes{};
  std::copy(signature->begin(), signature->end(), bytes.begin());
  const std::string_view signing_input = jws.substr(0, second);
  if (!audit::verify_signature(key, std::span(reinterpret_cast<const std::uint8_t*>(signing_input.data()),
                                              signing_input.size()),
                               bytes)) {
    return std::nullopt;
  }
  return payload;
}

}  // namespace pse::consent
