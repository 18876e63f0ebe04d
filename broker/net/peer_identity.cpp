#include "broker/net/peer_identity.hpp"

#include "policy/organisations.hpp"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace pse::broker {

std::optional<std::string> spiffe_org_id(X509* certificate, std::string_view trust_domain) {
  if (certificate == nullptr) return std::nullopt;
  using Names = std::unique_ptr<GENERAL_NAMES, decltype([](GENERAL_NAMES* n) { GENERAL_NAMES_free(n); })>;
  Names names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return std::nullopt;

  const std::string prefix = "spiffe://" + std::string(trust_domain) + "/org/";
  std::optional<std::string> found;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                          static_cast<std::size_t>(ASN1_STRING_length(uri)));
    if (!text.starts_with("spiffe://")) continue;
    if (found) return std::nullopt;  // two SPIFFE identities: refuse rather than pick one
    if (!text.starts_with(prefix)) return std::nullopt;
    std::string id(text.substr(prefix.size()));
    if (!policy::is_valid_org_id(id)) return std::nullopt;
    found = std::move(id);
  }
  return found;
}

std::string_view reason_for_verify_error(int x509_error) noexcept {
  switch (x509_error) {
    case X509_V_ERR_CERT_REVOKED:
      return "certificate_revoked";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "certificate_expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "certificate_not_yet_valid";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
      return "certificate_untrusted";
    default:
      // Bad signatures, a missing or expired CRL, unsupported extensions… all fail closed.
      return "certificate_invalid";
  }
}

}  // namespace pse::broker
