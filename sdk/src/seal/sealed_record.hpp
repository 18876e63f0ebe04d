// What a sealed box carries from a provider or a publisher to one recipient:
//   {"record": {field: value, …}[, "integrity": {"jws": …, "disclosures": [ … ]}]}
// The signature travels inside, since a disclosure holds its field's value: the broker, which
// cannot open the box, sees neither; the recipient's SDK opens it and checks the signature as
// it checks one in clear (pse/record_proof.hpp).
#pragma once

#include <pse/record_proof.hpp>
#include <pse/result.hpp>

#include "seal/sealed_box.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pse::seal {

struct OpenedRecord {
  boost::json::object record;
  integrity::SignedRecord signature;  ///< empty jws when the record was not signed
};

/// `record` (with `signature`, whose disclosures should be those of its fields) sealed for `recipient`.
std::string seal_record(const boost::json::object& record, const std::optional<integrity::SignedRecord>& signature,
                        const Key& recipient);

/// decryption_failed when it does not open with `secret` or what is inside breaks the shape above.
Result<OpenedRecord> open_record(std::string_view sealed_base64, const Key& secret);

}  // namespace pse::seal
