// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-22T16:05:20.123Z","level":"info","msg":"listening","port":8443}
// Log lines are for operators: never put payloads, subject ids or key material in them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace pse::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

struct Field {
  using Value = std::variant<std::string_view, std::int64_t, bool>;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  template <typename Integer>
    requires std::is_integral_v<Integer>
  Field(std::string_view k, Integer v) : key(k), value(static_cast<std::int64_t>(v)) {}

  std::string_view key;
  Value value;
};

/// Lines below this level are dropped. Default: info.
void set_level(Level level) noexcept;
bool parse_level(std::string_view text, Level& out) noexcept;

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::error, m, f); }

/// Appends `text` to `out` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view text);

}  // namespace pse::log
