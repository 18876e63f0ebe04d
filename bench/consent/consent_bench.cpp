// Consent check latency on the hot path, and memory per consent, at 10^4, 10^6 and 10^7
// consents (one subject each, a few consumers, categories and purposes, a tenth revoked).
//
// Run: build/release/bench/consent/consent_bench --benchmark_counters_tabular=true
#include "audit/audit_keys.hpp"
#include "broker/consent/consent_index.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <vector>

namespace pse::consent {
namespace {

const char* const kConsumers[] = {"retraite-quebec", "ramq", "saaq", "afe", "revenu-quebec"};
const char* const kCategories[] = {"identity.birth", "identity.address", "health.insurance_coverage",
                                   "tax.income_assessment", "pension.contributions"};
const char* const kPurposes[] = {"pension.eligibility", "health.coverage", "licence.renewal", "student.aid"};

SubjectHash subject_of(std::uint64_t n) {
  SubjectHash hash{};
  // Spread like a real keyed hash: shard and bucket bits from a mixed value.
  std::uint64_t mixed = n * 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < hash.size(); i += 8) {
    mixed ^= mixed >> 31;
    mixed *= 0xBF58476D1CE4E5B9ull;
    std::memcpy(hash.data() + i, &mixed, 8);
  }
  return hash;
}

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

struct Population {
  std::unique_ptr<ConsentIndex> index = std::make_unique<ConsentIndex>();
  double bytes_per_consent = 0;
};

Population& population(std::int64_t size) {
  static std::map<std::int64_t, Population> built;
  auto it = built.find(size);
  if (it != built.end()) return it->second;
  built.clear();  // keep one population in memory at a time
  Population& p = built[size];
  const long before = resident_kib();
  Consent consent;
  consent.provider = "etat-civil";
  consent.granted_at = Instant(std::chrono::seconds(1'700'000'000));
  consent.expires_at = Instant(std::chrono::seconds(1'900'000'000));
  for (std::int64_t n = 0; n < size; ++n) {
    const auto i = static_cast<std::size_t>(n);
    consent.id = new_record_id("cns_");
    consent.subject = subject_of(static_cast<std::uint64_t>(n));
    consent.consumer = kConsumers[i % 5];
    consent.categories = {kCategories[i % 5], kCategories[(i + 1) % 5]};
    consent.purpose.code = kPurposes[i % 4];
    consent.revoked_at.reset();
    if (i % 10 == 0) consent.revoked_at = Instant(std::chrono::seconds(1'800'000'000));
    p.index->put(consent);
  }
  p.bytes_per_consent = static_cast<double>(resident_kib() - before) * 1024.0 / static_cast<double>(size);
  return p;
}

void BM_ConsentCheck(benchmark::State& state) {
  const std::int64_t size = state.range(0);
  Population& p = population(size);
  std::mt19937_64 random(42);
  std::vector<std::int64_t> nanos;
  nanos.reserve(1 << 20);
  std::int64_t allowed = 0;
  for (auto _ : state) {
    const auto n = static_cast<std::size_t>(random() % static_cast<std::uint64_t>(size));
    const SubjectHash subject = subject_of(n);
    const ConsentQuery query{subject, kConsumers[n % 5], "etat-civil", kCategories[n % 5], kPurposes[n % 4],
                             Instant(std::chrono::seconds(1'850'000'000))};
    const auto start = std::chrono::steady_clock::now();
    ConsentCheck result = p.index->check(query);
    const auto stop = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(result);
    allowed += result.allowed();
    if (nanos.size() < nanos.capacity()) nanos.push_back((stop - start).count());
  }
  std::sort(nanos.begin(), nanos.end());
  auto percentile = [&](double q) { return static_cast<double>(nanos[static_cast<std::size_t>(q * static_cast<double>(nanos.size() - 1))]); };
  state.counters["p50_ns"] = percentile(0.50);
  state.counters["p99_ns"] = percentile(0.99);
  state.counters["bytes_per_consent"] = p.bytes_per_consent;
  state.counters["allowed_ratio"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ConsentCheck)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kNanosecond);

// The keyed subject hash the broker computes once per exchange before the check.
void BM_SubjectHash(benchmark::State& state) {
  const auto key = audit::SubjectHashKey::generate();
  std::uint64_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(key.hash("QC-" + std::to_string(n++)));
  }
}
BENCHMARK(BM_SubjectHash);

}  // namespace
}  // namespace pse::consent
