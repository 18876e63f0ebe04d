#include "portal_app.hpp"

#include "base/log.hpp"
#include "oidc/pkce.hpp"
#include "security_headers.hpp"
#include "url_form.hpp"

#include <chrono>

namespace pse::portal {

// Every page after sign-in. A delegate acting under a mandate reaches only the consent pages
// (within the mandate's scope) and the way to stop acting; their own mandates, register and
// preferences wait until they stop.
const PortalApp::Route PortalApp::kRoutes[] = {
    {"/", false, &PortalApp::home, true},
    {"/consentements", false, &PortalApp::show_consents, true},
    {"/consentements/revoquer", true, &PortalApp::revoke_consent, true},
    {"/consentements/nouveau", false, &PortalApp::show_offers, true},
    {"/consentements/donner", true, &PortalApp::give_consent, true},
    {"/consentements/recu", false, &PortalApp::show_receipt, true},
    {"/consentements/recu.jws", false, &PortalApp::download_receipt, true},
    {"/acces", false, &PortalApp::show_accesses, false},
    {"/acces/preuve", false, &PortalApp::download_proof, false},
    {"/preferences", false, &PortalApp::show_preferences, false},
    {"/preferences", true, &PortalApp::save_preferences, false},
    {"/procurations", false, &PortalApp::show_mandates, false},
    {"/procurations/donner", true, &PortalApp::give_mandate, false},
    {"/procurations/revoquer", true, &PortalApp::revoke_mandate, false},
    {"/procurations/agir", true, &PortalApp::act_for, false},
    {"/procurations/cesser", true, &PortalApp::stop_acting, true},
};

PortalApp::PortalApp(SessionStore& sessions, SignIn& sign_in, Registry& registry, web::RateLimiter& limiter,
                     const PortalContent& content, std::function<Clock::time_point()> now,
                     std::function<policy::Instant()> wall_clock, PreferencesStore* preferences)
    : sessions_(sessions),
      sign_in_(sign_in),
      registry_(registry),
      limiter_(limiter),
      content_(content),
      now_(std::move(now)),
      wall_clock_(wall_clock ? std::move(wall_clock) : [] {
        return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
      }),
      preferences_(preferences) {}

// form-action also allows https: the sign-out form's answer redirects to the identity provider,
// and Chromium applies form-action to the redirects after a post.
web::Headers PortalApp::security_headers() { return web::security_headers("'self' https:"); }

WebResponse PortalApp::error_page(int status) {
  PageContext context;
  context.path = "/";
  const bool too_large = status == 413;
  const bool server = status >= 500;
  return WebResponse{status, "text/html; charset=utf-8",
                     message_page(context,
                                  too_large ? Words{"Envoi trop volumineux", "Request too large"}
                                  : server  ? Words{"Erreur du service", "Service error"}
                                            : Words{"Demande invalide", "Bad request"},
                                  server ? kUnavailableText
                                         : Words{"La demande n'a pas pu être lue.", "The request could not be read."}),
                     {}};
}

WebResponse PortalApp::message(int status, PageContext context, Words title, Words text) const {
  return WebResponse{status, "text/html; charset=utf-8", message_page(context, title, text), {}};
}

WebResponse PortalApp::handle(const WebRequest& request) {
  const Target target = parse_target(request.target);
  PageContext context;
  context.language = target.language;
  context.path = target.path;
  context.preferences = preferences_ != nullptr;
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  const Words not_allowed{"Méthode non permise", "Method not allowed"};
  const Words not_allowed_text{"Cette adresse ne permet pas cette action.", "This address does not allow this action."};
  if (!get && !post) {
    WebResponse refused = message(405, context, not_allowed, not_allowed_text);
    refused.headers.emplace_back("Allow", "GET, HEAD, POST");
    return refused;
  }
  if (target.path == "/static/portal.css" && get) return WebResponse{200, "text/css; charset=utf-8", std::string(stylesheet()), {}};
  if (target.path == "/healthz" && get) return WebResponse{200, "text/plain; charset=utf-8", "ok\n", {}};
  if (target.path == "/auth/login" && get) return start_sign_in(target.language);
  if (target.path == "/auth/callback" && get) return finish_sign_in(request, target.query);

  const std::optional<std::string> session_id = cookie_value(request.cookie, kSessionCookie);
  std::optional<Session> session = session_id ? sessions_.find(*session_id, now_()) : std::nullopt;
  if (target.path == "/auth/logout" && post) return sign_out(request, session_id, target.language);

  const Route* route = nullptr;
  bool path_known = false;
  for (const Route& each : kRoutes) {
    if (each.path != target.path || (each.path == "/preferences" && preferences_ == nullptr)) continue;
    path_known = true;
    if (each.post == post) route = &each;
  }
  if (!path_known) {
    return message(404, context, {"Page introuvable", "Page not found"}, {"Cette page n'existe pas.", "This page does not exist."});
  }
  if (!session) {
    if (target.path == "/" && get) return WebResponse{200, "text/html; charset=utf-8", welcome_page(context), {}};
    // A page about the citizen: sign in first (a post without a session is not replayed).
    if (get) return redirect(in_language("/auth/login", target.language));
    return message(401, context, {"Session expirée", "Session expired"},
                   {"Votre session a pris fin. Connectez-vous de nouveau, puis recommencez.",
                    "Your session has ended. Sign in again, then start over."});
  }
  context.name = session->name.empty() ? session->subject : session->name;
  context.csrf = session->csrf;
  if (session->acting) context.acting_for = session->acting->mandator;
  if (route == nullptr) {
    WebResponse refused = message(405, context, not_allowed, not_allowed_text);
    refused.headers.emplace_back("Allow", post ? "GET, HEAD" : "POST");
    return refused;
  }
  Call call{request, target, *session, *session_id, context};
  return dispatch(*route, call);
}

WebResponse PortalApp::dispatch(const Route& route, Call& call) {
  if (call.session.acting && !route.while_acting) {
    return message(403, call.context, {"Hors de votre procuration", "Outside your mandate"},
                   {"Vous agissez pour une autre personne : votre procuration ne vous permet que ses consentements, "
                    "dans les catégories et pour les fins qu'elle nomme. Cessez d'agir pour elle pour revenir à votre dossier.",
                    "You are acting for someone else: your mandate covers only their consents, in the categories and for "
                    "the purposes it names. Stop acting for them to come back to your own file."});
  }
  return (this->*route.handler)(call);
}

WebResponse PortalApp::home(Call& call) {
  return WebResponse{200, "text/html; charset=utf-8", home_page(call.context), {}};
}

WebResponse PortalApp::start_sign_in(Language language) {
  const std::string state = oidc::random_token();
  const std::string nonce = oidc::random_token();
  const oidc::Pkce pkce = oidc::new_pkce();
  const std::string browser = oidc::random_token();
  sessions_.begin(state, PendingSignIn{nonce, pkce.verifier, browser, now_(), language == Language::en});
  WebResponse response = redirect(sign_in_.authorization_url(state, nonce, pkce.challenge));
  response.headers.emplace_back("Set-Cookie", set_cookie(kLoginCookie, browser, "600"));
  return response;
}

WebResponse PortalApp::finish_sign_in(const WebRequest& request, const std::string& query) {
  PageContext context;
  context.path = "/";
  const std::optional<std::string> state = query_value(query, "state");
  std::optional<PendingSignIn> pending = state ? sessions_.finish(*state, now_()) : std::nullopt;
  if (pending && pending->english) context.language = Language::en;
  const Words failed{"Connexion impossible", "Sign-in failed"};
  if (!pending) {
    return message(400, context, failed,
                   {"Cette connexion a expiré ou a déjà servi. Recommencez depuis l'accueil.",
                    "This sign-in has expired or was already used. Start again from the home page."});
  }
  const std::optional<std::string> browser = cookie_value(request.cookie, kLoginCookie);
  if (!browser || !oidc::same_secret(*browser, pending->browser)) {
    log::warn("sign-in refused: the callback came without this sign-in's login cookie");
    return message(400, context, failed,
                   {"Cette connexion n'a pas été commencée dans ce navigateur. Recommencez depuis l'accueil.",
                    "This sign-in was not started in this browser. Start again from the home page."});
  }
  const std::optional<std::string> code = query_value(query, "code");
  if (!code || code->empty() || code->size() > 2048) {
    return message(400, context, failed,
                   {"La connexion a été annulée ou refusée par le service d'authentification.",
                    "The sign-in was cancelled or refused by the authentication service."});
  }
  auto token = sign_in_.redeem(*code, pending->code_verifier, pending->nonce);
  if (!token) {
    log::warn("sign-in refused", {{"error", token.error()}});
    return message(502, context, failed,
                   {"La réponse du service d'authentification n'a pas pu être vérifiée. Recommencez.",
                    "The authentication service's answer could not be verified. Try again."});
  }
  const std::string id = sessions_.open(token->subject, token->name, now_());
  log::info("signed in", {{"sessions", sessions_.size()}});
  WebResponse response = redirect("/" + language_query(context.language));
  response.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, id));
  response.headers.emplace_back("Set-Cookie", set_cookie(kLoginCookie, "", "0"));
  return response;
}

Expected<PortalApp::Form, WebResponse> PortalApp::accept_post(const Call& call,
                                                              std::initializer_list<std::string_view> fields) {
  return check_post(call.request, call.session, call.context, web::parse_form(call.request.body, fields));
}

Expected<PortalApp::Form, WebResponse> PortalApp::accept_post(const Call& call, const std::vector<std::string>& fields) {
  return check_post(call.request, call.session, call.context, web::parse_form(call.request.body, fields));
}

Expected<PortalApp::Form, WebResponse> PortalApp::check_post(const WebRequest& request, const Session& session,
                                                             const PageContext& context, std::optional<Form> form) {
  const auto monotonic_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now_().time_since_epoch()).count();
  if (!limiter_.allow(request.remote_address, monotonic_ms)) {
    WebResponse limited = message(429, context, {"Trop de demandes", "Too many requests"},
                                  {"Attendez une minute, puis recommencez.", "Wait a minute, then try again."});
    limited.headers.emplace_back("Retry-After", "60");
    return limited;
  }
  const Words refused{"Demande refusée", "Request refused"};
  if (media_type(request.content_type) != "application/x-www-form-urlencoded") {
    return message(415, context, refused, {"Ce formulaire n'a pas été envoyé par cette page.", "This form was not sent by this page."});
  }
  if (!form) return message(400, context, refused, {"Le formulaire est invalide.", "The form is invalid."});
  const auto csrf = form->find("csrf");
  if (csrf == form->end() || !oidc::same_secret(csrf->second, session.csrf)) {
    return message(403, context, refused,
                   {"Ce formulaire a expiré. Revenez à la page et recommencez.", "This form has expired. Go back to the page and try again."});
  }
  return std::move(*form);
}

WebResponse PortalApp::registry_failure(const Call& call, const Error& error, const char* what, Words title) const {
  log::warn(std::string("the broker refused: ") + what, {{"reason", to_string(error.reason)}});
  switch (error.reason) {
    case Reason::provider_unavailable:
    case Reason::store_unavailable:
    case Reason::audit_unavailable:
    case Reason::overloaded:
    case Reason::shutting_down:
    case Reason::rate_limited:
      return message(503, call.context, kUnavailable, kUnavailableText);
    case Reason::record_not_current:
      return message(409, call.context, title,
                     {"Cet élément a déjà été révoqué ou remplacé.", "This item was already revoked or replaced."});
    case Reason::mandate_invalid:
      return message(403, call.context, title,
                     {"Votre procuration ne le permet pas : elle a pris fin, ou ne couvre pas cette catégorie ou cette fin.",
                      "Your mandate does not allow it: it has ended, or does not cover this category or purpose."});
    default:
      return message(404, call.context, title, {"Cet élément n'existe pas.", "This item does not exist."});
  }
}

WebResponse PortalApp::sign_out(const WebRequest& request, const std::optional<std::string>& session_id,
                                Language language) {
  PageContext context;
  context.language = language;
  context.path = "/";
  std::optional<Session> session = session_id ? sessions_.find(*session_id, now_()) : std::nullopt;
  if (!session) return redirect(in_language("/", language));
  auto form = check_post(request, *session, context, web::parse_form(request.body, {"csrf"}));
  if (!form) return form.error();
  sessions_.close(*session_id);
  WebResponse response = redirect(sign_in_.sign_out_url());
  response.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, "", "0"));
  return response;
}

}  // namespace pse::portal
