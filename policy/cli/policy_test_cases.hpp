// Policy test cases: YAML files of input → expected decision, run by `pse-policy test`, so that
// a body can prove its policy does what it intends (in the spirit of OPA's policy tests).
//
//   at: 2026-03-01                  # default time of the cases (or set `at` in each request)
//   cases:
//     - name: AFE may not read the health insurance number
//       request:
//         consumer: afe
//         provider: ramq
//         category: health.insurance_coverage
//         purpose: student_aid_eligibility
//         fields: [coverage_status, health_insurance_number]   # optional: all the rule permits
//       expect:                      # only the keys written here are compared
//         decision: allow            # required: allow or deny
//         reason: no_rule            # a reason code, for a denial
//         rule: afe-coverage         # the deciding rule id, or `none`
//         fields: [coverage_status]  # the permitted fields, in any order
//         refused: {health_insurance_number: clearance_insufficient}
//         basis: consent             # consent, law or none
//         legal_reference: "…"
//         obligations: [notify_subject]
#pragma once

#include "policy/decision.hpp"
#include "policy/snapshot.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pse::policy::cli {

struct ExpectedDecision {
  Effect effect = Effect::deny;
  std::optional<std::string> reason;
  std::optional<std::string> rule;  ///< "none" expects no deciding rule
  std::optional<std::vector<std::string>> fields;
  std::optional<std::map<std::string, std::string>> refused;
  std::optional<std::string> basis;
  std::optional<std::string> legal_reference;
  std::optional<std::vector<std::string>> obligations;
};

struct PolicyTestCase {
  std::string name;
  int line = 0;
  std::string consumer;
  std::string provider;
  std::string category;
  std::string purpose;
  std::vector<std::string> fields;
  Instant at;
  ExpectedDecision expect;

  DecisionRequest request() const;
};

/// Reads a test-case file; throws ConfigError (file, line, reason) on the first problem.
std::vector<PolicyTestCase> read_policy_test_cases(const std::filesystem::path& file);

/// Runs one case. Empty result: it passed. Otherwise diff lines, `- expected` then `+ actual`.
std::vector<std::string> run_policy_test_case(const PolicySnapshot& snapshot, const PolicyTestCase& test);

}  // namespace pse::policy::cli
