// The "integrity" member that carries a provider's signature over a record (pse/record_proof.hpp)
// on the wire: {"jws": "…", "disclosures": ["…", …]} — read from a connector's response or a
// publish, and written into a consumer's answer or a subscriber's delivery with only the
// disclosures of the fields that recipient receives.
#pragma once

#include <pse/record_proof.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pse::broker {

/// A signed record has at most this many disclosures (a category has at most 64 fields; the
/// margin lets a provider sign fields the classification does not know, which are dropped).
inline constexpr std::size_t kMaxSignedFields = 256;

/// {jws, disclosures} read strictly; std::nullopt for any other shape.
std::optional<integrity::SignedRecord> read_signature(const boost::json::value& value);

/// {"jws":…,"disclosures":[…]} with the disclosures of `fields` found in `proof`, in that order.
std::string signature_json(const std::string& jws, const integrity::RecordProof& proof,
                           const std::vector<std::string>& fields);

}  // namespace pse::broker
