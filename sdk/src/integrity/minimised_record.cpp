#include "integrity/minimised_record.hpp"

#include <algorithm>

namespace pse::integrity {

MinimisedRecord minimise(const boost::json::object& record, const std::vector<std::string>& fields,
                         const std::optional<SignedRecord>& signature) {
  MinimisedRecord kept;
  if (signature) kept.signature = SignedRecord{signature->jws, {}};
  std::size_t index = 0;
  for (const auto& [name, value] : record) {
    if (fields.empty() || std::find(fields.begin(), fields.end(), std::string_view(name)) != fields.end()) {
      kept.record.emplace(name, value);
      if (signature && index < signature->disclosures.size()) {
        kept.signature->disclosures.push_back(signature->disclosures[index]);
      }
    }
    ++index;
  }
  return kept;
}

}  // namespace pse::integrity
