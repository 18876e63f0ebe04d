// Sample audit records for the tests, the crash helper and the benchmarks.
#pragma once

#include "audit/audit_entry.hpp"

#include <cstdint>
#include <string>

namespace pse::audit::testing {

/// A record whose fields vary with `i`: subjects "subject-0".."subject-4", two consumers,
/// every seventh one denied.
inline AuditRecord sample_record(std::uint64_t i) {
  AuditRecord record;
  record.time = 1'767'225'600'000'000LL + static_cast<std::int64_t>(i) * 1'000'000;  // 2026-01-01 + i s
  record.request_id = "req-" + std::to_string(i);
  record.consumer = i % 2 == 0 ? "ramq" : "revenu-quebec";
  record.provider = "saaq";
  record.category = "adresse";
  record.purpose = "verification_admissibilite";
  record.subject_id = "subject-" + std::to_string(i % 5);
  if (i % 7 == 6) {
    record.decision = Decision::deny;
    record.reason = "consent_missing";
    record.rule_id = "r-adresse";
  } else {
    record.decision = Decision::allow;
    record.rule_id = "r-adresse";
    record.basis_type = i % 3 == 0 ? BasisType::law : BasisType::consent;
    record.basis = i % 3 == 0 ? "LAI art. 68" : "c-" + std::to_string(i);
    record.permitted_fields = {"adresse", "code_postal"};
    record.payload_hash = sha256("payload " + std::to_string(i));
  }
  return record;
}

}  // namespace pse::audit::testing
