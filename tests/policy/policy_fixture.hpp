// A small, fully controlled policy configuration written to a temporary directory, so that
// each test states exactly the rules it relies on (the shipped config/ may change).
//
//   alpha: consumer, clearance 2      beta: provider, clearance 3
//   gamma: consumer + provider, clearance 3      delta: no role, clearance 1
//   test.record (owner beta): public_note 0, name 1, income 2, secret 3
//   test.other  (owner beta): code 1
#pragma once

#include "policy/policy_config.hpp"

#include "support/temp_dir.hpp"

#include <chrono>
#include <string>

namespace pse::policy::testing {

inline const std::string kOrganisations = R"(organisations:
  - {id: alpha, name: Alpha, clearance: 2, roles: [consumer]}
  - {id: beta, name: Beta, clearance: 3, roles: [provider]}
  - {id: gamma, name: Gamma, clearance: 3, roles: [consumer, provider]}
  - {id: delta, name: Delta, clearance: 1}
)";

inline const std::string kClassification = R"(impact_levels: [none, low, medium, high]
categories:
  - id: test.record
    owner: beta
    description: A record
    personal_information: true
    impact: {availability: 1, integrity: medium, confidentiality: high}
    fields:
      - {name: public_note, confidentiality: 0}
      - {name: name, confidentiality: 1}
      - {name: income, confidentiality: 2}
      - {name: secret, confidentiality: 3}
  - id: test.other
    owner: beta
    description: Another record
    impact: {availability: 0, integrity: 0, confidentiality: 1}
    fields:
      - {name: code, confidentiality: 1}
)";

inline const std::string kPolicies = R"(rules:
  - id: alpha-2025
    consumer: alpha
    provider: beta
    category: test.record
    purposes: [eligibility, audit]
    basis: consent
    fields: [name, income]
    valid_from: 2025-01-01
    valid_until: 2025-12-31
    rate_limit: {requests: 10, per: minute}
    obligations: [notify_subject, end_to_end_encryption]
  - id: alpha-2026
    consumer: alpha
    provider: beta
    category: test.record
    purposes: [eligibility]
    basis: law
    legal_reference: "Test Act, s. 1"
    fields: [name]
    valid_from: 2026-01-01
  - id: gamma-record
    consumer: gamma
    provider: beta
    category: test.record
    purposes: [eligibility]
    basis: law
    legal_reference: "Test Act, s. 2"
    fields: [name, secret]
)";

/// A config directory holding the three files; each can be replaced before loading.
class PolicyConfigDirectory {
 public:
  PolicyConfigDirectory(const std::string& organisations = kOrganisations,
                        const std::string& classification = kClassification,
                        const std::string& policies = kPolicies) {
    write_organisations(organisations);
    write_classification(classification);
    write_policies(policies);
  }

  void write_organisations(const std::string& text) const { directory_.write("orgs.yaml", text); }
  void write_classification(const std::string& text) const { directory_.write("classification.yaml", text); }
  void write_policies(const std::string& text) const { directory_.write("policies.yaml", text); }

  PolicyConfigPaths paths() const { return PolicyConfigPaths::in_directory(directory_.path()); }
  const std::filesystem::path& path() const { return directory_.path(); }
  CompileOutcome load() const { return load_policy_config(paths()); }

 private:
  pse::testing::TempDir directory_;
};

inline Instant at(const std::string& text) { return parse_instant(text).value().instant; }

}  // namespace pse::policy::testing
