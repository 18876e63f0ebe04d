// libFuzzer target for the policies.yaml loader (the fuzz preset; see tests/fuzz.cmake).
// Run: scripts/fuzz policy_loader_fuzzer (seeds: corpus/policy_loader_fuzzer/)
// The orgs and classification are the fixture's, so the cross-file checks run too.
#include "policy/policy_config.hpp"

#include "../policy_fixture.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

struct Fixture {
  pse::policy::Classification classification;
  pse::policy::OrganisationRegistry organisations;
};

const Fixture& fixture() {
  static const Fixture loaded = [] {
    pse::policy::testing::PolicyConfigDirectory directory;
    pse::policy::CompileOutcome outcome = directory.load();
    if (!outcome.snapshot) std::abort();
    return Fixture{outcome.snapshot->classification(), outcome.snapshot->organisations()};
  }();
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  pse::policy::CompileOutcome outcome = pse::policy::compile_policies_text(
      fixture().classification, fixture().organisations, text, "fuzz.yaml");
  if (outcome.snapshot) {
    for (const auto& rule : outcome.snapshot->rules()) {
      (void)outcome.snapshot->decide({rule.consumer, rule.provider, rule.category, rule.purposes.front(), {}, {}});
    }
  } else if (outcome.errors.empty()) {
    std::abort();  // a refusal must always say why
  }
  return 0;
}
