#include "broker/json_body.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace pse::broker {
namespace json = boost::json;

// Duplicate keys: RFC 8259 only says names SHOULD be unique, and parsers disagree on
// {"purpose":"a","purpose":"b"} (Boost.JSON keeps the last, others the first or refuse). A
// body that two readers — a gateway, a log, the broker — can read differently is refused.
// Boost 1.81 has no option for it (it silently keeps the last), so the parse counts the keys
// it reads, and the tree it built must hold as many object members: each duplicate dropped
// one, with its value. That costs a counter per key and one walk over the tree; only a body
// that fails the count is read a second time, to name the duplicated key.
namespace {

// The handler of boost::json::parser (a value_stack building the tree), plus a key counter.
struct CountingHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::size_t keys = 0;
  std::string number;  // a number's text, when it reaches the parser in parts

  CountingHandler(json::storage_ptr sp, unsigned char* buffer, std::size_t size) : st(std::move(sp), buffer, size) {}

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    st.push_key(s);
    ++keys;
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  // Boost 1.81 converts decimal text to double without correct rounding (it can be a unit in
  // the last place off), so a record read and written out again would not carry the value its
  // sender wrote. std::from_chars rounds correctly; Boost's value stays only for what it cannot
  // read (a magnitude beyond double's range).
  bool on_double(double d, json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    double exact = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), exact);
    st.push_double(error == std::errc() && end == number.data() + number.size() ? exact : d);
    number.clear();
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

// Object members in the whole tree (the depth is bounded by max_depth).
std::size_t count_members(const json::value& value) {
  std::size_t members = 0;
  if (const json::object* object = value.if_object()) {
    members += object->size();
    for (const auto& member : *object) members += count_members(member.value());
  } else if (const json::array* array = value.if_array()) {
    for (const auto& item : *array) members += count_members(item);
  }
  return members;
}

// The second reading, for a body known to hold a duplicate: the path of the first key met
// twice in one object, e.g. "record.surname". A set per open object keeps it linear in the
// number of keys, whatever a hostile body holds.
struct DuplicateFinder {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  struct Frame {
    std::string path;  // naming this object or array: "" at the top, "record", "to[]"…
    bool is_object = false;
    std::unordered_set<std::string> keys;
    std::string last_key;
  };
  std::vector<Frame> frames;
  std::string key;  // the key being read, in parts
  std::optional<std::string> duplicate;

  static std::string join(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + "." + name;
  }
  void open(bool is_object) {
    Frame frame;
    frame.is_object = is_object;
    if (!frames.empty()) {
      const Frame& parent = frames.back();
      frame.path = parent.is_object ? join(parent.path, parent.last_key) : parent.path + "[]";
    }
    frames.push_back(std::move(frame));
  }
  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open(true);
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    frames.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code&) {
    open(false);
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    frames.pop_back();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    key.append(s.data(), s.size());
    Frame& frame = frames.back();
    if (!frame.keys.insert(key).second && !duplicate) duplicate = join(frame.path, key);
    frame.last_key = std::move(key);
    key.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

json::parse_options body_options() {
  json::parse_options options;
  options.max_depth = 16;  // our documents are shallow; deep nesting is an attack, not data
  return options;
}

std::string first_duplicate_key(std::string_view body) {
  json::basic_parser<DuplicateFinder> parser(body_options());
  json::error_code ec;
  parser.write_some(false, body.data(), body.size(), ec);
  return parser.handler().duplicate.value_or("?");
}

}  // namespace

Result<boost::json::object> parse_json_object(std::string_view body, boost::json::storage_ptr storage) {
  unsigned char stack_buffer[BOOST_JSON_STACK_BUFFER_SIZE];
  json::basic_parser<CountingHandler> parser(body_options(), json::storage_ptr(), stack_buffer, sizeof stack_buffer);
  parser.handler().st.reset(std::move(storage));
  json::error_code ec;
  const std::size_t used = parser.write_some(false, body.data(), body.size(), ec);
  if (!ec && used < body.size()) ec = json::error::extra_data;
  if (ec) return make_error(Reason::malformed_request, "body is not valid JSON: " + ec.message());
  json::value value = parser.handler().st.release();
  if (!value.is_object()) return make_error(Reason::malformed_request, "body must be a JSON object");
  if (count_members(value) != parser.handler().keys) {
    return make_error(Reason::malformed_request, "duplicate key '" + first_duplicate_key(body) + "' in the body");
  }
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
