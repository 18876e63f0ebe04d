// Decision latency against generated policies of 10, 1,000 and 100,000 rules.
//
// Each iteration decides a different request drawn from a shuffled list of 4,096, so that the
// figures include cache misses on a large index rather than one hot rule. Goal: < 1 µs per
// decision at 100,000 rules (issue 3).
#include "policy/policy_engine.hpp"
#include "policy/snapshot.hpp"

#include <benchmark/benchmark.h>

#include <map>
#include <random>
#include <stdexcept>

namespace pse::policy {
namespace {

constexpr int kOrganisations = 200;
constexpr int kCategories = 40;
constexpr int kPurposes = 16;
constexpr int kFieldsPerCategory = 12;

std::string organisation_id(int i) { return "org-" + std::to_string(i); }
std::string category_id(int i) { return "domain.category_" + std::to_string(i); }
std::string purpose_id(int i) { return "purpose_" + std::to_string(i); }
std::string field_name(int i) { return "field_" + std::to_string(i); }

// Every rule has purposes r % 16 and (r + 1) % 16; with more than 16 rules this one exists in
// the index, but a rule lists it only when r % 16 is 7 or 8. Requests keep to the other rules.
constexpr std::string_view kOtherPurpose = "purpose_8";

struct GeneratedPolicy {
  std::shared_ptr<const PolicySnapshot> snapshot;
  std::vector<DecisionRequest> allowed_requests;  ///< one per sampled rule, every field
  std::vector<DecisionRequest> field_requests;    ///< three fields, one of them refused
  std::vector<DecisionRequest> denied_requests;   ///< an existing triple, a purpose it lacks
  std::vector<PolicyRule> rules;                  ///< the requests' string_views point here
  std::unique_ptr<PolicyEngine> engine;
};

// Rule r joins consumer r % 200, provider (r / 200) % 200, category r / 40,000 — all distinct
// triples — with two purposes and a validity window, like a real body's rules.
std::shared_ptr<GeneratedPolicy> generate(int rule_count) {
  std::vector<Organisation> organisations;
  for (int i = 0; i < kOrganisations; ++i) {
    organisations.push_back({organisation_id(i), "Org", "Org", {Role::consumer, Role::provider}, 2 + i % 2});
  }
  std::vector<Category> categories;
  for (int c = 0; c < kCategories; ++c) {
    Category category;
    category.id = category_id(c);
    category.owner = organisation_id(c);
    category.description = "generated";
    category.personal_information = true;
    category.impact = {1, 2, 3};
    for (int f = 0; f < kFieldsPerCategory; ++f) category.fields.push_back({field_name(f), f % 4, "", ""});
    categories.push_back(std::move(category));
  }
  std::vector<PolicyRule> rules;
  for (int r = 0; r < rule_count; ++r) {
    PolicyRule rule;
    rule.id = "rule-" + std::to_string(r);
    rule.consumer = organisation_id(r % kOrganisations);
    rule.provider = organisation_id((r / kOrganisations) % kOrganisations);
    rule.category = category_id(r / (kOrganisations * kOrganisations));
    rule.purposes = {purpose_id(r % kPurposes), purpose_id((r + 1) % kPurposes)};
    rule.basis = r % 2 == 0 ? LegalBasis{BasisKind::consent, ""}
                            : LegalBasis{BasisKind::law, "Loi générée (RLRQ, c. X-1), art. " + std::to_string(r)};
    rule.fields = {field_name(0), field_name(1), field_name(2), field_name(4), field_name(5)};
    rule.validity = {parse_instant("2024-01-01")->instant, parse_instant("2030-01-01")->instant};
    rule.obligations.insert(Obligation::notify_subject);
    rule.file = "generated";
    rules.push_back(std::move(rule));
  }
  auto policy = std::make_shared<GeneratedPolicy>();
  CompileOutcome outcome = compile_snapshot(Classification({"0", "1", "2", "3"}, std::move(categories)),
                                            OrganisationRegistry(std::move(organisations)), rules);
  if (!outcome.snapshot) throw std::runtime_error(outcome.errors.front().what());
  policy->snapshot = outcome.snapshot;
  policy->engine = std::make_unique<PolicyEngine>(outcome.snapshot);
  policy->rules = std::move(rules);

  std::mt19937 random(42);
  const Instant at = parse_instant("2026-03-01")->instant;
  for (int i = 0; i < 4096; ++i) {
    const PolicyRule* candidate = nullptr;
    do {
      candidate = &policy->rules[static_cast<std::size_t>(random() % policy->rules.size())];
    } while (candidate->purposes[0] == "purpose_7" || candidate->purposes[0] == "purpose_8");
    const PolicyRule& rule = *candidate;
    policy->allowed_requests.push_back({rule.consumer, rule.provider, rule.category, rule.purposes[0], {}, at});
    policy->field_requests.push_back({rule.consumer, rule.provider, rule.category, rule.purposes[1],
                                      {field_name(1), field_name(3), field_name(5)}, at});
    // A purpose other rules use, so the lookup reaches the rule group's binary search.
    policy->denied_requests.push_back({rule.consumer, rule.provider, rule.category, kOtherPurpose, {}, at});
  }
  return policy;
}

// Generated once per size and shared by the benchmarks of that size.
const GeneratedPolicy& policy_of(int rule_count) {
  static std::map<int, std::shared_ptr<GeneratedPolicy>> cache;
  auto& entry = cache[rule_count];
  if (!entry) entry = generate(rule_count);
  return *entry;
}

void run(benchmark::State& state, const std::vector<DecisionRequest> GeneratedPolicy::*requests, bool expect_allow) {
  const GeneratedPolicy& policy = policy_of(static_cast<int>(state.range(0)));
  const std::vector<DecisionRequest>& list = policy.*requests;
  std::size_t i = 0;
  for (auto _ : state) {
    Decision decision = policy.snapshot->decide(list[i++ & 4095]);
    if (decision.allowed() != expect_allow) state.SkipWithError("unexpected decision");
    benchmark::DoNotOptimize(decision);
  }
  state.counters["rules"] = static_cast<double>(policy.snapshot->rules().size());
}

void BM_DecideAllowAllFields(benchmark::State& state) { run(state, &GeneratedPolicy::allowed_requests, true); }
void BM_DecideAllowWithRefusedField(benchmark::State& state) { run(state, &GeneratedPolicy::field_requests, true); }
void BM_DecideDenyPurpose(benchmark::State& state) { run(state, &GeneratedPolicy::denied_requests, false); }

// Through PolicyEngine: adds the atomic load of the current snapshot, from 1 and 2 threads.
void BM_EngineDecide(benchmark::State& state) {
  const GeneratedPolicy& policy = policy_of(static_cast<int>(state.range(0)));
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 997;
  for (auto _ : state) {
    Decision decision = policy.engine->decide(policy.allowed_requests[i++ & 4095]);
    benchmark::DoNotOptimize(decision);
  }
}

// Compiling a snapshot (what a reload costs, off the hot path), from already read rules.
void BM_CompileSnapshot(benchmark::State& state) {
  const GeneratedPolicy& policy = policy_of(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    CompileOutcome outcome = compile_snapshot(policy.snapshot->classification(), policy.snapshot->organisations(),
                                              policy.rules);
    benchmark::DoNotOptimize(outcome.snapshot);
  }
}

BENCHMARK(BM_DecideAllowAllFields)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DecideAllowWithRefusedField)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DecideDenyPurpose)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_EngineDecide)->Arg(100000)->Threads(1)->Threads(2);
BENCHMARK(BM_CompileSnapshot)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Generate every size before any thread starts, so that the cache is never written concurrently.
const bool kGenerated = [] {
  for (int size : {10, 1000, 100000}) policy_of(size);
  return true;
}();

}  // namespace
}  // namespace pse::policy
