// pse-audit query: who received what about whom, when, why — filtered.
#include "clients/pse-audit/cli_support.hpp"
#include "clients/pse-audit/commands.hpp"
#include "clients/pse-audit/entry_output.hpp"

#include <charconv>
#include <iostream>

namespace pse::audit_cli {

namespace {
constexpr const char* help = R"(usage: pse-audit query --db FILE [filters] [--csv | --json] [--out FILE]

Filters (all optional, combined with AND):
  --subject ID       the citizen's subject id in clear; hashed with subject-hash.key, so
                     --key-dir DIR is required; the id itself is never stored
  --consumer ORG     organisation that received (or asked for) the record
  --provider ORG     organisation that holds the record
  --category NAME    data category; pse:consent-registry lists the reads of the consent
                     registry (consumer: who read; purpose: read_consents, read_consent,
                     read_mandates, read_accesses or read_proof; permitted_fields: the
                     consent or mandate ids disclosed, or the seq of the entry proven)
  --decision allow|deny
  --since T          from T (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)
  --until T          before T; a date includes that whole day
  --limit N          at most N entries

Output: a table by default, --csv (RFC 4180) or --json (an array of entries).
Entries are listed as stored; run `pse-audit verify` to know they are intact.
)";
}  // namespace

int run_query(const CommandArguments& raw) {
  const Arguments args(raw,
                       {"db", "password-file", "key-dir", "subject", "consumer", "provider", "category", "decision", "since",
                        "until", "limit", "out"},
                       {"csv", "json"});
  if (args.help()) {
    std::cout << help;
    return 0;
  }
  if (args.has("csv") && args.has("json")) throw UsageError("choose one of --csv and --json");
  audit::EntryFilter filter = period_filter(args);
  if (const auto subject = args.value("subject")) filter.subject_hash = subject_key_from(args).hash(*subject);
  filter.consumer = args.value("consumer");
  filter.provider = args.value("provider");
  filter.category = args.value("category");
  if (const auto decision = args.value("decision")) {
    filter.decision = audit::decision_from_string(*decision);
    if (!filter.decision) throw UsageError("--decision takes allow or deny, got '" + *decision + "'");
  }
  if (const auto limit = args.value("limit")) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (error != std::errc() || end != limit->data() + limit->size()) {
      throw UsageError("--limit takes a number, got '" + *limit + "'");
    }
    filter.limit = value;
  }

  auto store = open_store(args);
  std::vector<audit::AuditEntry> entries;
  auto status = store->query(filter, [&](const audit::StoredEntry& stored) {
    entries.push_back(stored.entry);
    return true;
  });
  if (!status) throw std::runtime_error("cannot read the log: " + status.error().message);

  if (args.has("csv")) {
    write_output(args, entries_csv(entries));
  } else if (args.has("json")) {
    write_output(args, entries_json(entries));
  } else {
    write_output(args, entries_table(entries));
  }
  return 0;
}

}  // namespace pse::audit_cli
