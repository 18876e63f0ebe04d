// The portal's words, French first: every piece of text a citizen reads is here, in both
// languages, so that a page never mixes them.
#pragma once

#include <string>
#include <string_view>

namespace pse::portal {

enum class Language { fr, en };

struct Words {
  const char* fr;
  const char* en;
  const char* in(Language language) const { return language == Language::en ? en : fr; }
};

/// "?lang=en" for English, "" for French: appended to the portal's own links.
inline std::string language_query(Language language) { return language == Language::en ? "?lang=en" : ""; }

}  // namespace pse::portal
