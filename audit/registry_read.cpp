#include "audit/registry_read.hpp"

namespace pse::audit {

std::string_view to_purpose(RegistryRead read) noexcept {
  switch (read) {
    case RegistryRead::consents: return "read_consents";
    case RegistryRead::consent: return "read_consent";
    case RegistryRead::accesses: return "read_accesses";
    case RegistryRead::mandates: return "read_mandates";
    case RegistryRead::proof: return "read_proof";
  }
  return "read_consents";
}

std::optional<RegistryRead> registry_read_of(const AuditEntry& entry) noexcept {
  if (entry.category != kRegistryCategory) return std::nullopt;
  for (RegistryRead read : {RegistryRead::consents, RegistryRead::consent, RegistryRead::accesses,
                            RegistryRead::mandates, RegistryRead::proof}) {
    if (entry.purpose == to_purpose(read)) return read;
  }
  return RegistryRead::consents;  // a purpose of a later version: still a read of the registry
}

}  // namespace pse::audit
