#include "integrity/minimised_record.hpp"

#include <pse/record_fields.hpp>

namespace pse::integrity {

MinimisedRecord minimise(const boost::json::object& record, const std::vector<std::string>& fields,
                         const std::optional<SignedRecord>& signature) {
  MinimisedRecord kept;
  kept.record = fields.empty() ? record : records::project(record, fields);
  if (!signature) return kept;
  kept.signature = SignedRecord{signature->jws, {}};
  // The disclosures were made in the order of the whole record's columns.
  const boost::json::object kept_columns = records::columns(kept.record);
  std::size_t index = 0;
  for (const auto& column : records::columns(record)) {
    if (index >= signature->disclosures.size()) break;
    if (kept_columns.contains(column.key())) kept.signature->disclosures.push_back(signature->disclosures[index]);
    ++index;
  }
  return kept;
}

}  // namespace pse::integrity
