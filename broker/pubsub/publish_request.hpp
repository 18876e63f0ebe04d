// The body of `POST /v1/publish`, read strictly (docs/api/exchange-protocol.md).
#pragma once

#include <pse/record_proof.hpp>
#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

/// A copy of the event sealed by the publisher for one recipient whose rule requires
/// end_to_end_encryption: the broker delivers it as it is, to that recipient only.
struct SealedCopy {
  std::string recipient;            ///< the organisation it is sealed for
  std::vector<std::string> fields;  ///< the fields inside, as the rule permits them
  std::string sealed_record;        ///< base64 sealed box
};

struct PublishRequest {
  std::string category;
  std::string subject;
  std::string idempotency_key;
  boost::json::object record;   ///< field → scalar; at most 64 fields; empty only beside sealed copies
  std::vector<std::string> to;  ///< empty: every subscriber
  /// The publisher's signature over every field, with a disclosure per field (pse/record_proof.hpp).
  std::optional<integrity::SignedRecord> signature;
  std::vector<SealedCopy> sealed;  ///< at most 64
};

/// 1–128 of `A-Z a-z 0-9 . _ - :`.
bool is_valid_idempotency_key(std::string_view key) noexcept;

/// malformed_request naming the problem; field names are checked against the category later.
Result<PublishRequest> parse_publish_request(std::string_view body);

}  // namespace pse::broker
