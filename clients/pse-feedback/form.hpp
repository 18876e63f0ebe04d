// The feedback form: application/x-www-form-urlencoded parsing and validation of each field.
#pragma once

#include <pse/expected.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pse::feedback {

enum class FieldError { missing, invalid, too_long };

struct FormErrors {
  std::optional<FieldError> rating;
  std::optional<FieldError> got_what_needed;
  std::optional<FieldError> comment;
  bool any() const noexcept { return rating || got_what_needed || comment; }
  int count() const noexcept { return (rating ? 1 : 0) + (got_what_needed ? 1 : 0) + (comment ? 1 : 0); }
};

struct FormValues {
  std::string rating;           ///< as typed: "1"–"5"
  std::string got_what_needed;  ///< "yes" / "no"
  std::string comment;
};

struct ValidAnswer {
  int rating = 0;
  bool got_what_needed = false;
  std::string comment;  ///< trimmed, not yet moderated
};

Expected<ValidAnswer, FormErrors> validate_answer(const FormValues& values, std::size_t max_comment_chars);

}  // namespace pse::feedback
