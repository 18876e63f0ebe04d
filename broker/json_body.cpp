#include "broker/json_body.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace pse::broker {

Result<boost::json::object> parse_json_object(std::string_view body, boost::json::storage_ptr storage) {
  boost::json::parse_options options;
  options.max_depth = 16;  // our documents are shallow; deep nesting is an attack, not data
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec, std::move(storage), options);
  if (ec) return make_error(Reason::malformed_request, "body is not valid JSON: " + ec.message());
  if (!value.is_object()) return make_error(Reason::malformed_request, "body must be a JSON object");
  return std::move(value.as_object());
}

JsonFields::JsonFields(const boost::json::object& object, std::string where)
    : object_(object), where_(std::move(where)) {
  read_.reserve(object.size());
}

const boost::json::value* JsonFields::take(std::string_view key) {
  const auto it = object_.find(key);
  if (it == object_.end()) return nullptr;
  read_.push_back(&*it);
  return it->value().is_null() ? nullptr : &it->value();
}

void JsonFields::fail(std::string message) {
  if (!error_) error_ = make_error(Reason::malformed_request, std::move(message));
}

std::optional<std::string> JsonFields::optional_string(std::string_view key) {
  const boost::json::value* value = take(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    fail(where_ + std::string(key) + " must be a string");
    return std::nullopt;
  }
  return std::string(value->as_string());
}

std::string JsonFields::required_string(std::string_view key) {
  const bool present = object_.if_contains(key) != nullptr && !object_.at(key).is_null();
  auto value = optional_string(key);
  if (!present) fail(where_ + std::string(key) + " is required");
  return value.value_or(std::string());
}

std::vector<std::string> JsonFields::required_string_list(std::string_view key) {
  std::vector<std::string> items;
  const boost::json::value* value = take(key);
  if (value == nullptr) {
    fail(where_ + std::string(key) + " is required");
    return items;
  }
  if (!value->is_array()) {
    fail(where_ + std::string(key) + " must be a list of strings");
    return items;
  }
  for (const auto& item : value->as_array()) {
    if (!item.is_string()) {
      fail(where_ + std::string(key) + " must be a list of strings");
      return {};
    }
    items.emplace_back(item.as_string());
  }
  return items;
}

std::vector<std::string> JsonFields::optional_string_list(std::string_view key) {
  const boost::json::value* value = object_.if_contains(key);
  if (value == nullptr || value->is_null()) {
    take(key);
    return {};
  }
  return required_string_list(key);
}

const boost::json::object* JsonFields::optional_object(std::string_view key) {
  const boost::json::value* value = take(key);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    fail(where_ + std::string(key) + " must be an object");
    return nullptr;
  }
  return &value->as_object();
}

const boost::json::object* JsonFields::required_object(std::string_view key) {
  const boost::json::object* object = optional_object(key);
  if (object == nullptr && !failed()) fail(where_ + std::string(key) + " is required");
  return object;
}

std::optional<Error> JsonFields::finish() {
  if (error_) return error_;
  for (const auto& entry : object_) {
    if (std::find(read_.begin(), read_.end(), &entry) == read_.end()) {
      return make_error(Reason::malformed_request, "unknown field '" + where_ + std::string(entry.key()) + "'");
    }
  }
  return std::nullopt;
}

}  // namespace pse::broker
