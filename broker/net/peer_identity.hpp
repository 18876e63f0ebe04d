// Turning a verified client certificate into an organisation id, and an OpenSSL verification
// error into a reason code. OpenSSL only: no Asio here.
#pragma once

#include <openssl/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace pse::broker {

/// The <id> of the certificate's URI SAN spiffe://<trust_domain>/org/<id>. std::nullopt when
/// there is none, when the SAN names another trust domain, or when the certificate carries
/// more than one such SAN (an identity must be unambiguous).
std::optional<std::string> spiffe_org_id(X509* certificate, std::string_view trust_domain);

/// Maps an X509_V_ERR_* code to the reason label used in logs and metrics
/// (certificate_revoked, certificate_expired, certificate_untrusted…).
std::string_view reason_for_verify_error(int x509_error) noexcept;

}  // namespace pse::broker
