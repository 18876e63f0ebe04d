// Profanity and threats from configurable word lists (French and English), matched on whole
// words after folding case and accents and undoing common obfuscations: leetspeak (m3rd3, sh1t),
// repeated letters (merdeeee), a '*' standing for one letter (m*rde) and letters spelled apart
// (c.o.n, f-u-c-k). An entry may be several words ("je vais te tuer"), matched as consecutive
// words. Profanity is masked ("####"); threats are kept for the moderator, who may escalate.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pse::feedback {

class WordFilter {
 public:
  WordFilter() = default;
  /// Each entry is a word or phrase, in any case and with or without accents.
  WordFilter(const std::vector<std::string>& profanity, const std::vector<std::string>& threats);

  /// Reads a list: one entry per line, '#' starts a comment, blank lines ignored. Throws
  /// ConfigError when the file cannot be read.
  static std::vector<std::string> read_list(const std::filesystem::path& file);

  struct Result {
    std::string text;                   ///< the input with profanity masked
    int profanity = 0;                  ///< profane words or phrases found
    std::vector<std::string> threats;   ///< the threat entries found (folded form)
  };
  Result apply(std::string_view text) const;

 private:
  using Entry = std::vector<std::string>;  // folded, collapsed words
  std::vector<Entry> profanity_;
  std::vector<Entry> threats_;
};

/// The folded form of one word: lower case, no accents, leetspeak undone, repeated letters
/// collapsed; '*' is kept as a one-letter wildcard. Exposed for tests.
std::string fold_word(std::string_view word);

}  // namespace pse::feedback
