// What pse-notify needs from the outside, as small interfaces: the broker (contact
// preferences, status events) and the two channels. The scheduler and the intake depend on
// these only, so that they are tested against real SMTP and Kannel servers without a broker,
// and against a real broker without caring how messages leave.
#pragma once

#include "contact_preferences.hpp"
#include "schedule_store.hpp"
#include "sms_encoding.hpp"

#include <pse/result.hpp>

#include <string>

namespace pse::notify {

/// Contact preferences through a consent-checked exchange (contact.preferences from
/// services-quebec). A refusal keeps the broker's reason (consent_missing, …).
class ContactDirectory {
 public:
  virtual ~ContactDirectory() = default;
  virtual Result<ContactPreferences> preferences(const std::string& subject, const std::string& purpose) = 0;
};

/// Publishes one notice.status event to the body it concerns (idempotent on the key).
class StatusPublisher {
 public:
  virtual ~StatusPublisher() = default;
  virtual Status publish(const StatusRow& status) = 0;
};

enum class Outcome { sent, temporary_failure, permanent_failure };

struct SendOutcome {
  Outcome outcome = Outcome::sent;
  std::string reason;     ///< a short code and the server's reply code, never message content
  std::string reference;  ///< the channel's id for the message, when it gives one
};

struct OutgoingEmail {
  std::string from;  ///< envelope sender
  std::string to;    ///< envelope recipient
  std::string data;  ///< the MIME message, CRLF line ends
};

class EmailChannel {
 public:
  virtual ~EmailChannel() = default;
  virtual SendOutcome send(const OutgoingEmail& email) = 0;
};

struct OutgoingSms {
  std::string to;  ///< E.164
  std::string text;
  SmsCoding coding = SmsCoding::gsm7;
  std::int64_t send_id = 0;  ///< for delivery reports
};

class SmsChannel {
 public:
  virtual ~SmsChannel() = default;
  virtual SendOutcome send(const OutgoingSms& sms) = 0;
};

}  // namespace pse::notify
