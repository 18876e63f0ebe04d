#include "broker/queue/queue_error.hpp"

namespace pse::queue {

std::string_view to_string(QueueErrorCode code) noexcept {
  switch (code) {
    case QueueErrorCode::invalid_argument: return "invalid_argument";
    case QueueErrorCode::payload_too_large: return "payload_too_large";
    case QueueErrorCode::overloaded: return "overloaded";
    case QueueErrorCode::closed: return "closed";
    case QueueErrorCode::store_failed: return "store_failed";
    case QueueErrorCode::not_in_flight: return "not_in_flight";
    case QueueErrorCode::not_found: return "not_found";
    case QueueErrorCode::unknown_key: return "unknown_key";
    case QueueErrorCode::decrypt_failed: return "decrypt_failed";
  }
  return "unknown";
}

}  // namespace pse::queue
