#include "web_app.hpp"

#include "base/log.hpp"
#include "base/utc_time.hpp"
#include "security_headers.hpp"
#include "url_form.hpp"

#include <chrono>

namespace pse::feedback {
using web::parse_form;
namespace {

constexpr std::uint64_t kCsrfKey = 1;
constexpr std::uint64_t kTransactionKey = 2;

struct Target {
  std::string path;
  Language language = Language::fr;
};

Target parse_target(std::string_view target) {
  Target parsed;
  const auto question = target.find('?');
  parsed.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return parsed;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair == "lang=en") parsed.language = Language::en;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return parsed;
}

std::string_view media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type;
}

}  // namespace

std::string utc_date(std::int64_t unix_seconds) {
  return format_utc_date(UtcMicros{std::chrono::seconds(unix_seconds)});
}

WebResponse error_page(int status) {
  const Message message = status == 413 ? Message::payload_too_large
                          : status >= 500 ? Message::server_error
                                          : Message::bad_request;
  return WebResponse{status, "text/html; charset=utf-8", render_message(message, Language::fr), {}};
}

std::vector<std::pair<std::string, std::string>> security_headers() { return web::security_headers(); }

WebApp::WebApp(const ServiceCatalog& services, const LinkSigner& signer, FeedbackStore& store, const WordFilter& words,
               RateLimiter& limiter, WebAppOptions options, Clock now, MonotonicClock monotonic)
    : services_(services),
      signer_(signer),
      store_(store),
      words_(words),
      limiter_(limiter),
      options_(options),
      now_(now ? std::move(now) : Clock([] {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      })),
      monotonic_(monotonic ? std::move(monotonic) : MonotonicClock([] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
      })),
      csrf_(signer.derive_key(kCsrfKey)),
      transaction_key_(signer.derive_key(kTransactionKey)) {}

WebResponse WebApp::message(int status, Message kind, Language language, std::string_view token) const {
  WebResponse response;
  response.status = status;
  response.body = render_message(kind, language, token);
  return response;
}

WebResponse WebApp::handle(const WebRequest& request) {
  const Target target = parse_target(request.target);
  if (target.path == "/static/feedback.css" && request.method == "GET") {
    WebResponse response;
    response.content_type = "text/css; charset=utf-8";
    response.body = std::string(stylesheet());
    return response;
  }
  if (target.path == "/healthz" && request.method == "GET") {
    WebResponse response;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "ok\n";
    return response;
  }
  if (target.path.rfind("/f/", 0) != 0 || target.path.size() <= 3) {
    return message(404, Message::not_found, target.language);
  }
  const std::string token = target.path.substr(3);
  if (request.method == "GET" || request.method == "HEAD") return show_form(token, target.language, request.cookie);
  if (request.method == "POST") return submit(request, token, target.language);
  WebResponse refused = message(405, Message::bad_request, target.language);
  refused.headers.emplace_back("Allow", "GET, POST");
  return refused;
}

WebResponse WebApp::show_form(std::string_view token, Language language, const std::string& cookie_header) {
  auto claims = signer_.verify(token, now_());
  if (!claims) {
    if (claims.error() == TokenError::expired) return message(410, Message::link_expired, language);
    return message(403, Message::link_invalid, language);
  }
  const Service* service = services_.find(claims->service);
  if (service == nullptr) return message(404, Message::link_invalid, language);
  auto used = store_.link_used(transaction_key(transaction_key_, *claims));
  if (!used) {
    log::error("feedback store failed", {{"error", used.error().message}});
    return message(503, Message::server_error, language);
  }
  if (*used) return message(409, Message::already_answered, language, token);

  WebResponse response;
  std::optional<std::string> cookie = CsrfGuard::cookie_from_header(cookie_header);
  if (!cookie) {
    cookie = CsrfGuard::new_cookie_value();
    response.headers.emplace_back("Set-Cookie", CsrfGuard::set_cookie(*cookie));
  }
  FormView view;
  view.language = language;
  view.token = std::string(token);
  view.service_name = language == Language::en ? service->name_en : service->name_fr;
  view.csrf_field = csrf_.field_for(*cookie, token);
  view.max_comment_chars = options_.max_comment_chars;
  response.body = render_form(view);
  return response;
}

WebResponse WebApp::submit(const WebRequest& request, std::string_view token, Language language) {
  // The link first: a post without a genuine link is refused before it spends anything of the
  // budget of its address, which citizens behind the same NAT or /64 share. Refusing it costs
  // one signature check and nothing of the store, like GET; and guessing a link means forging
  // an Ed25519 signature, which no rate of attempts makes feasible, so such posts need no
  // budget of their own.
  auto claims = signer_.verify(token, now_());
  if (!claims) {
    if (claims.error() == TokenError::expired) return message(410, Message::link_expired, language);
    return message(403, Message::link_invalid, language);
  }
  const Service* service = services_.find(claims->service);
  if (service == nullptr) return message(404, Message::link_invalid, language);
  if (!limiter_.allow(request.remote_address, monotonic_())) {
    WebResponse limited = message(429, Message::rate_limited, language, token);
    limited.headers.emplace_back("Retry-After", "60");
    return limited;
  }
  const std::string key = transaction_key(transaction_key_, *claims);
  auto used = store_.link_used(key);
  if (!used) {
    log::error("feedback store failed", {{"error", used.error().message}});
    return message(503, Message::server_error, language, token);
  }
  if (*used) return message(409, Message::already_answered, language, token);

  if (media_type(request.content_type) != "application/x-www-form-urlencoded") {
    return message(415, Message::unsupported_media_type, language, token);
  }
  const auto fields = parse_form(request.body, {"csrf", "rating", "got_what_needed", "comment", "website"});
  if (!fields) return message(400, Message::bad_request, language, token);
  auto field = [&](const char* name) {
    const auto it = fields->find(name);
    return it == fields->end() ? std::string() : it->second;
  };

  // A robot filled the hidden field: thank it and keep nothing; the link stays usable.
  if (!field("website").empty()) {
    log::info("feedback honeypot filled", {{"service", claims->service}});
    return message(200, Message::thanks, language);
  }

  const std::optional<std::string> cookie = CsrfGuard::cookie_from_header(request.cookie);
  if (!cookie || !csrf_.check(*cookie, token, field("csrf"))) {
    return message(403, Message::session_expired, language, token);
  }

  FormValues values{field("rating"), field("got_what_needed"), field("comment")};
  auto answer = validate_answer(values, options_.max_comment_chars);
  if (!answer) {
    FormView view;
    view.language = language;
    view.token = std::string(token);
    view.service_name = language == Language::en ? service->name_en : service->name_fr;
    view.csrf_field = csrf_.field_for(*cookie, token);
    view.values = values;
    view.errors = answer.error();
    view.max_comment_chars = options_.max_comment_chars;
    WebResponse response;
    response.status = 400;
    response.body = render_form(view);
    return response;
  }

  const ModerationOutcome moderated = moderate_comment(answer->comment, language, words_, options_.moderation);
  NewFeedback feedback;
  feedback.service = claims->service;
  feedback.rating = answer->rating;
  feedback.got_what_needed = answer->got_what_needed;
  feedback.comment = moderated.text;
  feedback.language = language;
  feedback.submitted_on = utc_date(now_());
  feedback.score = moderated.score;
  for (const auto& reason : moderated.reasons) feedback.reasons += (feedback.reasons.empty() ? "" : ",") + reason;
  feedback.escalate = moderated.escalate;
  feedback.needs_review = moderated.needs_review;

  std::string id;
  auto stored = store_.submit(key, feedback, &id);
  if (!stored) {
    log::error("feedback store failed", {{"error", stored.error().message}});
    return message(503, Message::server_error, language, token);
  }
  if (*stored == SubmitOutcome::already_answered) return message(409, Message::already_answered, language, token);
  log::info("feedback received", {{"feedback_id", id},
                                  {"service", feedback.service},
                                  {"needs_review", feedback.needs_review},
                                  {"escalate", feedback.escalate}});
  if (!feedback.needs_review && on_approved_) on_approved_();
  return message(200, Message::thanks, language);
}

}  // namespace pse::feedback
