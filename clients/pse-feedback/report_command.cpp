// pse-feedback report and publish: statistics for the bodies, and one pass over the outbox.
// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside std::regex's
// compiler (a std::function member of a moved _State).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "cli.hpp"
#include "feedback_store.hpp"
#include "outbox.hpp"
#include "report.hpp"
#include "sdk_publisher.hpp"

#include <chrono>
#include <iostream>
#include <regex>

namespace pse::feedback::cli {
namespace {

const char* const kReportHelp = R"(usage: pse-feedback report --config FILE --from YYYY-MM-DD --to YYYY-MM-DD
                           [--service ID] [--format json|html]

Per service, over the period (both days included): number of answers, mean rating,
satisfaction rate (ratings 4 and 5), "got what they needed" rate, and answers per rating.
Rejected answers are left out. json (default) is for bodies' systems; html is a page with
an SVG chart and the approved comments (escaped).
)";

const char* const kPublishHelp = R"(usage: pse-feedback publish --config FILE

Publishes the approved answers waiting in the outbox to the broker once (what `serve` does
every publish_interval_seconds). Exit 0 when nothing is left, 1 when some could not be sent
(they stay in the outbox and will be retried).
)";

bool is_date(const std::string& text) {
  static const std::regex date("[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])");
  return std::regex_match(text, date);
}

}  // namespace

int report_command(const std::vector<std::string>& args) {
  std::string error;
  auto arguments = parse_arguments(args, {"config", "from", "to", "service", "format"}, error);
  if (!arguments) return usage_error("report", error);
  if (arguments->help) {
    std::cout << kReportHelp;
    return kOk;
  }
  const auto from = arguments->get("from");
  const auto to = arguments->get("to");
  if (!from || !to || !is_date(*from) || !is_date(*to)) return usage_error("report", "--from and --to must be YYYY-MM-DD");
  const std::string format = arguments->get("format").value_or("json");
  if (format != "json" && format != "html") return usage_error("report", "--format is json or html");
  const FeedbackConfig config = load_config(*arguments);
  const ServiceCatalog services = ServiceCatalog::load(config.services);
  const std::string service = arguments->get("service").value_or("");
  if (!service.empty() && services.find(service) == nullptr) return usage_error("report", "unknown service '" + service + "'");
  FeedbackStore store(config.database);
  auto records = store.for_report(service, *from, *to);
  if (!records) {
    std::cerr << "pse-feedback: error: " << records.error().message << "\n";
    return kFailure;
  }
  const Report report = build_report(*records, services, *from, *to);
  std::cout << (format == "json" ? report_json(report) : report_html(report, services));
  return kOk;
}

int publish_command(const std::vector<std::string>& args) {
  std::string error;
  auto arguments = parse_arguments(args, {"config"}, error);
  if (!arguments) return usage_error("publish", error);
  if (arguments->help) {
    std::cout << kPublishHelp;
    return kOk;
  }
  const FeedbackConfig config = load_config(*arguments);
  if (!config.broker) return usage_error("publish", "the configuration has no broker section");
  const ServiceCatalog services = ServiceCatalog::load(config.services);
  FeedbackStore store(config.database);
  SdkPublisher publisher(*config.broker);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // Everything waiting is sent now, whatever its backoff: an operator asked for it.
  auto report = drain_outbox(store, services, publisher, now, DrainMode::all);
  if (!report) {
    std::cerr << "pse-feedback: error: " << report.error().message << "\n";
    return kFailure;
  }
  std::cout << report->published << " published, " << report->failed << " failed\n";
  return report->failed == 0 ? kOk : kFailure;
}

}  // namespace pse::feedback::cli
