// The citizen's page, independent of the network: a request in, a response out. Sign-in with
// the identity provider (SignIn) and the consent registry (Registry) are behind interfaces
// whose real implementations talk to the provider and to the broker.
//
//   GET  /                          welcome, or the signed-in home
//   GET  /auth/login                starts a sign-in: state, nonce, PKCE, a login cookie → provider
//   GET  /auth/callback             the provider's answer: the same browser, the state, the code
//                                   redeemed and the ID token checked → a new session
//   POST /auth/logout               (CSRF) ends the session → the provider's sign-out
//   GET  /consentements             the citizen's consents (GET /v1/subjects/{s}/consents)
//   POST /consentements/revoquer    (CSRF) revokes one of them (POST /v1/consents/{id}/revoke)
//   GET  /consentements/nouveau     the consents the published policy lets the citizen give
//   POST /consentements/donner      (CSRF) gives one (POST /v1/consents, given by the subject)
//   GET  /consentements/recu[.jws]  the last grant's or revocation's signed receipt, checked
//                                   with the platform's key, and its download
//   GET  /acces                     who received their information (GET /v1/subjects/{s}/accesses)
//   GET  /acces/preuve?seq=N        the inclusion proof of one of those entries, as a file
//   GET  /preferences               how they want to be reached (the preferences store; only
//                                   with one: otherwise 404 and no link)
//   POST /preferences               (CSRF) checks every field and shows the form again with its
//                                   errors, or saves — consenting that pse-notify reads them,
//                                   unless such a consent is in force (POST /v1/consents)
//   GET  /static/portal.css, /healthz
//
// Every page about a citizen needs a session, and uses only that session's subject: no
// request names a subject, so no citizen can ask for another's. Posts are rate limited per
// address (IPv6 per /64), need the form content type and the session's CSRF token, and any
// other method is 405.
#pragma once

#include "pages.hpp"
#include "portal_content.hpp"
#include "sessions.hpp"

#include "oidc/id_token.hpp"
#include "rate_limiter.hpp"
#include "web_types.hpp"

#include <pse/registry.hpp>
#include <pse/result.hpp>

#include <functional>
#include <string>

namespace pse::portal {

using web::WebRequest;
using web::WebResponse;

/// The identity provider, for one sign-in.
class SignIn {
 public:
  virtual ~SignIn() = default;
  /// Where to send the browser to sign in.
  virtual std::string authorization_url(const std::string& state, const std::string& nonce,
                                        const std::string& code_challenge) = 0;
  /// The code redeemed at the token endpoint and the ID token checked (signature, issuer,
  /// audience, nonce, times, subject claim); the error names what failed, never a token.
  virtual Expected<oidc::IdToken, std::string> redeem(const std::string& code, const std::string& code_verifier,
                                                      const std::string& nonce) = 0;
  /// Where to send the browser once signed out here (the provider's end of session, or "/").
  virtual std::string sign_out_url() = 0;
};

/// The consent registry, called as the consent authority.
class Registry {
 public:
  virtual ~Registry() = default;
  virtual Result<boost::json::object> call(RegistryMethod method, const std::string& target,
                                           const boost::json::object& body = {}) = 0;
};

class PreferencesStore;

class PortalApp {
 public:
  /// `preferences`: the store behind "Mes préférences"; null: no such page.
  PortalApp(SessionStore& sessions, SignIn& sign_in, Registry& registry, web::RateLimiter& limiter,
            const PortalContent& content, std::function<Clock::time_point()> now = Clock::now,
            std::function<policy::Instant()> wall_clock = {}, PreferencesStore* preferences = nullptr);

  WebResponse handle(const WebRequest& request);

  /// The headers of every response (CSP without scripts, no framing, no caching…).
  static web::Headers security_headers();
  /// The page for what the HTTPS server refuses itself (400, 413, 431, 500).
  static WebResponse error_page(int status);

 private:
  WebResponse start_sign_in(Language language);
  WebResponse finish_sign_in(const WebRequest& request, const std::string& query);
  WebResponse sign_out(const WebRequest& request, const std::optional<std::string>& session_id, Language language);
  WebResponse show_consents(const Session& session, PageContext context);
  WebResponse revoke_consent(const WebRequest& request, const Session& session, const std::string& session_id,
                             PageContext context);
  WebResponse show_accesses(const Session& session, PageContext context);
  WebResponse show_offers(PageContext context);
  WebResponse download_proof(const Session& session, PageContext context, const std::string& seq);
  WebResponse give_consent(const WebRequest& request, const Session& session, const std::string& session_id,
                           PageContext context);
  WebResponse show_receipt(const Session& session, PageContext context, std::string_view event);
  WebResponse download_receipt(const Session& session, PageContext context);
  WebResponse show_preferences(const Session& session, PageContext context);
  WebResponse save_preferences(const WebRequest& request, const Session& session, const std::string& session_id,
                               PageContext context);
  WebResponse message(int status, PageContext context, Words title, Words text) const;
  /// The post's fields when it may proceed (rate limit, content type, body, CSRF); otherwise the refusal.
  Expected<std::map<std::string, std::string>, WebResponse> accept_post(const WebRequest& request, const Session& session,
                                                                          const PageContext& context,
                                                                          std::initializer_list<std::string_view> fields);

  SessionStore& sessions_;
  SignIn& sign_in_;
  Registry& registry_;
  web::RateLimiter& limiter_;
  const PortalContent& content_;
  std::function<Clock::time_point()> now_;
  std::function<policy::Instant()> wall_clock_;
  PreferencesStore* preferences_;
};

inline constexpr std::string_view kSessionCookie = "__Host-pse-portal";
inline constexpr std::string_view kLoginCookie = "__Host-pse-login";

}  // namespace pse::portal
