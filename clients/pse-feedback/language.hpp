// The two languages of citizen-facing text: French first, English second.
#pragma once

#include <optional>
#include <string_view>

namespace pse::feedback {

enum class Language { fr, en };

inline std::string_view to_string(Language language) noexcept { return language == Language::en ? "en" : "fr"; }

/// "fr" or "en"; anything else is no language.
inline std::optional<Language> parse_language(std::string_view text) noexcept {
  if (text == "fr") return Language::fr;
  if (text == "en") return Language::en;
  return std::nullopt;
}

}  // namespace pse::feedback
