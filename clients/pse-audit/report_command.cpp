// pse-audit report: the citizen's register of communications.
#include "clients/pse-audit/access_report.hpp"
#include "clients/pse-audit/cli_support.hpp"
#include "clients/pse-audit/commands.hpp"

#include <iostream>

namespace pse::audit_cli {

namespace {
constexpr const char* help = R"(usage: pse-audit report --db FILE --key-dir DIR --subject ID [--lang fr|en]
                        [--since T] [--until T] [--out FILE]

The register of communications (« registre des communications ») of one citizen: every
communication of their personal information recorded in the log — recipient, provider,
category, purpose, basis (consent or law), fields, time and the conditions the rule set on
it (e.g. that the recipient may not pass the information on) — and the number of refused
requests. In French by default; --lang en for English.

  --subject ID   the citizen's subject id in clear, hashed with DIR/subject-hash.key
  --since T      from T (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)
  --until T      before T; a date includes that whole day
)";
}  // namespace

int run_report(const CommandArguments& raw) {
  const Arguments args(raw, {"db", "password-file", "key-dir", "subject", "lang", "since", "until", "out"}, {});
  if (args.help()) {
    std::cout << help;
    return 0;
  }
  ReportRequest request;
  request.subject_id = args.required("subject");
  const std::string language = args.value("lang").value_or("fr");
  if (language != "fr" && language != "en") throw UsageError("--lang takes fr or en, got '" + language + "'");
  request.language = language == "fr" ? Language::french : Language::english;
  request.since_text = args.value("since");
  request.until_text = args.value("until");
  request.produced_at = audit::now_micros();

  audit::EntryFilter filter = period_filter(args);
  filter.subject_hash = subject_key_from(args).hash(request.subject_id);
  auto store = open_store(args);
  std::vector<audit::AuditEntry> entries;
  auto status = store->query(filter, [&](const audit::StoredEntry& stored) {
    entries.push_back(stored.entry);
    return true;
  });
  if (!status) throw std::runtime_error("cannot read the log: " + status.error().message);
  write_output(args, access_report(request, entries));
  return 0;
}

}  // namespace pse::audit_cli
