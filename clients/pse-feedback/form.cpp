#include "form.hpp"

#include "text.hpp"
#include "url_form.hpp"

#include <algorithm>

namespace pse::feedback {
using web::code_point_count;
using web::is_clean_utf8;
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

Expected<ValidAnswer, FormErrors> validate_answer(const FormValues& values, std::size_t max_comment_chars) {
  FormErrors errors;
  ValidAnswer answer;
  if (values.rating.empty()) {
    errors.rating = FieldError::missing;
  } else if (values.rating.size() != 1 || values.rating[0] < '1' || values.rating[0] > '5') {
    errors.rating = FieldError::invalid;
  } else {
    answer.rating = values.rating[0] - '0';
  }
  if (values.got_what_needed.empty()) {
    errors.got_what_needed = FieldError::missing;
  } else if (values.got_what_needed != "yes" && values.got_what_needed != "no") {
    errors.got_what_needed = FieldError::invalid;
  } else {
    answer.got_what_needed = values.got_what_needed == "yes";
  }
  const std::string_view comment = trim(values.comment);
  if (!is_clean_utf8(comment)) {
    errors.comment = FieldError::invalid;
  } else if (code_point_count(comment) > max_comment_chars) {
    errors.comment = FieldError::too_long;
  } else {
    answer.comment = std::string(comment);
  }
  if (errors.any()) return errors;
  return answer;
}

}  // namespace pse::feedback
