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

/// A repeating group of N occurrences (OCCURS DEPENDING ON) decoded into a Record: the cost per
/// occurrence is the slope between two N (the records of an 11-byte, 3-item occurrence).
void OccursDependingOnDecode(benchmark::State& state) {
  static const std::string copybook =
      "       01 HISTORY-RECORD.\n"
      "          05 CLIENT-ID     PIC X(12).\n"
      "          05 HIST-COUNT    PIC 9(3).\n"
      "          05 HIST OCCURS 0 TO 500 TIMES DEPENDING ON HIST-COUNT.\n"
      "             10 HIST-YEAR    PIC 9(4).\n"
      "             10 HIST-AMOUNT  PIC S9(7)V99 COMP-3.\n"
      "             10 HIST-CODE    PIC X(2).\n";
  auto layout = parse_copybook(copybook);
  if (!layout) throw std::runtime_error(layout.error().describe());
  const auto occurrences = static_cast<std::size_t>(state.range(0));
  // EBCDIC 037: digits F0-F9, 'A' C1, 'B' C2; the amount 1234567.89 packed with a positive sign.
  std::string bytes(12, '\xC1');
  const std::string count = std::to_string(1000 + occurrences).substr(1);
  for (char digit : count) bytes += static_cast<char>(0xF0 + (digit - '0'));
  for (std::size_t at = 0; at < occurrences; ++at) bytes += "\xF2\xF0\xF1\xF9\x12\x34\x56\x78\x9C\xC1\xC2";
  RecordDecoder decoder(*layout);
  Record record;
  for (auto _ : state) {
    if (decoder.decode(bytes, record)) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(record.entries().data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(occurrences));
}
BENCHMARK(OccursDependingOnDecode)->Arg(0)->Arg(1)->Arg(10)->Arg(100)->Arg(500);

}  // namespace
}  // namespace pse::legacy::bench
