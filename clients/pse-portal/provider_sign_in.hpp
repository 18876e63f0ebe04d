// SignIn against a real OpenID provider: its discovery document and keys are read on first
// use (so the portal starts while the provider is still starting) and kept; the keys are read
// again, at most once a minute, when a token names a key they lack (the provider rotated).
// The client secret is sent with HTTP Basic, the code with its PKCE verifier.
#pragma once

#include "portal_app.hpp"
#include "portal_config.hpp"

#include "oidc/key_set.hpp"
#include "oidc/provider_metadata.hpp"

#include <mutex>
#include <optional>

namespace pse::portal {

class ProviderSignIn final : public SignIn {
 public:
  /// Reads the client secret file (throws std::runtime_error naming it when unreadable or empty).
  ProviderSignIn(OidcSettings settings, std::string public_url);

  std::string authorization_url(const std::string& state, const std::string& nonce,
                                const std::string& code_challenge) override;
  Expected<oidc::IdToken, std::string> redeem(const std::string& code, const std::string& code_verifier,
                                              const std::string& nonce) override;
  std::string sign_out_url() override;

 private:
  /// The provider's metadata, read now if it was not yet.
  Expected<oidc::ProviderMetadata, std::string> metadata();
  Expected<oidc::KeySet, std::string> keys(bool refresh);

  OidcSettings settings_;
  std::string public_url_;
  std::string redirect_uri_;
  std::string client_secret_;
  std::mutex mutex_;
  std::optional<oidc::ProviderMetadata> metadata_;
  std::optional<oidc::KeySet> keys_;
  Clock::time_point keys_read_{};
};

}  // namespace pse::portal
