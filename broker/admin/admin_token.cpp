#include "broker/admin/admin_token.hpp"

#include "base/config_error.hpp"
#include "base/key_file.hpp"
#include "base/log.hpp"
#include "base/sha256.hpp"

#include <openssl/crypto.h>

namespace pse::broker {
namespace {

std::string read_token(const std::filesystem::path& file) {
  std::string token = read_secret_key_file(file);
  if (token.size() < AdminToken::kMinimumLength) {
    throw ConfigError(file, 0, "the admin token must be at least " + std::to_string(AdminToken::kMinimumLength) +
                                   " characters (openssl rand -hex 32)");
  }
  return token;
}

}  // namespace

AdminToken::AdminToken(std::filesystem::path file) : file_(std::move(file)) {}

void AdminToken::check_file() const {
  if (configured()) read_token(file_);
}

bool AdminToken::matches(std::string_view presented) const {
  if (!configured()) return false;
  std::string token;
  try {
    token = read_token(file_);
  } catch (const ConfigError& e) {
    log::error("admin token file unusable; state-changing admin routes are refused", {{"detail", e.what()}});
    return false;
  }
  const pse::Hash expected = pse::sha256(token);
  const pse::Hash given = pse::sha256(presented);
  return CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

}  // namespace pse::broker
