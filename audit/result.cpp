#include "audit/result.hpp"

namespace pse::audit {

std::string_view to_string(AuditErrorCode code) noexcept {
  switch (code) {
    case AuditErrorCode::invalid_entry: return "invalid_entry";
    case AuditErrorCode::overloaded: return "overloaded";
    case AuditErrorCode::share_exceeded: return "share_exceeded";
    case AuditErrorCode::closed: return "closed";
    case AuditErrorCode::store_failed: return "store_failed";
    case AuditErrorCode::not_found: return "not_found";
    case AuditErrorCode::invalid_argument: return "invalid_argument";
    case AuditErrorCode::corrupt: return "corrupt";
  }
  return "unknown";
}

}  // namespace pse::audit
