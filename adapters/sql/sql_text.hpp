// What the SQL sources check in a configured query's text before any database sees it.
#pragma once

#include <string_view>

namespace pse::adapters::sql {

/// Skips blanks and SQL comments, so that "-- lookup\nSELECT" is seen as a SELECT.
std::string_view skip_blanks_and_comments(std::string_view sql);

/// Whether `sql` starts with `keyword` (upper case), case-insensitively, as a whole word.
bool starts_with_keyword(std::string_view sql, std::string_view keyword);

/// Whether `sql` begins with SELECT or WITH after blanks and comments.
bool starts_as_select(std::string_view sql);

/// The number of `?` parameter markers outside string literals, quoted names and comments, or
/// -1 when a semicolon there is followed by anything but blanks, comments and semicolons
/// (a second statement) or a literal, quoted name or comment is left open.
int question_marks_in_single_statement(std::string_view sql);

}  // namespace pse::adapters::sql
