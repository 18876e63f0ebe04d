#include "metrics.hpp"

namespace pse::notify {
namespace {

void family(std::string& out, const char* name, const char* help, const std::map<std::string, std::int64_t>& counters,
            const char* label, const char* second_label = nullptr) {
  out += "# HELP ";
  out += name;
  out += " ";
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " counter\n";
  for (const auto& [key, value] : counters) {
    out += name;
    out += "{";
    out += label;
    if (second_label) {
      const auto bar = key.find('|');
      out += "=\"" + key.substr(0, bar) + "\"," + second_label + "=\"" + key.substr(bar + 1) + "\"";
    } else {
      out += "=\"" + key + "\"";
    }
    out += "} " + std::to_string(value) + "\n";
  }
}

}  // namespace

void Metrics::add(Counters& counters, const std::string& label) {
  std::lock_guard lock(mutex_);
  ++counters[label];
}

std::int64_t Metrics::sent_total() const {
  std::lock_guard lock(mutex_);
  std::int64_t total = 0;
  for (const auto& [channel, value] : sent_) total += value;
  return total;
}

std::string Metrics::prometheus_text() const {
  std::lock_guard lock(mutex_);
  std::string out;
  family(out, "pse_notify_queued_total", "Sends planned (one per reminder and channel).", queued_, "channel");
  family(out, "pse_notify_sent_total", "Messages handed to the SMTP server or the SMS gateway.", sent_, "channel");
  family(out, "pse_notify_delivered_total", "Messages the channel reported delivered.", delivered_, "channel");
  family(out, "pse_notify_failed_total", "Failed send attempts.", failed_, "channel", "kind");
  family(out, "pse_notify_skipped_for_consent_total", "Messages not sent for want of the citizen's consent.",
         skipped_for_consent_, "purpose");
  family(out, "pse_notify_rejected_total", "Notices refused, with the reason sent back to the body.", rejected_,
         "reason");
  family(out, "pse_notify_delivery_reports_refused_total",
         "Delivery reports refused on the loopback endpoint (a wrong or missing token: not from our Kannel).",
         reports_refused_, "reason");
  return out;
}

}  // namespace pse::notify
