#include "report.hpp"

#include "text.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>

namespace pse::feedback {
using web::html_escape;
namespace {

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

std::string service_name(const ServiceCatalog& catalog, const std::string& id) {
  const Service* service = catalog.find(id);
  return service == nullptr ? id : service->name_fr;
}

// A bar chart of the answers per rating, drawn on the server: no script, readable without
// colour (each bar is labelled with its count), described for screen readers by title/desc.
std::string rating_chart(const ServiceStats& stats, const std::string& id_suffix) {
  constexpr int kWidth = 420;
  constexpr int kBarHeight = 24;
  constexpr int kGap = 8;
  constexpr int kLabel = 110;
  constexpr int kHeight = 5 * (kBarHeight + kGap) + kGap;
  int max_count = 1;
  for (const int count : stats.ratings) max_count = std::max(max_count, count);
  const std::string title_id = "chart-title-" + id_suffix;
  const std::string desc_id = "chart-desc-" + id_suffix;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
                    std::to_string(kHeight) + "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
                    std::to_string(kHeight) + "\" role=\"img\" aria-labelledby=\"" + title_id + " " + desc_id + "\">\n";
  svg += "<title id=\"" + title_id + "\">Réponses par note — Answers per rating</title>\n<desc id=\"" + desc_id + "\">";
  for (int r = 0; r < 5; ++r) {
    svg += (r == 0 ? "" : ", ") + std::to_string(r + 1) + ": " + std::to_string(stats.ratings[static_cast<std::size_t>(r)]);
  }
  svg += "</desc>\n";
  for (int r = 0; r < 5; ++r) {
    const int count = stats.ratings[static_cast<std::size_t>(r)];
    const int y = kGap + r * (kBarHeight + kGap);
    const int width = (kWidth - kLabel - 50) * count / max_count;
    svg += "<text x=\"0\" y=\"" + std::to_string(y + 17) + "\" font-size=\"14\" fill=\"#1a1a1a\">" +
           std::to_string(r + 1) + " ★</text>\n";
    svg += "<rect class=\"bar\" x=\"" + std::to_string(kLabel - 70) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
           std::to_string(width) + "\" height=\"" + std::to_string(kBarHeight) + "\" fill=\"#095797\"/>\n";
    svg += "<text x=\"" + std::to_string(kLabel - 70 + width + 6) + "\" y=\"" + std::to_string(y + 17) +
           "\" font-size=\"14\" fill=\"#1a1a1a\">" + std::to_string(count) + "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

const char* const kAdminStyle =
    "<style>body{font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:60rem;margin:1rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #6b778a;padding:.4rem;text-align:left;"
    "vertical-align:top}th{background:#e8edf3}.comment{white-space:pre-wrap}</style>\n";

std::string admin_page(const std::string& title, const std::string& main) {
  // These pages are files for operators and bodies, opened locally; they carry their own CSP
  // so that even a comment that escaped escaping could run nothing.
  return "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:\">\n<title>" +
         html_escape(title) + "</title>\n" + kAdminStyle + "</head>\n<body>\n<main>\n" + main + "</main>\n</body>\n</html>\n";
}

}  // namespace

Report build_report(const std::vector<FeedbackRecord>& records, const ServiceCatalog& catalog, std::string from,
                    std::string to) {
  std::map<std::string, ServiceStats> by_service;
  for (const FeedbackRecord& record : records) {
    ServiceStats& stats = by_service[record.service];
    stats.service = record.service;
    ++stats.answers;
    if (record.rating >= 1 && record.rating <= 5) ++stats.ratings[static_cast<std::size_t>(record.rating - 1)];
    stats.mean_rating += record.rating;
    if (record.rating >= 4) stats.satisfaction_rate += 1;
    if (record.got_what_needed) stats.got_what_needed_rate += 1;
    if (record.status == FeedbackStatus::approved && !record.comment.empty()) stats.comments.push_back(record.comment);
  }
  Report report{std::move(from), std::move(to), {}};
  auto finish = [&](ServiceStats stats) {
    const auto n = static_cast<double>(stats.answers);
    stats.mean_rating = round_to(stats.mean_rating / n, 2);
    stats.satisfaction_rate = round_to(stats.satisfaction_rate / n, 4);
    stats.got_what_needed_rate = round_to(stats.got_what_needed_rate / n, 4);
    report.services.push_back(std::move(stats));
  };
  for (const Service& service : catalog.all()) {
    auto it = by_service.find(service.id);
    if (it == by_service.end()) continue;
    finish(std::move(it->second));
    by_service.erase(it);
  }
  for (auto& [id, stats] : by_service) finish(std::move(stats));
  return report;
}

std::string report_json(const Report& report) {
  boost::json::array services;
  for (const ServiceStats& stats : report.services) {
    boost::json::array ratings;
    for (const int count : stats.ratings) ratings.push_back(count);
    services.push_back({{"service", stats.service},
                        {"answers", stats.answers},
                        {"mean_rating", stats.mean_rating},
                        {"satisfaction_rate", stats.satisfaction_rate},
                        {"got_what_needed_rate", stats.got_what_needed_rate},
                        {"ratings", ratings}});
  }
  boost::json::object root{{"from", report.from}, {"to", report.to}, {"services", services}};
  return boost::json::serialize(root) + "\n";
}

std::string report_html(const Report& report, const ServiceCatalog& catalog) {
  std::string main = "<h1>Rétroaction des citoyens — Citizen feedback</h1>\n<p>Période / Period: " +
                     html_escape(report.from) + " — " + html_escape(report.to) + "</p>\n";
  if (report.services.empty()) main += "<p>Aucune réponse pour cette période. / No answers for this period.</p>\n";
  int index = 0;
  for (const ServiceStats& stats : report.services) {
    ++index;
    main += "<section>\n<h2>" + html_escape(service_name(catalog, stats.service)) + " <small>(" +
            html_escape(stats.service) + ")</small></h2>\n";
    main += "<table>\n<tr><th scope=\"row\">Réponses / Answers</th><td>" + std::to_string(stats.answers) + "</td></tr>\n";
    main += "<tr><th scope=\"row\">Note moyenne / Mean rating</th><td>" + fixed(stats.mean_rating, 2) + " / 5</td></tr>\n";
    main += "<tr><th scope=\"row\">Taux de satisfaction (4–5) / Satisfaction rate</th><td>" +
            fixed(stats.satisfaction_rate * 100, 1) + " %</td></tr>\n";
    main += "<tr><th scope=\"row\">Ont obtenu ce dont ils avaient besoin / Got what they needed</th><td>" +
            fixed(stats.got_what_needed_rate * 100, 1) + " %</td></tr>\n</table>\n";
    main += rating_chart(stats, std::to_string(index));
    if (!stats.comments.empty()) {
      main += "<h3>Commentaires approuvés / Approved comments</h3>\n<ul>\n";
      for (const auto& comment : stats.comments) main += "<li class=\"comment\">" + html_escape(comment) + "</li>\n";
      main += "</ul>\n";
    }
    main += "</section>\n";
  }
  return admin_page("Rapport de rétroaction " + report.from + " — " + report.to, main);
}

std::string moderation_html(const std::vector<FeedbackRecord>& records, const ServiceCatalog& catalog) {
  std::string main = "<h1>File de modération — Moderation queue</h1>\n";
  main += "<p>" + std::to_string(records.size()) +
          " réponse(s) en attente. Décidez avec <code>pse-feedback moderate approve|reject|escalate ID</code>.</p>\n";
  main += "<table>\n<tr><th scope=\"col\">ID</th><th scope=\"col\">Service</th><th scope=\"col\">Date</th>"
          "<th scope=\"col\">Note</th><th scope=\"col\">Statut</th><th scope=\"col\">Motifs / Reasons</th>"
          "<th scope=\"col\">Commentaire (masqué)</th></tr>\n";
  for (const FeedbackRecord& record : records) {
    main += "<tr><td>" + html_escape(record.id) + "</td><td>" + html_escape(service_name(catalog, record.service)) +
            "</td><td>" + html_escape(record.submitted_on) + "</td><td>" + std::to_string(record.rating) + "</td><td>" +
            std::string(to_string(record.status)) + (record.escalate ? " ⚠ menace / threat" : "") + "</td><td>" +
            html_escape(record.reasons) + "</td><td class=\"comment\">" + html_escape(record.comment) + "</td></tr>\n";
  }
  main += "</table>\n";
  return admin_page("File de modération", main);
}

}  // namespace pse::feedback
