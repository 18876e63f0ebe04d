// What end-to-end encryption costs per record: the provider's SDK seals the record for the
// consumer's key, the consumer's SDK opens it (libsodium sealed boxes), for records of a few
// fields up to 16 KiB. Meaningful only in a Release build:
//   cmake --build build/release --target sdk_seal_bench
#include "seal/sealed_box.hpp"

#include <sodium.h>

#include <benchmark/benchmark.h>

#include <string>

namespace {

struct KeyPair {
  pse::seal::Key public_key{};
  pse::seal::Key secret_key{};
  KeyPair() {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init");
    crypto_box_keypair(public_key.data(), secret_key.data());
  }
};

const KeyPair& keys() {
  static const KeyPair pair;
  return pair;
}

std::string record_of(std::size_t bytes) {
  std::string record = R"({"contribution_years":31,"total_contributions":84213.55,"social_insurance_number":"046454286","pad":")";
  record.append(bytes > record.size() + 2 ? bytes - record.size() - 2 : 0, 'x');
  return record + "\"}";
}

void Seal(benchmark::State& state) {
  const std::string record = record_of(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(pse::seal::seal(record, keys().public_key));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(record.size()));
}
BENCHMARK(Seal)->Arg(128)->Arg(1024)->Arg(16384);

void Open(benchmark::State& state) {
  const std::string sealed = pse::seal::seal(record_of(static_cast<std::size_t>(state.range(0))), keys().public_key);
  for (auto _ : state) benchmark::DoNotOptimize(pse::seal::open(sealed, keys().secret_key));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(Open)->Arg(128)->Arg(1024)->Arg(16384);

}  // namespace
