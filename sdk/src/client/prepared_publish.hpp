// An event made ready to leave the publisher: signed, and sealed for every recipient whose
// rule requires end_to_end_encryption, as the broker's sealing plan lists them
// (GET /v1/publish/sealing/{category}; docs/decisions/classification.md).
#pragma once

#include <pse/publish.hpp>
#include <pse/record_proof.hpp>

#include "wire/publish_json.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace pse {

struct PublisherKeys {
  std::string_view organisation;                     ///< the publisher, from its certificate
  const std::optional<integrity::Key>& signing_key;  ///< signs every event when set
  /// The platform's registry of encryption keys kept by the publisher: when set, a copy is
  /// sealed only for the key registered there, whatever key the plan names.
  const std::filesystem::path& encryption_keys_dir;
};

/// The signature covers every field of the event; the record in clear keeps only the fields
/// some rule receives in clear when anything is sealed; each sealed copy holds its recipient's
/// fields with their disclosures. A recipient with no key (in the plan, or in the registry when
/// one is kept) gets no copy: the broker refuses that delivery rather than send it in clear.
wire::PreparedPublish prepare_publish(const PublishRequest& request, const wire::SealingPlan& plan,
                                      const PublisherKeys& keys);

}  // namespace pse
