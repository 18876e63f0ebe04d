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
//   GET  /procurations              the mandates the citizen gave and received
//                                   (GET /v1/subjects/{s}/mandates)
//   POST /procurations/donner       (CSRF) gives a delegate a mandate (POST /v1/mandates)
//   POST /procurations/revoquer     (CSRF) revokes one (POST /v1/mandates/{id}/revoke)
//   POST /procurations/agir         (CSRF) acts for the citizen who gave a received mandate, once
//                                   their file number matches it on both sides
//   POST /procurations/cesser       (CSRF) stops acting for them
//   GET  /static/portal.css, /healthz
//
// Every page about a citizen needs a session, and uses only that session's subject, or, while
// acting under a mandate, its mandator's, within the mandate's scope (the consent pages only;
// the broker checks the mandate again on every grant and revocation): no request names a
// subject, so no citizen can ask for another's. Posts are rate limited per address (IPv6 per
// /64), need the form content type and the session's CSRF token, and any other method is 405.
#pragma once

#include "pages.hpp"
#include "portal_content.hpp"
#include "route_helpers.hpp"
#include "sessions.hpp"

#include "oidc/id_token.hpp"
#include "rate_limiter.hpp"
#include "web_types.hpp"

#include <pse/registry.hpp>
#include <pse/result.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

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
  /// One signed-in request, as the routes see it.
  struct Call {
    const WebRequest& request;
    const Target& target;
    const Session& session;
    const std::string& session_id;
    PageContext context;
    /// Whose records the pages are about: the citizen's own, or the one they act for.
    const std::string& subject() const { return session.acting ? session.acting->mandator : session.subject; }
  };
  using Handler = WebResponse (PortalApp::*)(Call&);
  struct Route {
    std::string_view path;
    bool post;
    Handler handler;
    bool while_acting;  ///< open to a delegate acting under a mandate
  };
  static const Route kRoutes[];

  WebResponse start_sign_in(Language language);
  WebResponse finish_sign_in(const WebRequest& request, const std::string& query);
  WebResponse sign_out(const WebRequest& request, const std::optional<std::string>& session_id, Language language);
  WebResponse dispatch(const Route& route, Call& call);

  WebResponse home(Call& call);
  // Consents (portal_consents.cpp); acting for someone, within the mandate's scope only.
  WebResponse show_consents(Call& call);
  WebResponse revoke_consent(Call& call);
  WebResponse show_offers(Call& call);
  WebResponse give_consent(Call& call);
  WebResponse show_receipt(Call& call);
  WebResponse download_receipt(Call& call);
  // The register (portal_register.cpp).
  WebResponse show_accesses(Call& call);
  WebResponse download_proof(Call& call);
  // Contact preferences (portal_preferences.cpp).
  WebResponse show_preferences(Call& call);
  WebResponse save_preferences(Call& call);
  // Mandates (portal_mandates.cpp).
  WebResponse show_mandates(Call& call);
  WebResponse give_mandate(Call& call);
  WebResponse revoke_mandate(Call& call);
  WebResponse act_for(Call& call);
  WebResponse stop_acting(Call& call);

  /// The categories and purposes a mandate may name: those of the consents a citizen may give.
  MandateScopeChoices scope_choices() const;
  /// The offers of the published policy in force now, kept to the mandate's scope when acting.
  std::vector<ConsentOffer> offers_for(const Session& session) const;
  /// The given_by of a grant or a revocation: the subject, or the mandatary under their mandate.
  boost::json::object given_by(const Session& session) const;
  /// A refusal or an outage of the registry as a page; `what` names the call in the log.
  WebResponse registry_failure(const Call& call, const Error& error, const char* what, Words title) const;
  WebResponse message(int status, PageContext context, Words title, Words text) const;
  /// The post's fields when it may proceed (rate limit, content type, body, CSRF); otherwise the refusal.
  using Form = std::map<std::string, std::string>;
  Expected<Form, WebResponse> accept_post(const Call& call, std::initializer_list<std::string_view> fields);
  Expected<Form, WebResponse> accept_post(const Call& call, const std::vector<std::string>& fields);
  Expected<Form, WebResponse> check_post(const WebRequest& request, const Session& session, const PageContext& context,
                                         std::optional<Form> form);

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
