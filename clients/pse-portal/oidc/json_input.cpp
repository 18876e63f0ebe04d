#include "oidc/json_input.hpp"

#include <exception>
#include <limits>

namespace pse::portal::oidc {

std::optional<boost::json::object> parse_json_object(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) return std::nullopt;
  boost::json::parse_options options;
  options.max_depth = 16;
  try {
    boost::json::value value = boost::json::parse(boost::json::string_view(text.data(), text.size()), {}, options);
    if (!value.is_object()) return std::nullopt;
    return std::move(value.as_object());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

const boost::json::string* string_member(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(boost::json::string_view(name.data(), name.size()));
  return value != nullptr && value->is_string() ? &value->get_string() : nullptr;
}

std::optional<std::int64_t> integer_member(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(boost::json::string_view(name.data(), name.size()));
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(value->get_uint64());
  }
  return std::nullopt;
}

}  // namespace pse::portal::oidc
