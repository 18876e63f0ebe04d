// pse/record_fields.hpp — the fields of a record, list fields included.
//
// A record is a JSON object. A field holds a scalar (string, finite number, boolean, null) or,
// for a list field (a repeating group of a legacy record: dependants, addresses, a history),
// an array of items, each an object of scalars. The classification names a list field's
// sub-fields "list.sub" (e.g. "dependants.birth_date"), each with its own confidentiality, and
// policies, requests, refusals and audit entries use those names: a consumer may receive the
// given names of a citizen's dependants and not their birth dates.
//
// For signatures each sub-field is one column: "dependants.birth_date" signs the array of every
// item's value, in item order (null where an item lacks it), and "dependants" the number of
// items. A recipient kept to some sub-fields can then prove those columns and the count.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::records {

/// A list field holds at most this many items.
inline constexpr std::size_t kMaxListItems = 1000;

/// A string, a finite number, a boolean or null. A number too large for a double (1e999)
/// parses as infinity, which JSON cannot write back: not a scalar.
bool is_scalar(const boost::json::value& value) noexcept;

/// Why `value` cannot be the value of field `name` (a scalar, or a list of at most
/// kMaxListItems objects of scalars whose keys are 1-64 characters without a dot), or
/// std::nullopt when it can.
std::optional<std::string> value_problem(std::string_view name, const boost::json::value& value);

/// `record` kept to `fields` (names as the classification gives them): a plain field by its
/// name; a list field with each item kept to the listed sub-fields, and left out when none is
/// listed. Field order is the record's.
boost::json::object project(const boost::json::object& record, const std::vector<std::string>& fields);

/// Whether `record` has a value for `field` ("list.sub": whether it holds the list, even empty).
bool provides(const boost::json::object& record, std::string_view field);

/// The record as columns: each plain field as is; each list field as its number of items
/// ("list" → n), then one array per sub-field ("list.sub" → every item's value, null where an
/// item lacks it), sub-fields in the order they first appear. What provider signatures cover.
boost::json::object columns(const boost::json::object& record);

/// `fields` and, for each "list.sub" among them, "list": the columns whose proofs go with a
/// record kept to `fields`.
std::vector<std::string> with_list_names(const std::vector<std::string>& fields);

}  // namespace pse::records
