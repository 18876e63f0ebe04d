#include "provider_sign_in.hpp"

#include "https_client.hpp"
#include "url_form.hpp"
#include "oidc/token_response.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pse::portal {
namespace {

std::string read_secret(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  if (!in || secret.empty()) throw std::runtime_error("cannot read the OpenID client secret " + file.string());
  return secret;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

ProviderSignIn::ProviderSignIn(OidcSettings settings, std::string public_url)
    : settings_(std::move(settings)),
      public_url_(std::move(public_url)),
      redirect_uri_(public_url_ + "/auth/callback"),
      client_secret_(read_secret(settings_.client_secret_file)) {}

Expected<oidc::ProviderMetadata, std::string> ProviderSignIn::metadata() {
  std::lock_guard lock(mutex_);
  if (metadata_) return *metadata_;
  auto answer = web::https_request({"GET", settings_.issuer + "/.well-known/openid-configuration", {}, {}},
                                   {settings_.ca, std::chrono::seconds(10), oidc::kMaxMetadataBytes});
  if (!answer) return "the provider's discovery document: " + answer.error();
  if (answer->status != 200) return "the provider's discovery document: HTTP " + std::to_string(answer->status);
  auto parsed = oidc::parse_provider_metadata(answer->body, settings_.issuer);
  if (!parsed) return "the provider's discovery document: " + parsed.error();
  metadata_ = *parsed;
  return *metadata_;
}

Expected<oidc::KeySet, std::string> ProviderSignIn::keys(bool refresh) {
  auto provider = metadata();
  if (!provider) return provider.error();
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  if (keys_ && (!refresh || now - keys_read_ < std::chrono::minutes(1))) return *keys_;
  auto answer = web::https_request({"GET", provider->jwks_uri, {}, {}},
                                   {settings_.ca, std::chrono::seconds(10), oidc::KeySet::kMaxBytes});
  if (!answer) return "the provider's keys: " + answer.error();
  if (answer->status != 200) return "the provider's keys: HTTP " + std::to_string(answer->status);
  auto parsed = oidc::KeySet::parse(answer->body);
  if (!parsed) return "the provider's keys: " + parsed.error();
  keys_ = std::move(*parsed);
  keys_read_ = now;
  return *keys_;
}

std::string ProviderSignIn::authorization_url(const std::string& state, const std::string& nonce,
                                              const std::string& code_challenge) {
  auto provider = metadata();
  // Without the provider, the browser goes to a page that says so rather than nowhere.
  if (!provider) return "/auth/callback?error=provider_unavailable&state=" + web::percent_encode(state);
  return oidc::authorization_url(*provider, settings_.client_id, redirect_uri_, settings_.scope, state, nonce,
                                 code_challenge);
}

Expected<oidc::IdToken, std::string> ProviderSignIn::redeem(const std::string& code, const std::string& code_verifier,
                                                            const std::string& nonce) {
  auto provider = metadata();
  if (!provider) return provider.error();
  web::HttpsCall call{"POST", provider->token_endpoint,
                      {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Accept", "application/json"},
                       {"Authorization", oidc::basic_authorization(settings_.client_id, client_secret_)}},
                      oidc::token_request_body(code, redirect_uri_, code_verifier)};
  auto answer = web::https_request(call, {settings_.ca, std::chrono::seconds(10), oidc::kMaxTokenResponseBytes});
  if (!answer) return "the token endpoint: " + answer.error();
  auto tokens = oidc::parse_token_response(answer->body);
  if (!tokens) return "the token endpoint (HTTP " + std::to_string(answer->status) + "): " + tokens.error();

  oidc::IdTokenExpectations expect;
  expect.issuer = settings_.issuer;
  expect.client_id = settings_.client_id;
  expect.nonce = nonce;
  expect.now = unix_now();
  expect.subject_claim = settings_.subject_claim;
  auto key_set = keys(false);
  if (!key_set) return key_set.error();
  auto token = oidc::verify_id_token(tokens->id_token, *key_set, expect);
  if (token) return token;
  // A key the set lacks: the provider may have rotated its keys since they were read.
  auto fresh = keys(true);
  if (!fresh) return token.error();
  return oidc::verify_id_token(tokens->id_token, *fresh, expect);
}

std::string ProviderSignIn::sign_out_url() {
  std::lock_guard lock(mutex_);
  if (!metadata_ || metadata_->end_session_endpoint.empty()) return "/";
  return metadata_->end_session_endpoint + "?client_id=" + web::percent_encode(settings_.client_id) +
         "&post_logout_redirect_uri=" + web::percent_encode(public_url_ + "/");
}

}  // namespace pse::portal
