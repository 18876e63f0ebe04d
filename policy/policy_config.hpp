// Loading the three files the policy engine needs — orgs.yaml, classification.yaml and
// policies.yaml — into a compiled snapshot, collecting every problem on the way.
//
// Each file is read in full, reporting every bad entry. The cross-file checks (does this rule's
// consumer exist? is this field within its clearance?) run only once all three files read
// cleanly, because checking rules against a half-read classification would bury the real
// problem under errors that merely follow from it.
#pragma once

#include "base/config_error.hpp"
#include "policy/snapshot.hpp"

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

namespace pse::policy {

struct PolicyConfigPaths {
  std::filesystem::path organisations;   ///< orgs.yaml
  std::filesystem::path classification;  ///< classification.yaml
  std::filesystem::path policies;        ///< policies.yaml

  /// The three files under one configuration directory, e.g. `config/`.
  static PolicyConfigPaths in_directory(const std::filesystem::path& directory);
};

/// The snapshot of the three files, or every error found (and a null snapshot).
CompileOutcome load_policy_config(const PolicyConfigPaths& paths);

/// Reads policies.yaml from `policies_text` and compiles it against an already loaded
/// classification and registry (fuzzing, tests); `policies_name` names it in messages.
CompileOutcome compile_policies_text(Classification classification, OrganisationRegistry organisations,
                                     std::string_view policies_text,
                                     const std::filesystem::path& policies_name);

}  // namespace pse::policy
