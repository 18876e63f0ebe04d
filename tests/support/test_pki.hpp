// A throw-away platform PKI made with the real pse-pki script, for integration tests.
#pragma once

#include "support/tls_client.hpp"

#include <filesystem>
#include <string>

namespace pse::testing {

/// Runs a shell command; throws std::runtime_error with its output when it exits non-zero.
std::string run_command(const std::string& command);

/// Certificates are issued once per build tree and sequence of commands, then copied (see
/// test_pki.cpp); a revocation, a CRL or a certificate made without pse-pki ends the caching
/// for this PKI, whose later commands really run.
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
  /// `pse-pki crl`: a new CRL whose nextUpdate is `days` away.
  void publish_crl(int days) const;

  std::filesystem::path ca() const { return dir_ / "ca.crt"; }
  std::filesystem::path crl() const { return dir_ / "crl.pem"; }
  std::filesystem::path server_cert() const { return dir_ / "servers/broker.crt"; }
  std::filesystem::path server_key() const { return dir_ / "servers/broker.key"; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  /// Runs `pse-pki command --dir DIR arguments`, or copies the state it left last time.
  void run_pki(const std::string& command, const std::string& arguments) const;
  void stop_caching() const;

  std::filesystem::path dir_;
  /// A hash of the commands run so far, naming their state in the cache; empty once a command
  /// that is not cached has changed the PKI.
  mutable std::string history_;
};

}  // namespace pse::testing
