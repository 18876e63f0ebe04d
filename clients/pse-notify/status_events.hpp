// notice.status events: what the sending body learns about its notice. Built here, stored in
// the outbox with the state change that caused them, published by the dispatcher.
#pragma once

#include "schedule_store.hpp"

#include <string>

namespace pse::notify {

/// A status of one send (channel email/sms).
StatusRow send_status(const NoticeRow& notice, const SendRow& send, Instant now);

/// A status of the notice as a whole (channel "none"): rejected, refused or skipped before any
/// send was planned. `status` is permanent-failure or skipped.
StatusRow notice_status(const NoticeRow& notice, const std::string& status, const std::string& reason, Instant now);

}  // namespace pse::notify
