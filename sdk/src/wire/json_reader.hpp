// Typed, checked reading of the broker's JSON messages.
//
// Every accessor checks presence and type and records the first problem, so a decoder reads
// top to bottom and asks finish() once. Unknown fields are tolerated: the contract forbids
// them in what the broker receives, but an SDK already deployed must keep working when the
// broker adds a field to what it sends.
#pragma once

#include <pse/result.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::wire {

/// Parses `text` as one JSON object; malformed_request naming `what` when it is not one.
/// `storage` lets a caller that copies what it needs out parse into a scratch buffer.
Result<boost::json::object> parse_object(std::string_view text, std::string_view what,
                                         boost::json::storage_ptr storage = {});

class JsonReader {
 public:
  /// `where` names the message in errors, e.g. "exchange response".
  JsonReader(const boost::json::object& object, std::string where);

  std::string required_string(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  std::vector<std::string> string_list(std::string_view key, bool required);
  const boost::json::object* required_object(std::string_view key);
  const boost::json::object* optional_object(std::string_view key);
  const boost::json::array* optional_array(std::string_view key);
  std::uint64_t required_unsigned(std::string_view key);
  std::optional<std::uint64_t> optional_unsigned(std::string_view key);
  std::optional<bool> optional_bool(std::string_view key);

  /// Records a problem found by the caller (e.g. a bad value).
  void fail(std::string message);
  bool failed() const { return error_.has_value(); }
  /// The first problem met, if any.
  std::optional<Error> finish() const { return error_; }

 private:
  const boost::json::value* find(std::string_view key, bool required);

  const boost::json::object& object_;
  std::string where_;
  std::optional<Error> error_;
};

}  // namespace pse::wire
