// The citizen-facing application, independent of the network: a request in, a response out.
// The HTTPS server (https_server.hpp) only translates Beast messages to and from these types,
// so every rule below is tested without sockets.
//
//   GET  /f/<token>[?lang=en]   the form (or why it cannot be shown)
//   POST /f/<token>[?lang=en]   an answer: link → rate limit (per IPv4 address or IPv6 /64) →
//                               content type → body → honeypot → CSRF → fields → moderation →
//                               store (link marked used)
//   GET  /static/feedback.css   the stylesheet
//   GET  /healthz               "ok"
#pragma once

#include "csrf.hpp"
#include "feedback_store.hpp"
#include "link_token.hpp"
#include "moderation.hpp"
#include "pages.hpp"
#include "rate_limiter.hpp"
#include "services.hpp"
#include "web_types.hpp"
#include "word_filter.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace pse::feedback {

using web::RateLimiter;
using web::WebRequest;
using web::WebResponse;

/// The headers every response carries: a CSP without any script, no framing, no sniffing, no
/// referrer (the link's token is in the URL), HSTS, no caching of pages with a CSRF field.
std::vector<std::pair<std::string, std::string>> security_headers();

/// The page for a request the HTTPS server refuses before the application (400, 413, 431) or
/// for an application error (500), in French.
WebResponse error_page(int status);

struct WebAppOptions {
  std::size_t max_comment_chars = 2000;
  ModerationPolicy moderation;
};

class WebApp {
 public:
  using Clock = std::function<std::int64_t()>;  ///< unix seconds
  using MonotonicClock = std::function<std::int64_t()>;  ///< milliseconds

  WebApp(const ServiceCatalog& services, const LinkSigner& signer, FeedbackStore& store, const WordFilter& words,
         RateLimiter& limiter, WebAppOptions options, Clock now = {}, MonotonicClock monotonic = {});

  WebResponse handle(const WebRequest& request);

  /// Called after an answer was approved at once (to wake the outbox).
  void on_approved(std::function<void()> callback) { on_approved_ = std::move(callback); }

 private:
  WebResponse show_form(std::string_view token, Language language, const std::string& cookie_header);
  WebResponse submit(const WebRequest& request, std::string_view token, Language language);
  WebResponse message(int status, Message message, Language language, std::string_view token = {}) const;

  const ServiceCatalog& services_;
  const LinkSigner& signer_;
  FeedbackStore& store_;
  const WordFilter& words_;
  RateLimiter& limiter_;
  WebAppOptions options_;
  Clock now_;
  MonotonicClock monotonic_;
  CsrfGuard csrf_;
  std::array<unsigned char, 32> transaction_key_;
  std::function<void()> on_approved_;
};

/// "YYYY-MM-DD" of a unix time, UTC.
std::string utc_date(std::int64_t unix_seconds);

}  // namespace pse::feedback
