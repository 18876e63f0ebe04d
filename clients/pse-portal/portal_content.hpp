// What the portal knows besides the broker's answers: the published policy (organisations'
// names and the consents a citizen may give), the words for codes, and the platform's public
// key that signs consent receipts.
#pragma once

#include "citizen_words.hpp"

#include "audit/audit_keys.hpp"
#include "policy/snapshot.hpp"

#include <memory>
#include <optional>

namespace pse::portal {

struct PortalContent {
  std::shared_ptr<const policy::PolicySnapshot> policy;  ///< null: no names, no consent to give
  CitizenWords words;
  std::optional<audit::PublicKey> receipt_key;  ///< absent: receipts are shown unchecked

  std::string organisation(std::string_view id, Language language) const;
};

}  // namespace pse::portal
