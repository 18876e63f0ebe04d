// SMS through Kannel's HTTP `sendsms` interface (smsbox): GET /cgi-bin/sendsms with the
// sendsms-user's credentials, the text in UTF-8 (charset=UTF-8) and coding=0 (GSM 7-bit) or
// coding=2 (UCS-2) as measured, and a delivery-report URL so that "delivered" comes back.
//
// Kannel answers 202 ("0: Accepted for delivery", "3: Queued for later delivery") when it
// took the message; 4xx when the request is wrong (a permanent failure); 5xx or no answer is
// temporary. smsbox listens on loopback next to pse-notify: it has no TLS of its own.
#pragma once

#include "notify_config.hpp"
#include "ports.hpp"

#include <memory>
#include <mutex>

namespace pse::notify {

class KannelClient final : public SmsChannel {
 public:
  explicit KannelClient(SmsSettings settings);
  ~KannelClient() override;
  KannelClient(const KannelClient&) = delete;
  KannelClient& operator=(const KannelClient&) = delete;

  /// Where Kannel reports delivery: `%d` is replaced by Kannel with the report type, and
  /// `{send}` here with the send id. Empty: no reports asked.
  void set_delivery_report_url(std::string url_template);

  SendOutcome send(const OutgoingSms& sms) override;

 private:
  struct Impl;
  std::mutex mutex_;
  std::unique_ptr<Impl> impl_;
};

/// application/x-www-form-urlencoded escaping of one value (UTF-8 bytes as %XX).
std::string url_encode(const std::string& value);

}  // namespace pse::notify
