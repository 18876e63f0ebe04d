#include "adapters/sql/sql_text.hpp"

namespace pse::adapters::sql {

std::string_view skip_blanks_and_comments(std::string_view sql) {
  while (!sql.empty()) {
    const char c = sql.front();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      sql.remove_prefix(1);
    } else if (sql.starts_with("--")) {
      const std::size_t end = sql.find('\n');
      sql.remove_prefix(end == std::string_view::npos ? sql.size() : end + 1);
    } else if (sql.starts_with("/*")) {
      const std::size_t end = sql.find("*/", 2);
      sql.remove_prefix(end == std::string_view::npos ? sql.size() : end + 2);
    } else {
      break;
    }
  }
  return sql;
}

bool starts_with_keyword(std::string_view sql, std::string_view keyword) {
  if (sql.size() < keyword.size()) return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    char c = sql[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != keyword[i]) return false;
  }
  if (sql.size() == keyword.size()) return true;
  const char next = sql[keyword.size()];
  return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9') || next == '_');
}

bool starts_as_select(std::string_view sql) {
  const std::string_view start = skip_blanks_and_comments(sql);
  return starts_with_keyword(start, "SELECT") || starts_with_keyword(start, "WITH");
}

int question_marks_in_single_statement(std::string_view sql) {
  int marks = 0;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      // A doubled quote inside is the quote itself; the scan goes on to the closing one.
      const std::size_t end = sql.find(c, i + 1);
      if (end == std::string_view::npos) return -1;
      i = end + 1;
    } else if (sql.substr(i).starts_with("--")) {
      const std::size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(i).starts_with("/*")) {
      const std::size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) return -1;
      i = end + 2;
    } else if (c == ';') {
      std::string_view rest = skip_blanks_and_comments(sql.substr(i + 1));
      while (rest.starts_with(';')) rest = skip_blanks_and_comments(rest.substr(1));
      return rest.empty() ? marks : -1;
    } else {
      if (c == '?') ++marks;
      ++i;
    }
  }
  return marks;
}

}  // namespace pse::adapters::sql
