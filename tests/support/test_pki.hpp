// A throw-away platform PKI made with the real pse-pki script, for integration tests.
#pragma once

#include "support/tls_client.hpp"

#include <filesystem>
#include <string>

namespace pse::testing {

/// Runs a shell command; throws std::runtime_error with its output when it exits non-zero.
std::string run_command(const std::string& command);

class TestPki {
 public:
  /// `pse-pki init` in `dir` plus a server certificate "broker" for localhost/127.0.0.1.
  explicit TestPki(std::filesystem::path dir, const std::string& trust_domain = "pse.gouv.qc.ca");

  /// `pse-pki issue-org`; `extra` is appended to the command line (e.g. validity dates).
  ClientIdentity issue_org(const std::string& org, const std::string& extra = {}) const;
  /// A client certificate signed by this CA whose only URI SAN is `uri` (made with openssl
  /// directly, for identities pse-pki refuses to issue), with `extensions` (openssl -extfile
  /// lines) beside the SAN.
  ClientIdentity issue_with_uri(const std::string& name, const std::string& uri,
                                const std::string& extensions = "extendedKeyUsage=clientAuth") const;
  void revoke(const ClientIdentity& identity) const;

  std::filesystem::path ca() const { return dir_ / "ca.crt"; }
  std::filesystem::path crl() const { return dir_ / "crl.pem"; }
  std::filesystem::path server_cert() const { return dir_ / "servers/broker.crt"; }
  std::filesystem::path server_key() const { return dir_ / "servers/broker.key"; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace pse::testing
