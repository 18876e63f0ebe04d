// Signing keys for tests: the shipped classification requires signed records from integrity
// "élevé", so every provider in a test signs. One seed serves every test organisation, which
// keeps hand-driven connectors simple (record_response signs with it when asked); a test about
// signatures themselves makes keys of its own.
#pragma once

#include <pse/record_proof.hpp>

#include <filesystem>
#include <string>

namespace pse::testing {

/// The seed every test organisation signs with.
const integrity::Key& test_signing_seed();

/// Registers the test seed's public key for every organisation of config/orgs.yaml
/// (<keys_dir>/signing/<org>.pub) and writes the seed to <keys_dir>/../test.sign.key (chmod
/// 600), whose path it returns: the providers' ClientOptions::signing_key_file.
std::filesystem::path write_test_signing_keys(const std::filesystem::path& keys_dir);

/// A POST /v1/publish body (JSON text) with the test seed's signature added, as `publisher`'s
/// SDK would send it.
std::string signed_publish_body(const std::string& publisher, const std::string& body);

}  // namespace pse::testing
