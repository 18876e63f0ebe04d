#include "portal_app.hpp"

#include "base/log.hpp"
#include "broker/consent/receipt.hpp"
#include "oidc/pkce.hpp"
#include "preferences_consent.hpp"
#include "preferences_store.hpp"
#include "url_form.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace pse::portal {
namespace {

struct Target {
  std::string path;
  std::string query;
  Language language = Language::fr;
};

Target parse_target(std::string_view target) {
  Target parsed;
  const auto question = target.find('?');
  parsed.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return parsed;
  parsed.query = std::string(target.substr(question + 1));
  std::string_view query = parsed.query;
  while (!query.empty()) {
    const auto amp = query.find('&');
    if (query.substr(0, amp) == "lang=en") parsed.language = Language::en;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return parsed;
}

// One value of a query string; nullopt when absent or badly escaped.
std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) return web::percent_decode(pair.substr(equals + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    std::string_view pair = header.substr(0, semicolon);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (semicolon == std::string_view::npos) break;
    header.remove_prefix(semicolon + 1);
  }
  return std::nullopt;
}

// Both cookies are Lax, not Strict: the provider's redirect back to /auth/callback is a
// navigation from another site, and it must carry the login cookie. Posts are guarded by the
// CSRF token, not by the cookie's SameSite.
std::string set_cookie(std::string_view name, std::string_view value, const char* max_age = nullptr) {
  std::string cookie = std::string(name) + "=" + std::string(value) + "; Path=/; Secure; HttpOnly; SameSite=Lax";
  if (max_age != nullptr) cookie += std::string("; Max-Age=") + max_age;
  return cookie;
}

WebResponse redirect(std::string location) {
  WebResponse response;
  response.status = 303;
  response.body.clear();
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

bool valid_record_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string_view media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type;
}

constexpr Words kUnavailable{"Service momentanément indisponible", "Service temporarily unavailable"};
constexpr Words kUnavailableText{"Vos renseignements ne peuvent pas être affichés pour l'instant. Réessayez dans quelques minutes.",
                                 "Your information cannot be shown right now. Try again in a few minutes."};

}  // namespace

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

web::Headers PortalApp::security_headers() {
  return {{"Content-Security-Policy",
           "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' https:; frame-ancestors 'none'; "
           "base-uri 'none'"},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"},
          {"Strict-Transport-Security", "max-age=31536000"},
          {"Cache-Control", "no-store"},
          {"Cross-Origin-Opener-Policy", "same-origin"},
          {"Cross-Origin-Resource-Policy", "same-origin"},
          {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"}};
}

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
  if (!get && !post) {
    WebResponse refused = message(405, context, {"Méthode non permise", "Method not allowed"},
                                  {"Cette adresse ne permet pas cette action.", "This address does not allow this action."});
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

  const bool page = target.path == "/" || target.path == "/consentements" || target.path == "/acces" ||
                    target.path == "/acces/preuve" ||
                    target.path == "/consentements/revoquer" || target.path == "/consentements/nouveau" ||
                    target.path == "/consentements/donner" || target.path == "/consentements/recu" ||
                    target.path == "/consentements/recu.jws" || (target.path == "/preferences" && preferences_);
  if (!page) {
    return message(404, context, {"Page introuvable", "Page not found"},
                   {"Cette page n'existe pas.", "This page does not exist."});
  }
  if (!session) {
    if (target.path == "/" && get) return WebResponse{200, "text/html; charset=utf-8", welcome_page(context), {}};
    // A page about the citizen: sign in first (a post without a session is not replayed).
    if (get) return redirect("/auth/login" + language_query(target.language));
    return message(401, context, {"Session expirée", "Session expired"},
                   {"Votre session a pris fin. Connectez-vous de nouveau, puis recommencez.",
                    "Your session has ended. Sign in again, then start over."});
  }
  context.name = session->name.empty() ? session->subject : session->name;
  context.csrf = session->csrf;
  if (target.path == "/" && get) return WebResponse{200, "text/html; charset=utf-8", home_page(context), {}};
  if (target.path == "/consentements" && get) {
    if (query_value(target.query, "revoked") == "1") {
      context.notice = Words{"Le consentement est révoqué. Il ne permet plus aucune communication.",
                             "The consent is revoked. It no longer allows any communication."}
                           .in(target.language);
    }
    return show_consents(*session, context);
  }
  if (target.path == "/consentements/revoquer" && post) return revoke_consent(request, *session, *session_id, context);
  if (target.path == "/consentements/nouveau" && get) return show_offers(context);
  if (target.path == "/consentements/donner" && post) return give_consent(request, *session, *session_id, context);
  if (target.path == "/consentements/recu" && get) {
    return show_receipt(*session, context, query_value(target.query, "event").value_or(""));
  }
  if (target.path == "/consentements/recu.jws" && get) return download_receipt(*session, context);
  if (target.path == "/acces" && get) return show_accesses(*session, context);
  if (target.path == "/acces/preuve" && get) {
    return download_proof(*session, context, query_value(target.query, "seq").value_or(""));
  }
  if (target.path == "/preferences" && get) {
    const auto saved = query_value(target.query, "saved");
    if (saved == "1" || saved == "consent") {
      context.notice = (saved == "1" ? Words{"Vos préférences sont enregistrées.", "Your preferences are saved."}
                                     : Words{"Vos préférences sont enregistrées, ainsi que votre consentement à ce que la "
                                             "plateforme de notification les consulte.",
                                             "Your preferences are saved, and so is your consent that the notification "
                                             "platform reads them."})
                           .in(target.language);
    }
    return show_preferences(*session, context);
  }
  if (target.path == "/preferences" && post) return save_preferences(request, *session, *session_id, context);
  WebResponse refused = message(405, context, {"Méthode non permise", "Method not allowed"},
                                {"Cette adresse ne permet pas cette action.", "This address does not allow this action."});
  const bool post_only = target.path == "/consentements/revoquer" || target.path == "/consentements/donner";
  refused.headers.emplace_back("Allow", post_only ? "POST" : "GET, HEAD");
  return refused;
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

Expected<std::map<std::string, std::string>, WebResponse> PortalApp::accept_post(
    const WebRequest& request, const Session& session, const PageContext& context,
    std::initializer_list<std::string_view> fields) {
  const auto monotonic_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now_().time_since_epoch()).count();
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
  auto form = web::parse_form(request.body, fields);
  if (!form) return message(400, context, refused, {"Le formulaire est invalide.", "The form is invalid."});
  const auto csrf = form->find("csrf");
  if (csrf == form->end() || !oidc::same_secret(csrf->second, session.csrf)) {
    return message(403, context, refused,
                   {"Ce formulaire a expiré. Revenez à la page et recommencez.", "This form has expired. Go back to the page and try again."});
  }
  return std::move(*form);
}

WebResponse PortalApp::sign_out(const WebRequest& request, const std::optional<std::string>& session_id,
                                Language language) {
  PageContext context;
  context.language = language;
  context.path = "/";
  std::optional<Session> session = session_id ? sessions_.find(*session_id, now_()) : std::nullopt;
  if (!session) return redirect("/" + language_query(language));
  auto form = accept_post(request, *session, context, {"csrf"});
  if (!form) return form.error();
  sessions_.close(*session_id);
  WebResponse response = redirect(sign_in_.sign_out_url());
  response.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, "", "0"));
  return response;
}

WebResponse PortalApp::show_consents(const Session& session, PageContext context) {
  auto answer = registry_.call(RegistryMethod::get, registry_path({"subjects", session.subject, "consents"}));
  if (!answer) {
    log::warn("the broker did not list consents", {{"reason", to_string(answer.error().reason)}});
    return message(503, context, kUnavailable, kUnavailableText);
  }
  return WebResponse{200, "text/html; charset=utf-8", consents_page(context, content_, *answer), {}};
}

WebResponse PortalApp::revoke_consent(const WebRequest& request, const Session& session, const std::string& session_id,
                                      PageContext context) {
  context.path = "/consentements";
  auto form = accept_post(request, session, context, {"csrf", "id"});
  if (!form) return form.error();
  const std::string& id = (*form)["id"];
  const Words refused{"Révocation impossible", "Revocation failed"};
  if (!valid_record_id(id)) return message(400, context, refused, {"Ce consentement n'existe pas.", "This consent does not exist."});
  // The broker revokes only a consent of this subject: the id of another citizen's is refused.
  auto answer = registry_.call(RegistryMethod::post, registry_path({"consents", id, "revoke"}),
                               {{"subject", session.subject}, {"method", "pse-portal"}});
  if (!answer) {
    const Reason reason = answer.error().reason;
    log::warn("the broker refused a revocation", {{"reason", to_string(reason)}});
    if (reason == Reason::record_not_current) {
      return message(409, context, refused, {"Ce consentement est déjà révoqué ou a été remplacé.", "This consent is already revoked or was replaced."});
    }
    if (reason == Reason::provider_unavailable || reason == Reason::store_unavailable || reason == Reason::audit_unavailable ||
        reason == Reason::overloaded || reason == Reason::shutting_down) {
      return message(503, context, kUnavailable, kUnavailableText);
    }
    return message(404, context, refused, {"Ce consentement n'existe pas.", "This consent does not exist."});
  }
  log::info("consent revoked by its subject", {{"consent", id}});
  if (const auto* receipt = answer->if_contains("receipt"); receipt != nullptr && receipt->is_string()) {
    sessions_.remember_receipt(session_id, std::string(receipt->as_string()));
  }
  return redirect(std::string("/consentements/recu?event=revoked") + (context.language == Language::en ? "&lang=en" : ""));
}

WebResponse PortalApp::show_accesses(const Session& session, PageContext context) {
  auto answer = registry_.call(RegistryMethod::get, registry_path({"subjects", session.subject, "accesses"}));
  if (!answer) {
    log::warn("the broker did not list accesses", {{"reason", to_string(answer.error().reason)}});
    return message(503, context, kUnavailable, kUnavailableText);
  }
  return WebResponse{200, "text/html; charset=utf-8", accesses_page(context, content_, *answer), {}};
}

WebResponse PortalApp::download_proof(const Session& session, PageContext context, const std::string& seq) {
  context.path = "/acces";
  const Words title{"Preuve introuvable", "Proof not found"};
  const bool number = !seq.empty() && seq.size() <= 20 && seq.find_first_not_of("0123456789") == std::string::npos;
  if (!number) return message(400, context, title, {"Ce numéro d'inscription n'est pas valide.", "This entry number is not valid."});
  // The broker proves only an entry about this subject: another's is "not found", like a number never used.
  auto answer = registry_.call(RegistryMethod::get, registry_path({"subjects", session.subject, "accesses", seq, "proof"}));
  if (!answer) {
    if (answer.error().reason == Reason::not_found) {
      return message(404, context, title,
                     {"Aucune inscription de ce numéro ne vous concerne, ou elle n'est pas encore signée. Réessayez dans "
                      "une minute.",
                      "No entry of this number is about you, or it is not signed yet. Try again in a minute."});
    }
    log::warn("the broker did not give a proof", {{"reason", to_string(answer.error().reason)}});
    return message(503, context, kUnavailable, kUnavailableText);
  }
  WebResponse response{200, "application/json", boost::json::serialize(*answer) + "\n", {}};
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"preuve-inscription-" + seq + ".json\"");
  return response;
}

WebResponse PortalApp::show_offers(PageContext context) {
  std::vector<ConsentOffer> offers;
  if (content_.policy) offers = consent_offers(*content_.policy, wall_clock_());
  return WebResponse{200, "text/html; charset=utf-8", offers_page(context, content_, offers), {}};
}

WebResponse PortalApp::give_consent(const WebRequest& request, const Session& session, const std::string& session_id,
                                    PageContext context) {
  context.path = "/consentements/nouveau";
  auto form = accept_post(request, session, context, {"csrf", "offer", "months"});
  if (!form) return form.error();
  const Words refused{"Consentement non enregistré", "Consent not recorded"};
  const std::string& months_text = (*form)["months"];
  const int months = months_text == "3" ? 3 : months_text == "6" ? 6 : months_text == "12" ? 12 : 0;
  std::optional<ConsentOffer> offer;
  if (content_.policy) {
    for (ConsentOffer& each : consent_offers(*content_.policy, wall_clock_())) {
      if (each.id == (*form)["offer"]) offer = std::move(each);
    }
  }
  if (!offer || months == 0) {
    return message(400, context, refused, {"Ce consentement ne peut pas être donné ici.", "This consent cannot be given here."});
  }
  // A month is counted as 30 days: a 12-month consent stays within a year.
  const policy::Instant expires = wall_clock_() + std::chrono::days(30 * months);
  const boost::json::object body{
      {"subject", session.subject},
      {"given_by", {{"kind", "subject"}}},
      {"provider", offer->provider},
      {"consumer", offer->consumer},
      {"categories", boost::json::array{boost::json::value(offer->category)}},
      {"purpose",
       {{"code", offer->purpose},
        {"fr", content_.words.purpose(offer->purpose, Language::fr)},
        {"en", content_.words.purpose(offer->purpose, Language::en)}}},
      {"notice", {{"reference", "PSE-PORTAIL"}, {"version", "1"}, {"language", context.language == Language::en ? "en" : "fr"}}},
      {"collection_method", "pse-portal"},
      {"expires_at", policy::format_instant(expires)}};
  auto answer = registry_.call(RegistryMethod::post, registry_path({"consents"}), body);
  if (!answer) {
    log::warn("the broker refused a grant", {{"reason", to_string(answer.error().reason)}});
    return message(503, context, kUnavailable, kUnavailableText);
  }
  if (const auto* receipt = answer->if_contains("receipt"); receipt != nullptr && receipt->is_string()) {
    sessions_.remember_receipt(session_id, std::string(receipt->as_string()));
  }
  log::info("consent given by its subject", {{"offer", offer->id}});
  return redirect(std::string("/consentements/recu?event=granted") + (context.language == Language::en ? "&lang=en" : ""));
}

WebResponse PortalApp::show_preferences(const Session& session, PageContext context) {
  auto saved = preferences_->find(session.subject);
  if (!saved) return message(503, context, kUnavailable, kUnavailableText);
  PreferencesForm form;
  if (*saved) {
    form.values = **saved;
  } else {
    form.values.language = context.language == Language::en ? "en" : "fr";  // the default: the page's
  }
  return WebResponse{200, "text/html; charset=utf-8", preferences_page(context, form), {}};
}

WebResponse PortalApp::save_preferences(const WebRequest& request, const Session& session, const std::string& session_id,
                                        PageContext context) {
  auto posted = accept_post(request, session, context,
                            {"csrf", "channel", "email", "mobile", "language", "quiet_hours_start", "quiet_hours_end",
                             "access_notices"});
  if (!posted) return posted.error();
  const PreferencesForm form = read_preferences_form(*posted);
  if (!form.errors.empty()) return WebResponse{422, "text/html; charset=utf-8", preferences_page(context, form), {}};
  // The consent first: saved preferences that pse-notify may not read would be a broken promise.
  auto consents = registry_.call(RegistryMethod::get, registry_path({"subjects", session.subject, "consents"}));
  if (!consents) {
    log::warn("the broker did not list consents", {{"reason", to_string(consents.error().reason)}});
    return message(503, context, kUnavailable, kUnavailableText);
  }
  const bool consent_needed = !preferences_consent_in_force(*consents);
  if (consent_needed) {
    auto given = registry_.call(RegistryMethod::post, registry_path({"consents"}),
                                preferences_consent_request(session.subject, context.language, content_.words, wall_clock_()));
    if (!given) {
      log::warn("the broker refused a grant", {{"reason", to_string(given.error().reason)}});
      return message(503, context, kUnavailable, kUnavailableText);
    }
    if (const auto* receipt = given->if_contains("receipt"); receipt != nullptr && receipt->is_string()) {
      sessions_.remember_receipt(session_id, std::string(receipt->as_string()));
    }
  }
  if (!preferences_->save(session.subject, form.values)) return message(503, context, kUnavailable, kUnavailableText);
  log::info("contact preferences saved", {{"consent_given", consent_needed}});
  return redirect(std::string("/preferences?saved=") + (consent_needed ? "consent" : "1") +
                  (context.language == Language::en ? "&lang=en" : ""));
}

WebResponse PortalApp::show_receipt(const Session& session, PageContext context, std::string_view event) {
  if (session.receipt.empty()) {
    return message(404, context, {"Aucun reçu", "No receipt"},
                   {"Aucun consentement n'a été donné ou révoqué dans cette session.",
                    "No consent was given or revoked in this session."});
  }
  if (event == "granted") {
    context.notice = Words{"Votre consentement est enregistré.", "Your consent is recorded."}.in(context.language);
  } else if (event == "revoked") {
    context.notice = Words{"Le consentement est révoqué. Il ne permet plus aucune communication.",
                           "The consent is revoked. It no longer allows any communication."}
                         .in(context.language);
  }
  ReceiptCheck check;
  if (content_.receipt_key) {
    check.checked = true;
    check.valid = consent::verify_receipt(session.receipt, *content_.receipt_key).has_value();
    check.key_id = audit::key_id(*content_.receipt_key);
  }
  return WebResponse{200, "text/html; charset=utf-8", receipt_page(context, check), {}};
}

WebResponse PortalApp::download_receipt(const Session& session, PageContext context) {
  if (session.receipt.empty()) return show_receipt(session, std::move(context), "");
  WebResponse response{200, "application/jose; charset=us-ascii", session.receipt + "\n", {}};
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"recu-consentement.jws\"");
  return response;
}

}  // namespace pse::portal
