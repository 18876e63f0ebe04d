// Prometheus counters of pse-notify (text exposition format 0.0.4).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace pse::notify {

class Metrics {
 public:
  void queued(const std::string& channel) { add(queued_, channel); }
  void sent(const std::string& channel) { add(sent_, channel); }
  void delivered(const std::string& channel) { add(delivered_, channel); }
  /// kind: temporary or permanent
  void failed(const std::string& channel, const std::string& kind) { add(failed_, channel + "|" + kind); }
  void skipped_for_consent(const std::string& purpose) { add(skipped_for_consent_, purpose); }
  /// reason: unknown_template, missing_value, rate_limited, daily_limit_exceeded…
  void rejected(const std::string& reason) { add(rejected_, reason); }
  /// A delivery report refused on the loopback endpoint; reason: bad_token.
  void report_refused(const std::string& reason) { add(reports_refused_, reason); }

  std::int64_t sent_total() const;
  std::string prometheus_text() const;

 private:
  using Counters = std::map<std::string, std::int64_t>;
  void add(Counters& counters, const std::string& label);

  mutable std::mutex mutex_;
  Counters queued_, sent_, delivered_, failed_, skipped_for_consent_, rejected_, reports_refused_;
};

}  // namespace pse::notify
