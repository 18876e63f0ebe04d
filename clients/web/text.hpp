// Small text helpers for citizen-facing pages: UTF-8 decoding, accent folding, HTML escaping.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pse::web {

/// Decodes the UTF-8 code point at `text[pos]` and advances `pos`. An invalid byte decodes as
/// U+FFFD and advances by one, so a scan always terminates.
char32_t next_code_point(std::string_view text, std::size_t& pos) noexcept;

/// Appends `code_point` to `out` in UTF-8.
void append_utf8(std::string& out, char32_t code_point);

/// True when every byte sequence of `text` is well-formed UTF-8 without NUL or C0 controls other
/// than tab, CR and LF.
bool is_clean_utf8(std::string_view text) noexcept;

/// Number of code points in well-formed UTF-8 text.
std::size_t code_point_count(std::string_view text) noexcept;

/// Lower-case letter without its accent for Latin letters (É → e, ç → c, Œ → oe); other code
/// points are returned lower-cased when ASCII, unchanged otherwise.
std::string fold_letter(char32_t code_point);

/// True for letters (ASCII and Latin-1/Latin Extended-A) and ASCII digits.
bool is_word_code_point(char32_t code_point) noexcept;

/// Escapes & < > " ' for HTML text and attribute values. Every comment, service name and value
/// that reaches a page goes through this: pages are inert whatever a citizen typed.
std::string html_escape(std::string_view text);

}  // namespace pse::web
