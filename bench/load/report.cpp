#include "report.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string_view>

namespace pse::load {
namespace {

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::exchange: return "exchange";
    case Mode::http: return "http";
    case Mode::handshake: return "handshake";
    case Mode::publish: return "publish";
  }
  return "?";
}

double microseconds(std::uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1000.0; }

double throughput(const RunResult& result) {
  return result.timed_seconds > 0 ? static_cast<double>(result.stats.completed) / result.timed_seconds : 0.0;
}

struct Percentile {
  const char* name;
  double quantile;
};
constexpr Percentile percentiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}, {"max", 1.0}};

}  // namespace

void print_report(std::ostream& out, const Options& options, const RunResult& result) {
  const auto& stats = result.stats;
  const auto& latency = stats.latency;
  char line[256];
  std::snprintf(line, sizeof line, "pse-load %s %s:%u%s  %zu connections (%zu connected), %zu thread(s)\n",
                mode_name(options.mode).data(), options.host.c_str(), options.port,
                options.mode == Mode::handshake ? "" : options.path.c_str(), options.connections,
                result.connected, options.threads);
  out << line;
  std::snprintf(line, sizeof line, "  %llu %s in %.2f s: %.0f/s (%llu succeeded)\n",
                static_cast<unsigned long long>(stats.completed),
                options.mode == Mode::handshake ? "handshakes" : "responses", result.timed_seconds,
                throughput(result), static_cast<unsigned long long>(stats.succeeded));
  out << line;
  out << "  latency (µs):";
  for (const auto& percentile : percentiles) {
    std::snprintf(line, sizeof line, "  %s %.0f", percentile.name, microseconds(latency.percentile(percentile.quantile)));
    out << line;
  }
  std::snprintf(line, sizeof line, "  mean %.0f\n", latency.mean() / 1000.0);
  out << line;
  if (stats.succeeded > 0 && options.mode != Mode::handshake) {
    out << "  mean 2xx body: " << stats.response_bytes / stats.succeeded << " bytes\n";
  }
  out << "  outcomes:\n";
  for (const auto& [outcome, count] : stats.outcomes) out << "    " << outcome << ": " << count << "\n";
  if (!stats.errors.empty()) {
    out << "  errors by reason:\n";
    for (const auto& [reason, count] : stats.errors) out << "    " << reason << ": " << count << "\n";
  }
  std::uint64_t error_count = 0;
  for (const auto& entry : stats.errors) error_count += entry.second;
  std::snprintf(line, sizeof line,
                "RESULT mode=%s connections=%zu completed=%llu succeeded=%llu errors=%llu seconds=%.3f "
                "throughput=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f\n",
                mode_name(options.mode).data(), options.connections, static_cast<unsigned long long>(stats.completed),
                static_cast<unsigned long long>(stats.succeeded), static_cast<unsigned long long>(error_count),
                result.timed_seconds, throughput(result), microseconds(latency.percentile(0.5)),
                microseconds(latency.percentile(0.9)), microseconds(latency.percentile(0.99)),
                microseconds(latency.percentile(0.999)), microseconds(latency.max()));
  out << line;
}

bool write_json(const std::string& path, const Options& options, const RunResult& result) {
  const auto& stats = result.stats;
  boost::json::object latency;
  for (const auto& percentile : percentiles) {
    latency[std::string(percentile.name) + "_us"] = microseconds(stats.latency.percentile(percentile.quantile));
  }
  latency["mean_us"] = stats.latency.mean() / 1000.0;
  latency["min_us"] = microseconds(stats.latency.min());
  boost::json::object outcomes;
  for (const auto& [outcome, count] : stats.outcomes) outcomes[outcome] = count;
  boost::json::object errors;
  for (const auto& [reason, count] : stats.errors) errors[reason] = count;

  boost::json::object report;
  report["mode"] = mode_name(options.mode);
  report["target"] = options.host + ":" + std::to_string(options.port) + options.path;
  report["connections"] = options.connections;
  report["connected"] = result.connected;
  report["threads"] = options.threads;
  report["seconds"] = result.timed_seconds;
  report["completed"] = stats.completed;
  report["succeeded"] = stats.succeeded;
  report["throughput_per_second"] = throughput(result);
  report["mean_body_bytes"] = stats.succeeded > 0 ? stats.response_bytes / stats.succeeded : 0;
  report["latency"] = std::move(latency);
  report["outcomes"] = std::move(outcomes);
  report["errors"] = std::move(errors);

  std::ofstream file(path);
  file << boost::json::serialize(report) << "\n";
  if (!file) {
    std::cerr << "pse-load: cannot write " << path << "\n";
    return false;
  }
  return true;
}

}  // namespace pse::load
