// Strict reading of JSON request bodies: the HTTP counterpart of base/yaml_reader.
//
// Every field is read once through a typed accessor and finish() refuses any field nobody
// asked for, so a misspelt "expire_at" is a 400 naming it rather than a silently ignored
// value; a key given twice in one object is refused by the parse itself. Errors are values
// (pse::Error with malformed_request), never exceptions.
#pragma once

#include <pse/result.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

/// Parses `body` as a JSON object (bounded depth); malformed_request when it is not one, or
/// when one of its objects, at any depth, has a key twice ("duplicate key 'record.surname'").
/// `storage` lets a caller that reads the object and drops it parse into a scratch buffer
/// instead of one heap allocation per string and container.
Result<boost::json::object> parse_json_object(std::string_view body, boost::json::storage_ptr storage = {});

class JsonFields {
 public:
  /// `where` prefixes field names in messages, e.g. "" or "purpose.".
  explicit JsonFields(const boost::json::object& object, std::string where = {});

  std::string required_string(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  std::vector<std::string> required_string_list(std::string_view key);
  /// Absent or null → empty list.
  std::vector<std::string> optional_string_list(std::string_view key);
  const boost::json::object* optional_object(std::string_view key);
  /// Any JSON value (nullptr when absent or null), for types this reader has no accessor for.
  const boost::json::value* optional_value(std::string_view key) { return take(key); }
  const boost::json::object* required_object(std::string_view key);

  /// The first problem met so far, or the first unknown field.
  std::optional<Error> finish();
  bool failed() const { return error_.has_value(); }

 private:
  const boost::json::value* take(std::string_view key);
  void fail(std::string message);

  const boost::json::object& object_;
  std::string where_;
  // The members read so far, by address in object_ (small objects: a vector beats a set of
  // copied keys, and allocates once).
  std::vector<const boost::json::key_value_pair*> read_;
  std::optional<Error> error_;
};

}  // namespace pse::broker
