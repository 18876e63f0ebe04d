// Access notices: what the hub publishes (notice.data_access, in the provider's name) after each
// allowed exchange under a rule with the obligation notify_subject — which body received which
// of the citizen's information, from which body, when, why and on what basis — read here,
// checked, and turned into the values of the citizen's message, alone or in a daily digest.
//
// The record comes from the broker, but it is read like any other input: every field bounded,
// codes of a plain alphabet, the time a real RFC 3339 UTC instant. Codes are shown through the
// templates' `labels` (a body's name, a purpose…) in the message's language, or as they are.
#pragma once

#include "clock.hpp"
#include "notice_template.hpp"
#include "renderer.hpp"

#include <pse/expected.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pse::notify {

inline constexpr const char* kAccessCategory = "notice.data_access";
inline constexpr const char* kAccessTemplate = "access-notice";  ///< one exchange, sent promptly
inline constexpr const char* kDigestTemplate = "access-digest";  ///< the day's exchanges, once
/// A digest lists at most this many exchanges (its count says how many there were).
inline constexpr std::size_t kMaxDigestItems = 100;

struct AccessNotice {
  std::string consumer;  ///< the body that received the information
  std::string provider;  ///< the body that communicated it
  std::string category;
  std::string purpose;
  std::vector<std::string> fields;  ///< names, never values
  std::string basis;                ///< consent or law
  std::string legal_reference;      ///< a law basis's provision (may be empty)
  Instant accessed_at;
  std::int64_t audit_seq = 0;
};

/// The record checked; the error names the field that is unusable, never its value.
Expected<AccessNotice, std::string> parse_access_notice(const boost::json::object& record);

/// The values of the access templates in `language`: consumer, provider, category, purpose,
/// fields (labels joined by ", ", shortened with "…" to fit a value), basis (the provision, or
/// the label of "consent"), accessed_at (Québec time), audit_seq.
Values access_values(const AccessNotice& notice, Language language, const TemplateSet& templates);

struct DigestContent {
  Values values;  ///< access_count
  Items items;    ///< one per exchange, earliest first, at most kMaxDigestItems
};
DigestContent digest_content(std::vector<AccessNotice> notices, Language language, const TemplateSet& templates);

/// The digest of one citizen for one Québec day: "digest:YYYY-MM-DD:" and a hash of the subject
/// (the id appears in logs; the subject must not).
std::string digest_event_id(const std::string& subject, std::chrono::year_month_day day);

}  // namespace pse::notify
