// parse_json_object on the bodies the broker reads on its hot paths: an exchange request, a
// publish, a connector's response carrying a record. Meaningful only in a Release build:
//   cmake --build build/micro --target broker_json_body_bench
#include "broker/json_body.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <benchmark/benchmark.h>

#include <string>

namespace {

const std::string kExchange =
    R"({"request_id": "rq-2026-000123", "subject": "QC-1957-0042", "provider": "etat-civil", )"
    R"("category": "identity.birth", "purpose": "health_insurance_registration", "fields": ["surname", "given_names", "birth_date"]})";

const std::string kPublish =
    R"({"category": "identity.death", "subject": "QC-1931-0007", "idempotency_key": "deces-2026-000001", )"
    R"("record": {"surname": "Tremblay", "given_names": "Jeanne", "birth_date": "1931-05-02", "death_date": "2026-11-20", )"
    R"("death_place": "Québec", "cause_of_death": "confidential"}, "to": ["ramq", "retraite-quebec"]})";

std::string connector_response() {
  std::string record;
  for (int i = 0; i < 30; ++i) {
    if (!record.empty()) record += ",";
    record += "\"field_" + std::to_string(i) + "\": \"value number " + std::to_string(i) + "\"";
  }
  return R"({"type": "response", "id": "rq-2026-000123", "record": {)" + record + "}}";
}

// As the broker calls it: into a scratch buffer on the stack.
void parse(benchmark::State& state, const std::string& body) {
  for (auto _ : state) {
    unsigned char buffer[8192];
    boost::json::monotonic_resource scratch(buffer, sizeof buffer);
    auto parsed = pse::broker::parse_json_object(body, &scratch);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}

void BM_ExchangeBody(benchmark::State& state) { parse(state, kExchange); }
void BM_PublishBody(benchmark::State& state) { parse(state, kPublish); }
void BM_ConnectorResponse(benchmark::State& state) { parse(state, connector_response()); }

}  // namespace

BENCHMARK(BM_ExchangeBody);
BENCHMARK(BM_PublishBody);
BENCHMARK(BM_ConnectorResponse);
