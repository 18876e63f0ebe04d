// A record kept to the fields one recipient may receive, with the disclosures of those fields
// only: another field's disclosure would hand over its value.
#pragma once

#include <pse/record_proof.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pse::integrity {

struct MinimisedRecord {
  boost::json::object record;
  std::optional<SignedRecord> signature;
};

/// `record` kept to `fields` (the whole record when `fields` is empty; list fields kept to the
/// listed sub-fields: pse/record_fields.hpp). `signature`, when set, was made over every field
/// of `record` by sign_record (disclosures in the order of the record's columns).
MinimisedRecord minimise(const boost::json::object& record, const std::vector<std::string>& fields,
                         const std::optional<SignedRecord>& signature);

}  // namespace pse::integrity
