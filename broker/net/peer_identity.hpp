// Turning a verified client certificate into an organisation, and an OpenSSL verification
// error into a reason code. OpenSSL only: no Asio here.
#pragma once

#include <openssl/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace pse::policy {
struct Organisation;
class OrganisationRegistry;
}  // namespace pse::policy

namespace pse::broker {

/// The <id> of the certificate's URI SAN spiffe://<trust_domain>/org/<id>. std::nullopt when
/// there is none, when the SAN names another trust domain, or when the certificate carries
/// more than one such SAN (an identity must be unambiguous).
std::optional<std::string> spiffe_org_id(X509* certificate, std::string_view trust_domain);

/// Maps an X509_V_ERR_* code to the reason label used in logs and metrics
/// (certificate_revoked, certificate_expired, certificate_untrusted…).
std::string_view reason_for_verify_error(int x509_error) noexcept;

/// An organisation's certificate is an end entity made for TLS clients, as SPIFFE's X.509-SVID
/// requires of a leaf: not a CA, not allowed to sign certificates, and with the clientAuth
/// extended key usage. Returns "certificate_profile" when it is not, empty when it is.
std::string_view leaf_profile_problem(X509* leaf);

/// What a client certificate proves: the organisation, or why it is refused.
struct PeerCheck {
  const policy::Organisation* org = nullptr;
  std::string_view refusal;  ///< identity_missing, unknown_org, certificate_profile
};

/// Profile, SPIFFE identity and organisation of a certificate whose chain is already verified.
PeerCheck check_client_leaf(X509* leaf, std::string_view trust_domain, const policy::OrganisationRegistry& orgs);

/// Verifies `leaf` again against `store` (the CA and the CRL in force now): a session resumed
/// from a ticket, or a connection still open across a reload, must not outlive a revocation.
/// Empty when it still verifies, else the reason code (certificate_revoked…).
std::string_view verify_against_store(X509* leaf, X509_STORE* store);

}  // namespace pse::broker
