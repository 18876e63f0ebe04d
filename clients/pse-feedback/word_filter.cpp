#include "word_filter.hpp"

#include "base/config_error.hpp"
#include "text.hpp"

#include <fstream>

namespace pse::feedback {
using web::fold_letter;
using web::is_word_code_point;
using web::next_code_point;
namespace {

struct Token {
  std::size_t begin;  // byte offsets in the text
  std::size_t end;
  std::string folded;
};

bool is_obfuscation_char(char32_t cp) { return cp == U'@' || cp == U'$' || cp == U'*' || cp == U'!' || cp == U'|'; }

char leet(char c) {
  switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '@': return 'a';
    case '$': return 's';
    case '!': return 'i';
    case '|': return 'i';
    default: return c;
  }
}

bool all_digits(std::string_view word) {
  for (const char c : word) {
    if (c < '0' || c > '9') return false;
  }
  return !word.empty();
}

// Splits text into words; '!' and '|' count only inside a word (so "merde!" is "merde").
std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t start = pos;
    char32_t cp = next_code_point(text, pos);
    if (!is_word_code_point(cp) && !is_obfuscation_char(cp)) continue;
    std::size_t end = pos;
    while (pos < text.size()) {
      std::size_t next = pos;
      cp = next_code_point(text, next);
      if (!is_word_code_point(cp) && !is_obfuscation_char(cp)) break;
      pos = next;
      end = pos;
    }
    std::string_view raw = text.substr(start, end - start);
    while (!raw.empty() && (raw.back() == '!' || raw.back() == '|')) raw.remove_suffix(1);
    while (!raw.empty() && (raw.front() == '!' || raw.front() == '|')) {
      raw.remove_prefix(1);
      ++start;
    }
    if (raw.empty()) continue;
    tokens.push_back({start, start + raw.size(), fold_word(raw)});
  }
  return tokens;
}

bool word_matches(const std::string& word, const std::string& entry) {
  if (word.size() != entry.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] != entry[i] && word[i] != '*') return false;
  }
  return true;
}

std::vector<std::vector<std::string>> fold_entries(const std::vector<std::string>& entries) {
  std::vector<std::vector<std::string>> folded;
  for (const auto& entry : entries) {
    std::vector<std::string> words;
    for (const Token& token : tokenize(entry)) words.push_back(token.folded);
    if (!words.empty()) folded.push_back(std::move(words));
  }
  return folded;
}

// Letters spelled apart ("c.o.n", "f u c k"): runs of three or more one-letter words separated by
// one character are also tried as a single word.
std::vector<Token> join_spelled_out(std::string_view text, const std::vector<Token>& tokens) {
  std::vector<Token> joined;
  std::size_t i = 0;
  while (i < tokens.size()) {
    std::size_t j = i;
    while (j + 1 < tokens.size() && tokens[j].folded.size() == 1 && tokens[j + 1].folded.size() == 1 &&
           tokens[j + 1].begin == tokens[j].end + 1 && std::string_view(".-_ ").find(text[tokens[j].end]) != std::string_view::npos) {
      ++j;
    }
    if (j - i >= 2) {
      Token merged{tokens[i].begin, tokens[j].end, {}};
      for (std::size_t k = i; k <= j; ++k) merged.folded += tokens[k].folded;
      joined.push_back(std::move(merged));
      i = j + 1;
    } else {
      ++i;
    }
  }
  return joined;
}

struct Hit {
  std::size_t begin;
  std::size_t end;
  std::size_t entry;
};

std::vector<Hit> find(const std::vector<Token>& tokens, const std::vector<std::vector<std::string>>& entries) {
  std::vector<Hit> hits;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    for (std::size_t e = 0; e < entries.size(); ++e) {
      const auto& entry = entries[e];
      if (i + entry.size() > tokens.size()) continue;
      bool all = true;
      for (std::size_t k = 0; k < entry.size() && all; ++k) all = word_matches(tokens[i + k].folded, entry[k]);
      if (all) hits.push_back({tokens[i].begin, tokens[i + entry.size() - 1].end, e});
    }
  }
  return hits;
}

}  // namespace

std::string fold_word(std::string_view word) {
  std::string folded;
  const bool keep_digits = all_digits(word);
  std::size_t pos = 0;
  while (pos < word.size()) {
    for (const char c : fold_letter(next_code_point(word, pos))) folded += keep_digits ? c : leet(c);
  }
  std::string collapsed;
  for (const char c : folded) {
    if (collapsed.empty() || collapsed.back() != c || c == '*' || (c >= '0' && c <= '9')) collapsed += c;
  }
  return collapsed;
}

WordFilter::WordFilter(const std::vector<std::string>& profanity, const std::vector<std::string>& threats)
    : profanity_(fold_entries(profanity)), threats_(fold_entries(threats)) {}

std::vector<std::string> WordFilter::read_list(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file, 0, "cannot read the word list");
  std::vector<std::string> entries;
  std::string line;
  while (std::getline(in, line)) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    entries.push_back(line.substr(first, last - first + 1));
  }
  return entries;
}

WordFilter::Result WordFilter::apply(std::string_view text) const {
  std::vector<Token> tokens = tokenize(text);
  const std::vector<Token> spelled = join_spelled_out(text, tokens);

  Result result;
  for (const auto& words : {tokens, spelled}) {
    for (const Hit& hit : find(words, threats_)) {
      std::string name;
      for (const auto& w : threats_[hit.entry]) name += (name.empty() ? "" : " ") + w;
      result.threats.push_back(std::move(name));
    }
  }

  std::vector<Hit> profane = find(tokens, profanity_);
  for (const Hit& hit : find(spelled, profanity_)) profane.push_back(hit);
  std::vector<bool> masked(text.size(), false);
  for (const Hit& hit : profane) {
    bool overlaps = false;
    for (std::size_t i = hit.begin; i < hit.end; ++i) overlaps = overlaps || masked[i];
    if (overlaps) continue;
    for (std::size_t i = hit.begin; i < hit.end; ++i) masked[i] = true;
    ++result.profanity;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!masked[i]) {
      result.text += text[i];
    } else if (i == 0 || !masked[i - 1]) {
      result.text += "####";
    }
  }
  return result;
}

}  // namespace pse::feedback
