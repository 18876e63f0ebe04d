// Reports for the bodies: per service and period, the number of answers, the mean rating, the
// satisfaction rate (ratings 4 and 5) and the "got what they needed" rate — as JSON, and as an
// HTML page with a server-rendered SVG chart. Also the moderator's page of the queue. Both pages
// escape every comment and name: whatever a citizen typed is inert text.
#pragma once

#include "feedback_store.hpp"
#include "services.hpp"

#include <array>
#include <string>
#include <vector>

namespace pse::feedback {

struct ServiceStats {
  std::string service;
  int answers = 0;
  double mean_rating = 0;        ///< 0 when no answers
  double satisfaction_rate = 0;  ///< share of ratings 4–5, 0..1
  double got_what_needed_rate = 0;
  std::array<int, 5> ratings{};  ///< answers per rating 1..5
  std::vector<std::string> comments;  ///< approved, non-empty comments (masked)
};

struct Report {
  std::string from;  ///< YYYY-MM-DD
  std::string to;
  std::vector<ServiceStats> services;
};

/// Statistics of `records` (already limited to the period), one entry per service, in catalogue
/// order for known services.
Report build_report(const std::vector<FeedbackRecord>& records, const ServiceCatalog& catalog, std::string from,
                    std::string to);

std::string report_json(const Report& report);
std::string report_html(const Report& report, const ServiceCatalog& catalog);

/// The moderator's page: answers waiting (pending, escalated) with their reasons.
std::string moderation_html(const std::vector<FeedbackRecord>& records, const ServiceCatalog& catalog);

}  // namespace pse::feedback
