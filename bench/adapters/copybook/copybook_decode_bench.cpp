// Decode throughput of the copybook codec, per core (one thread), in bytes/s and records/s.
// Goal (issue 8): at least 300 MB/s on the fixed 1,341-byte, 167-field EBCDIC layout.
#include "benchmark_layouts.hpp"

#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/copybook/record_file_reader.hpp"

#include <benchmark/benchmark.h>

#include <stdexcept>

namespace pse::legacy::bench {
namespace {

constexpr std::size_t fixed_record_count = 4096;  // 5.5 MB: larger than the caches, like a file

struct FixedFixture {
  CopybookLayout layout;
  std::string data;
};

const FixedFixture& fixed_fixture() {
  static const FixedFixture fixture = [] {
    const std::string copybook = fixed_layout_copybook();
    auto layout = parse_copybook(copybook);
    if (!layout) throw std::runtime_error(layout.error().describe());
    if (layout->record_size() != 1341 || layout->elementary_count() != 167) throw std::runtime_error("wrong benchmark layout shape");
    return FixedFixture{std::move(layout.value()), fixed_records(copybook, fixed_record_count)};
  }();
  return fixture;
}

/// Decoding to typed fields (the Record the connector maps), record after record.
void FixedLayoutDecodeToRecord(benchmark::State& state) {
  const FixedFixture& fixture = fixed_fixture();
  RecordDecoder decoder(fixture.layout);
  Record record;
  const std::size_t size = fixture.layout.record_size();
  std::size_t at = 0;
  for (auto _ : state) {
    const std::string_view bytes(fixture.data.data() + at * size, size);
    if (decoder.decode(bytes, record)) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(record.entries().data());
    at = (at + 1) % fixed_record_count;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(FixedLayoutDecodeToRecord);

/// Decoding and writing the canonical JSON of each record.
void FixedLayoutDecodeToJson(benchmark::State& state) {
  const FixedFixture& fixture = fixed_fixture();
  RecordDecoder decoder(fixture.layout);
  Record record;
  std::string json;
  const std::size_t size = fixture.layout.record_size();
  std::size_t at = 0;
  for (auto _ : state) {
    const std::string_view bytes(fixture.data.data() + at * size, size);
    if (decoder.decode(bytes, record)) state.SkipWithError("decode failed");
    json.clear();
    append_json(record, json);
    benchmark::DoNotOptimize(json.data());
    at = (at + 1) % fixed_record_count;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(FixedLayoutDecodeToJson);

/// The whole file through the reader: framing, decoding, policy, handler.
void FixedLayoutReadFile(benchmark::State& state) {
  const FixedFixture& fixture = fixed_fixture();
  FileReadOptions options;
  options.framing.record_length = fixture.layout.record_size();
  std::size_t fields = 0;
  for (auto _ : state) {
    const auto summary = read_records(fixture.data, fixture.layout, options,
                                      [&](const Record& record, const Frame&) { fields += record.entries().size(); });
    if (!summary || summary->accepted != fixed_record_count) state.SkipWithError("read failed");
  }
  benchmark::DoNotOptimize(fields);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(fixture.data.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(fixed_record_count));
}
BENCHMARK(FixedLayoutReadFile)->Unit(benchmark::kMillisecond);

/// Narrow variable-length segments (RDW), each selecting its REDEFINES alternative.
void MultiSegmentReadFile(benchmark::State& state) {
  constexpr std::size_t count = 100'000;
  static const std::string data = multi_segment_records(count);
  CopybookOptions copybook_options;
  copybook_options.selectors.push_back({"COMPANY", "SEGMENT-ID", {{"C", "COMPANY"}, {"P", "CONTACT"}, {"A", "ACCOUNT"}}});
  auto layout = parse_copybook(multi_segment_copybook(), copybook_options);
  if (!layout) throw std::runtime_error(layout.error().describe());
  FileReadOptions options;
  options.framing.format = RecordFormat::variable;
  std::size_t fields = 0;
  for (auto _ : state) {
    const auto summary = read_records(data, *layout, options, [&](const Record& record, const Frame&) { fields += record.entries().size(); });
    if (!summary || summary->accepted != count) state.SkipWithError(summary ? "records rejected" : summary.error().describe().c_str());
  }
  benchmark::DoNotOptimize(fields);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(count));
}
BENCHMARK(MultiSegmentReadFile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pse::legacy::bench
