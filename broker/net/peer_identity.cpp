#include "broker/net/peer_identity.hpp"

#include "policy/organisations.hpp"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdint>
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
    case X509_V_ERR_INVALID_PURPOSE:
      return "certificate_profile";  // OpenSSL's own check: an extended key usage without clientAuth
    default:
      // Bad signatures, a missing or expired CRL, unsupported extensions… all fail closed.
      return "certificate_invalid";
  }
}

std::string_view leaf_profile_problem(X509* leaf) {
  const std::uint32_t flags = X509_get_extension_flags(leaf);
  if ((flags & EXFLAG_CA) != 0) return "certificate_profile";
  if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(leaf) & KU_KEY_CERT_SIGN) != 0) return "certificate_profile";
  // Without the extension a certificate is good for any use: clientAuth must be said.
  if ((flags & EXFLAG_XKUSAGE) == 0 || (X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT) == 0) {
    return "certificate_profile";
  }
  return {};
}

PeerCheck check_client_leaf(X509* leaf, std::string_view trust_domain, const policy::OrganisationRegistry& orgs) {
  if (leaf == nullptr) return {nullptr, "certificate_required"};
  if (auto problem = leaf_profile_problem(leaf); !problem.empty()) return {nullptr, problem};
  auto org_id = spiffe_org_id(leaf, trust_domain);
  if (!org_id) return {nullptr, "identity_missing"};
  const policy::Organisation* org = orgs.find(*org_id);
  if (org == nullptr) return {nullptr, "unknown_org"};
  return {org, {}};
}

std::string_view verify_against_store(X509* leaf, X509_STORE* store) {
  using StoreContext = std::unique_ptr<X509_STORE_CTX, decltype([](X509_STORE_CTX* c) { X509_STORE_CTX_free(c); })>;
  StoreContext context(X509_STORE_CTX_new());
  if (!context || X509_STORE_CTX_init(context.get(), store, leaf, nullptr) != 1) return "certificate_invalid";
  // The same purpose and flags as the handshake's verification (the store carries CRL_CHECK).
  X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(context.get()) == 1) return {};
  return reason_for_verify_error(X509_STORE_CTX_get_error(context.get()));
}

}  // namespace pse::broker
