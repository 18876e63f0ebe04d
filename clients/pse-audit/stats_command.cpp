// pse-audit stats: counts by decision, reason, consumer and provider over a period.
#include "clients/pse-audit/cli_support.hpp"
#include "clients/pse-audit/commands.hpp"
#include "clients/pse-audit/entry_output.hpp"

#include <iostream>
#include <map>

namespace pse::audit_cli {

namespace {
constexpr const char* help = R"(usage: pse-audit stats --db FILE [--since T] [--until T] [--json] [--out FILE]

Counts the entries of the period by decision, by reason (refusals), by consumer and by
provider. T is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC); a date as --until includes that day.
)";

struct Counts {
  std::uint64_t total = 0;
  std::map<std::string, std::uint64_t> by_decision;
  std::map<std::string, std::uint64_t> by_reason;
  std::map<std::string, std::uint64_t> by_consumer;
  std::map<std::string, std::uint64_t> by_provider;
};

boost::json::object to_json(const std::map<std::string, std::uint64_t>& counts) {
  boost::json::object out;
  for (const auto& [key, count] : counts) out[key] = count;
  return out;
}

std::string section(const char* title, const std::map<std::string, std::uint64_t>& counts) {
  std::string out = std::string(title) + "\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& [key, count] : counts) rows.push_back({"  " + (key.empty() ? "(none)" : key), std::to_string(count)});
  return out + (rows.empty() ? "  (none)\n" : format_table(rows));
}

}  // namespace

int run_stats(const CommandArguments& raw) {
  const Arguments args(raw, {"db", "password-file", "since", "until", "out"}, {"json"});
  if (args.help()) {
    std::cout << help;
    return 0;
  }
  const audit::EntryFilter filter = period_filter(args);
  auto store = open_store(args);
  Counts counts;
  auto status = store->query(filter, [&](const audit::StoredEntry& stored) {
    const audit::AuditEntry& entry = stored.entry;
    ++counts.total;
    ++counts.by_decision[std::string(to_string(entry.decision))];
    if (entry.decision == audit::Decision::deny) ++counts.by_reason[entry.reason];
    ++counts.by_consumer[entry.consumer];
    ++counts.by_provider[entry.provider];
    return true;
  });
  if (!status) throw std::runtime_error("cannot read the log: " + status.error().message);

  if (args.has("json")) {
    boost::json::object json;
    json["entries"] = counts.total;
    json["by_decision"] = to_json(counts.by_decision);
    json["by_reason"] = to_json(counts.by_reason);
    json["by_consumer"] = to_json(counts.by_consumer);
    json["by_provider"] = to_json(counts.by_provider);
    write_output(args, boost::json::serialize(json) + "\n");
    return 0;
  }
  std::string text = "entries: " + std::to_string(counts.total) + "\n\n";
  text += section("by decision:", counts.by_decision) + "\n";
  text += section("by reason (refusals):", counts.by_reason) + "\n";
  text += section("by consumer:", counts.by_consumer) + "\n";
  text += section("by provider:", counts.by_provider);
  write_output(args, text);
  return 0;
}

}  // namespace pse::audit_cli
