#include "wire/json_reader.hpp"

#include <boost/json/parse.hpp>

namespace pse::wire {

Result<boost::json::object> parse_object(std::string_view text, std::string_view what,
                                         boost::json::storage_ptr storage) {
  boost::system::error_code ec;
  // A bounded depth: the messages we read are two levels deep at most.
  boost::json::parse_options options;
  options.max_depth = 16;
  boost::json::value value = boost::json::parse(text, ec, std::move(storage), options);
  if (ec) return make_error(Reason::malformed_request, std::string(what) + " is not valid JSON: " + ec.message());
  if (!value.is_object()) return make_error(Reason::malformed_request, std::string(what) + " is not a JSON object");
  return std::move(value.as_object());
}

JsonReader::JsonReader(const boost::json::object& object, std::string where)
    : object_(object), where_(std::move(where)) {}

void JsonReader::fail(std::string message) {
  if (!error_) error_ = make_error(Reason::malformed_request, where_ + ": " + std::move(message));
}

const boost::json::value* JsonReader::find(std::string_view key, bool required) {
  const auto* value = object_.if_contains(key);
  if (value == nullptr && required) fail("missing \"" + std::string(key) + "\"");
  return value;
}

std::string JsonReader::required_string(std::string_view key) {
  const auto* value = find(key, true);
  if (value == nullptr) return {};
  if (!value->is_string()) {
    fail("\"" + std::string(key) + "\" must be a string");
    return {};
  }
  return std::string(value->as_string());
}

std::optional<std::string> JsonReader::optional_string(std::string_view key) {
  const auto* value = find(key, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    fail("\"" + std::string(key) + "\" must be a string");
    return std::nullopt;
  }
  return std::string(value->as_string());
}

std::vector<std::string> JsonReader::string_list(std::string_view key, bool required) {
  std::vector<std::string> list;
  const auto* value = find(key, required);
  if (value == nullptr) return list;
  if (!value->is_array()) {
    fail("\"" + std::string(key) + "\" must be an array of strings");
    return list;
  }
  for (const auto& item : value->as_array()) {
    if (!item.is_string()) {
      fail("\"" + std::string(key) + "\" must be an array of strings");
      return {};
    }
    list.emplace_back(item.as_string());
  }
  return list;
}

const boost::json::object* JsonReader::optional_object(std::string_view key) {
  if (find(key, false) == nullptr) return nullptr;
  return required_object(key);
}

const boost::json::object* JsonReader::required_object(std::string_view key) {
  const auto* value = find(key, true);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    fail("\"" + std::string(key) + "\" must be an object");
    return nullptr;
  }
  return &value->as_object();
}

const boost::json::array* JsonReader::optional_array(std::string_view key) {
  const auto* value = find(key, false);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    fail("\"" + std::string(key) + "\" must be an array");
    return nullptr;
  }
  return &value->as_array();
}

std::optional<std::uint64_t> JsonReader::optional_unsigned(std::string_view key) {
  const auto* value = find(key, false);
  if (value == nullptr) return std::nullopt;
  if (value->is_uint64()) return value->as_uint64();
  if (value->is_int64() && value->as_int64() >= 0) return static_cast<std::uint64_t>(value->as_int64());
  fail("\"" + std::string(key) + "\" must be a non-negative integer");
  return std::nullopt;
}

std::optional<bool> JsonReader::optional_bool(std::string_view key) {
  const auto* value = find(key, false);
  if (value == nullptr) return std::nullopt;
  if (value->is_bool()) return value->as_bool();
  fail("\"" + std::string(key) + "\" must be true or false");
  return std::nullopt;
}

std::uint64_t JsonReader::required_unsigned(std::string_view key) {
  if (find(key, true) == nullptr) return 0;
  return optional_unsigned(key).value_or(0);
}

}  // namespace pse::wire
