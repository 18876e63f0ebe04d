// pse-policy: validate the policy configuration, explain a decision, run policy test cases.
#include "policy/cli/commands.hpp"

#include "policy/cli/arguments.hpp"
#include "policy/cli/decision_output.hpp"
#include "policy/cli/explanation.hpp"
#include "policy/cli/policy_test_cases.hpp"
#include "policy/policy_config.hpp"

#include <algorithm>
#include <chrono>

namespace pse::policy::cli {
namespace {

constexpr const char* kUsage = R"(usage: pse-policy COMMAND [options]

Checks and explains the exchange policy of PSE: who may receive which data about a citizen,
from whom, for which purpose, on which basis, and which fields.

commands:
  validate   load orgs.yaml, classification.yaml and policies.yaml and report every problem
  explain    print the decision for one exchange and why
  test       run policy test cases (input -> expected decision) from YAML files

Run `pse-policy COMMAND --help` for a command's options.
exit codes: 0 ok, 1 failing test cases, 2 usage or configuration error.
)";

constexpr const char* kValidateUsage = R"(usage: pse-policy validate [--config-dir DIR] [--keys-dir DIR]

Loads DIR/orgs.yaml, DIR/classification.yaml and DIR/policies.yaml, checks that they agree
(e.g. no rule grants a field above its consumer's clearance) and reports every problem as
file:line: reason.

options:
  --config-dir DIR   configuration directory (default: config/)
  --keys-dir DIR     the platform's keys (broker.yaml keys_dir): also checks that every rule
                     can be met — with end_to_end_encryption, its consumer's encryption key is
                     registered as DIR/encryption/<consumer>.pub; in a category at or above
                     signed_integrity_from, its provider's signing key as DIR/signing/<provider>.pub
  --help             show this help

exit codes: 0 valid, 2 any problem or usage error.
)";

constexpr const char* kExplainUsage = R"(usage: pse-policy explain --consumer ORG --provider ORG --category CATEGORY
                          --purpose PURPOSE [--fields a,b,...] [--at TIME] [--json]
                          [--config-dir DIR]

Prints the decision the policy engine takes for one exchange and why: which rule matched, or
why none did, and why each refused field was refused.

options:
  --consumer ORG       organisation that would receive the data
  --provider ORG       organisation asked for the data
  --category CATEGORY  data category, e.g. identity.address
  --purpose PURPOSE    purpose of the exchange
  --fields a,b         requested fields (default: every field the rule permits)
  --at TIME            decision time, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ in UTC (default: now)
  --json               print JSON instead of text
  --config-dir DIR     configuration directory (default: config/)
  --help               show this help

exit codes: 0 decision printed (allow or deny), 2 usage or configuration error.
)";

constexpr const char* kTestUsage = R"(usage: pse-policy test FILE... [--config-dir DIR]

Runs the policy test cases of each FILE (YAML: cases of request -> expected decision; see
config/policy-tests/) against the configuration, and prints a diff for each failing case.

options:
  --config-dir DIR   configuration directory (default: config/)
  --help             show this help

exit codes: 0 every case passed, 1 a case failed, 2 usage or configuration error.
)";

int usage_error(std::ostream& err, const std::string& message, const char* usage) {
  err << "pse-policy: " << message << "\n" << usage;
  return 2;
}

std::filesystem::path config_directory(Arguments& arguments) {
  return arguments.option("--config-dir").value_or("config");
}

// Loads the configuration, printing every error; null when there was any.
std::shared_ptr<const PolicySnapshot> load_or_report(const std::filesystem::path& directory, std::ostream& err) {
  CompileOutcome outcome = load_policy_config(PolicyConfigPaths::in_directory(directory));
  for (const ConfigError& error : outcome.errors) err << error.what() << "\n";
  return outcome.snapshot;
}

// The keys a rule's obligations and its category's integrity rating need, registered with the
// platform: without the consumer's encryption key the broker refuses each exchange of a rule
// with end_to_end_encryption (encryption_key_missing); without the provider's signing key,
// each exchange in a category that requires signed records (integrity_failed).
bool obligations_can_be_met(const PolicySnapshot& snapshot, const std::filesystem::path& keys_dir, std::ostream& err) {
  bool ok = true;
  for (const PolicyRule& rule : snapshot.rules()) {
    const bool sealed = rule.obligations.contains(Obligation::end_to_end_encryption);
    if (sealed) {
      const std::filesystem::path key = keys_dir / "encryption" / (rule.consumer + ".pub");
      if (!std::filesystem::is_regular_file(key)) {
        err << rule.file << ":" << rule.line << ": rule '" << rule.id << "': end_to_end_encryption to '"
            << rule.consumer << "', which has no encryption key registered (" << key.string() << ")\n";
        ok = false;
      }
    }
    // A sealed record is not signed (docs/decisions/classification.md), so it needs no signing key.
    const Category* category = snapshot.classification().find(rule.category);
    if (sealed || category == nullptr || !category->signed_records) continue;
    const std::filesystem::path key = keys_dir / "signing" / (rule.provider + ".pub");
    if (!std::filesystem::is_regular_file(key)) {
      err << rule.file << ":" << rule.line << ": rule '" << rule.id << "': " << rule.category
          << " requires records signed by their provider, and '" << rule.provider
          << "' has no signing key registered (" << key.string() << ")\n";
      ok = false;
    }
  }
  return ok;
}

// An exchange under notify_subject becomes an access notice published in the provider's name:
// the provider must be allowed to publish in the access notice category, and a rule must give
// its notices to the notification platform, or the citizen is never told.
bool notices_can_reach_the_subject(const PolicySnapshot& snapshot, std::ostream& err) {
  const Category* notices = snapshot.classification().find(kAccessNoticeCategory);
  bool ok = true;
  for (const PolicyRule& rule : snapshot.rules()) {
    if (!rule.obligations.contains(Obligation::notify_subject)) continue;
    const bool received = std::any_of(snapshot.rules().begin(), snapshot.rules().end(), [&rule](const PolicyRule& other) {
      return other.provider == rule.provider && other.category == kAccessNoticeCategory;
    });
    std::string problem;
    if (notices == nullptr) {
      problem = "the classification has no category " + std::string(kAccessNoticeCategory);
    } else if (!notices->may_publish(rule.provider)) {
      problem = "'" + rule.provider + "' may not publish in " + std::string(kAccessNoticeCategory) +
                " (add it to the category's publishers)";
    } else if (!received) {
      problem = "no rule gives " + std::string(kAccessNoticeCategory) + " from '" + rule.provider + "' to anyone";
    }
    if (problem.empty()) continue;
    err << rule.file << ":" << rule.line << ": rule '" << rule.id << "': notify_subject cannot be met: " << problem
        << "\n";
    ok = false;
  }
  return ok;
}

std::vector<std::string> split_fields(const std::string& text) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string field = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (field.empty()) throw UsageError("--fields has an empty field name");
    fields.push_back(field);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
}

std::string required(Arguments& arguments, const std::string& name) {
  std::optional<std::string> value = arguments.option(name);
  if (!value || value->empty()) throw UsageError(name + " is required");
  return *value;
}

}  // namespace

int run_validate(std::vector<std::string> raw, std::ostream& out, std::ostream& err) {
  Arguments arguments(std::move(raw));
  try {
    if (arguments.flag("--help")) {
      out << kValidateUsage;
      return 0;
    }
    const std::filesystem::path directory = config_directory(arguments);
    const std::optional<std::string> keys_dir = arguments.option("--keys-dir");
    arguments.finish();
    std::shared_ptr<const PolicySnapshot> snapshot = load_or_report(directory, err);
    if (!snapshot) {
      err << "pse-policy: configuration in " << directory.string() << " is invalid\n";
      return 2;
    }
    if (!notices_can_reach_the_subject(*snapshot, err)) {
      err << "pse-policy: rules in " << directory.string() << " have obligations the hub cannot meet\n";
      return 2;
    }
    if (keys_dir && !obligations_can_be_met(*snapshot, *keys_dir, err)) {
      err << "pse-policy: rules in " << directory.string() << " have obligations the hub cannot meet\n";
      return 2;
    }
    out << "pse-policy: configuration OK: " << snapshot->organisations().size() << " organisations, "
        << snapshot->classification().size() << " categories, " << snapshot->rules().size() << " rules\n";
    return 0;
  } catch (const UsageError& error) {
    return usage_error(err, error.what(), kValidateUsage);
  }
}

int run_explain(std::vector<std::string> raw, std::ostream& out, std::ostream& err) {
  Arguments arguments(std::move(raw));
  try {
    if (arguments.flag("--help")) {
      out << kExplainUsage;
      return 0;
    }
    const std::filesystem::path directory = config_directory(arguments);
    const bool json = arguments.flag("--json");
    const std::string consumer = required(arguments, "--consumer");
    const std::string provider = required(arguments, "--provider");
    const std::string category = required(arguments, "--category");
    const std::string purpose = required(arguments, "--purpose");
    std::vector<std::string> fields;
    if (std::optional<std::string> list = arguments.option("--fields")) fields = split_fields(*list);
    Instant at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (std::optional<std::string> text = arguments.option("--at")) {
      std::optional<ParsedInstant> parsed = parse_instant(*text);
      if (!parsed) throw UsageError("--at must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" + *text + "'");
      at = parsed->instant;
    }
    arguments.finish();

    std::shared_ptr<const PolicySnapshot> snapshot = load_or_report(directory, err);
    if (!snapshot) return 2;
    const DecisionRequest request{consumer, provider, category, purpose, std::move(fields), at};
    const Decision decision = snapshot->decide(request);
    const std::vector<std::string> why = explain(*snapshot, request, decision);
    const Category* classified = snapshot->classification().find(request.category);
    const bool signed_records = classified != nullptr && classified->signed_records;
    if (json) {
      out << boost::json::serialize(decision_as_json(request, decision, why, signed_records)) << "\n";
    } else {
      out << decision_as_text(request, decision, why, signed_records);
    }
    return 0;
  } catch (const UsageError& error) {
    return usage_error(err, error.what(), kExplainUsage);
  }
}

int run_test(std::vector<std::string> raw, std::ostream& out, std::ostream& err) {
  Arguments arguments(std::move(raw));
  try {
    if (arguments.flag("--help")) {
      out << kTestUsage;
      return 0;
    }
    const std::filesystem::path directory = config_directory(arguments);
    const std::vector<std::string> files = arguments.positionals();
    arguments.finish();
    if (files.empty()) throw UsageError("test needs at least one FILE");

    std::shared_ptr<const PolicySnapshot> snapshot = load_or_report(directory, err);
    if (!snapshot) return 2;
    std::size_t passed = 0, failed = 0;
    for (const std::string& file : files) {
      std::vector<PolicyTestCase> cases;
      try {
        cases = read_policy_test_cases(file);
      } catch (const ConfigError& error) {
        err << error.what() << "\n";
        return 2;
      }
      for (const PolicyTestCase& test : cases) {
        const std::vector<std::string> diff = run_policy_test_case(*snapshot, test);
        if (diff.empty()) {
          ++passed;
          out << "PASS  " << test.name << "\n";
          continue;
        }
        ++failed;
        out << "FAIL  " << test.name << "  (" << file << ":" << test.line << ")\n";
        for (const std::string& line : diff) out << "      " << line << "\n";
      }
    }
    out << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
  } catch (const UsageError& error) {
    return usage_error(err, error.what(), kTestUsage);
  }
}

int run_pse_policy(std::vector<std::string> arguments, std::ostream& out, std::ostream& err) {
  if (arguments.empty()) return usage_error(err, "a command is required", kUsage);
  const std::string command = arguments.front();
  arguments.erase(arguments.begin());
  if (command == "--help" || command == "-h" || command == "help") {
    out << kUsage;
    return 0;
  }
  try {
    if (command == "validate") return run_validate(std::move(arguments), out, err);
    if (command == "explain") return run_explain(std::move(arguments), out, err);
    if (command == "test") return run_test(std::move(arguments), out, err);
  } catch (const ConfigError& error) {
    err << "pse-policy: configuration error: " << error.what() << "\n";
    return 2;
  }
  return usage_error(err, "unknown command '" + command + "'", kUsage);
}

}  // namespace pse::policy::cli
