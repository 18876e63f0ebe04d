// What provider-signed records cost: the provider's SDK signs every field (a salt, a digest and
// one Ed25519 signature per record), the broker and the consumer's SDK each verify (one
// signature check and a digest per field), for records of 1 to 64 fields of 16 bytes each.
// Per field: the slope between the counts. Meaningful only in a Release build:
//   cmake --build build/release --target sdk_record_proof_bench
#include <pse/record_proof.hpp>

#include <sodium.h>

#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include <stdexcept>
#include <string>

namespace {

using pse::integrity::Key;

const Key& seed() {
  static const Key key = [] {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init");
    Key bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    return bytes;
  }();
  return key;
}

const pse::integrity::SignedClaims kClaims{"retraite-quebec", "QC-1957-0042", "identity.death", "rq-1", 1'790'000'000};

boost::json::object record_of(std::int64_t fields) {
  boost::json::object record;
  for (std::int64_t i = 0; i < fields; ++i) record["field_" + std::to_string(i)] = "value-0123456789";
  return record;
}

void Sign(benchmark::State& state) {
  const boost::json::object record = record_of(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(pse::integrity::sign_record(record, kClaims, seed()));
  state.counters["fields"] = static_cast<double>(state.range(0));
}
BENCHMARK(Sign)->Arg(1)->Arg(4)->Arg(16)->Arg(64);

void Verify(benchmark::State& state) {
  const boost::json::object record = record_of(state.range(0));
  const auto signed_record = pse::integrity::sign_record(record, kClaims, seed());
  const Key public_key = pse::integrity::public_key_of(seed());
  for (auto _ : state) {
    auto proof = pse::integrity::verify_record(record, signed_record, public_key, kClaims);
    if (!proof) state.SkipWithError("the signature did not verify");
    benchmark::DoNotOptimize(proof);
  }
  state.counters["fields"] = static_cast<double>(state.range(0));
}
BENCHMARK(Verify)->Arg(1)->Arg(4)->Arg(16)->Arg(64);

}  // namespace
