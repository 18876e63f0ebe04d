// The citizen-facing pages, server-rendered HTML (no script) with one stylesheet: the form, its
// errors, and the messages (thanks, link already used, expired, invalid…). French by default,
// English on `?lang=en`. Built for WCAG 2.1 AA: one h1 per page, labels on every control, the
// radio groups in fieldset/legend, errors listed in a summary that links to each field and tied
// to the field with aria-describedby and aria-invalid, visible focus, contrast ≥ 4.5:1.
// Everything variable is HTML-escaped.
#pragma once

#include "form.hpp"
#include "language.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace pse::feedback {

struct FormView {
  Language language = Language::fr;
  std::string token;         ///< the link's token (already checked)
  std::string service_name;  ///< in `language`
  std::string csrf_field;
  FormValues values;         ///< what the citizen typed, shown again after an error
  FormErrors errors;
  std::size_t max_comment_chars = 2000;
};

std::string render_form(const FormView& view);

enum class Message {
  thanks,
  already_answered,
  link_expired,
  link_invalid,
  session_expired,  ///< CSRF check failed: reload the form
  rate_limited,
  bad_request,
  payload_too_large,
  unsupported_media_type,
  not_found,
  server_error,
};

/// A page with one message; `token` (may be empty) lets the language switch and the "back to
/// the form" link point at the same link.
std::string render_message(Message message, Language language, std::string_view token = {});

/// The message's title in `language` (what a test or a screen reader announces first).
std::string_view message_title(Message message, Language language);

/// The stylesheet served at /static/feedback.css.
std::string_view stylesheet();

/// The citizen-facing text of a field error.
std::string_view field_error_text(std::string_view field, FieldError error, Language language);

}  // namespace pse::feedback
