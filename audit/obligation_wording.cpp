#include "audit/obligation_wording.hpp"

#include <array>
#include <utility>

namespace pse::audit {
namespace {

// Said of what the hub or the recipient must do, never of what certainly happened: a notice
// goes only as the citizen's own notice preferences allow.
constexpr std::array<std::pair<std::string_view, ObligationWording>, 3> kWordings = {{
    {"no_onward_disclosure",
     {"L’organisme ne peut communiquer ces renseignements à personne d’autre.",
      "The body may not pass this information on."}},
    {"notify_subject",
     {"Un avis de cette communication vous est envoyé, selon vos préférences d’avis.",
      "A notice of this communication is sent to you, as your notice preferences allow."}},
    {"end_to_end_encryption",
     {"Ces renseignements ont été chiffrés pour l’organisme destinataire seul ; la plateforme ne pouvait pas les lire.",
      "This information was encrypted for the receiving body alone; the platform could not read it."}},
}};

}  // namespace

std::optional<ObligationWording> obligation_wording(std::string_view obligation) noexcept {
  for (const auto& [name, wording] : kWordings) {
    if (name == obligation) return wording;
  }
  return std::nullopt;
}

}  // namespace pse::audit
