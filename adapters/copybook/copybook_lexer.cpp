#include "adapters/copybook/copybook_lexer.hpp"

#include <algorithm>

namespace pse::legacy {
namespace {

struct SourceLine {
  std::string code;
  std::uint64_t line = 0;
};

/// The code area of each line, comments and sequence areas removed, continuations joined.
std::vector<SourceLine> code_lines(std::string_view text, CopybookFormat format) {
  std::vector<SourceLine> lines;
  std::uint64_t number = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string code;
    bool continuation = false;
    if (format == CopybookFormat::fixed) {
      if (line.size() < 7) continue;
      const char indicator = line[6];
      if (indicator == '*' || indicator == '/' || indicator == 'D' || indicator == 'd') continue;
      continuation = indicator == '-';
      code = std::string(line.substr(7, 65));  // columns 8–72
    } else {
      if (!line.empty() && line.front() == '*') continue;
      code = std::string(line);
    }
    // A floating comment "*>" (COBOL 2002) runs to the end of the line.
    if (const auto comment = code.find("*>"); comment != std::string::npos) code.resize(comment);
    for (auto& c : code) {
      if (c == '\t') c = ' ';
    }
    if (continuation && !lines.empty()) {
      // A continued literal resumes after the first quote of the continuation line; the previous
      // line's literal ran to column 72, so its trailing spaces belong to it.
      const std::size_t quote = code.find_first_of("'\"");
      std::string& previous = lines.back().code;
      if (quote != std::string::npos) {
        previous.resize(std::max<std::size_t>(previous.size(), 65), ' ');
        previous += code.substr(quote + 1);
      } else {
        const std::size_t start = code.find_first_not_of(' ');
        if (start != std::string::npos) previous += code.substr(start);
      }
      continue;
    }
    lines.push_back(SourceLine{std::move(code), number});
  }
  return lines;
}

bool is_space(char c) { return c == ' '; }

}  // namespace

LegacyResult<std::vector<CopybookToken>> tokenize_copybook(std::string_view text, CopybookFormat format,
                                                           const std::string& copybook_name) {
  std::vector<CopybookToken> tokens;
  for (const SourceLine& source : code_lines(text, format)) {
    const std::string& code = source.code;
    std::size_t at = 0;
    while (at < code.size()) {
      const char c = code[at];
      if (is_space(c)) {
        ++at;
        continue;
      }
      if (c == '\'' || c == '"') {
        std::string literal;
        std::size_t end = at + 1;
        bool closed = false;
        while (end < code.size()) {
          if (code[end] == c) {
            if (end + 1 < code.size() && code[end + 1] == c) {  // doubled quote inside the literal
              literal.push_back(c);
              end += 2;
              continue;
            }
            closed = true;
            break;
          }
          literal.push_back(code[end++]);
        }
        if (!closed) {
          LegacyError error(LegacyErrorCode::copybook_syntax, "unterminated literal");
          error.file = copybook_name;
          error.line = source.line;
          return error;
        }
        tokens.push_back(CopybookToken{std::move(literal), source.line, false, true});
        at = end + 1;
        continue;
      }
      std::size_t end = at;
      while (end < code.size() && !is_space(code[end])) ++end;
      std::string word = code.substr(at, end - at);
      at = end;
      // Separators glued to a word: a trailing period ends the entry, a trailing comma or
      // semicolon is only punctuation.
      bool ends_entry = false;
      if (!word.empty() && word.back() == '.') {
        word.pop_back();
        ends_entry = true;
      }
      while (!word.empty() && (word.back() == ',' || word.back() == ';')) word.pop_back();
      if (!word.empty()) tokens.push_back(CopybookToken{std::move(word), source.line, false, false});
      if (ends_entry) tokens.push_back(CopybookToken{{}, source.line, true, false});
    }
  }
  return tokens;
}

}  // namespace pse::legacy
