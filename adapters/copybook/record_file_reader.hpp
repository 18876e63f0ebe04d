// Reading a whole legacy data file: framing, decoding every record, the reject policy, and
// header/trailer control totals.
//
// Nothing is dropped silently: each record is either handed to the caller or rejected with its
// reason, and the counts of records read, accepted and rejected are returned. Under
// `reject_file` the first bad record fails the file (the caller must then discard what it was
// given); under `skip_record` a bad record goes to the reject file, as one JSON line with the
// file, record number, byte offset, field, reason and the record's bytes in hex, and reading
// goes on. A bad record descriptor or a control total that does not match fails the file under
// either policy: there is no trustworthy way to go on.
#pragma once

#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/copybook/record.hpp"
#include "adapters/framing/legacy_error.hpp"
#include "adapters/framing/record_framer.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace pse::legacy {

enum class RejectPolicy : std::uint8_t { reject_file, skip_record };

/// A header (first record) and a trailer (last record) with control totals. Each is decoded
/// with its own layout; the trailer's count must equal the number of data records, and its
/// total the sum of one numeric field over the accepted records.
struct ControlTotals {
  const CopybookLayout* header_layout = nullptr;   ///< nullptr: no header record
  const CopybookLayout* trailer_layout = nullptr;  ///< nullptr: no trailer record
  std::string trailer_count_field;                 ///< e.g. "TRL-RECORD-COUNT"; empty: not checked
  std::string trailer_total_field;                 ///< e.g. "TRL-AMOUNT-TOTAL"; empty: not checked
  std::string totalled_field;                      ///< the data field summed, e.g. "AMOUNT"
};

struct FileReadOptions {
  FramingOptions framing;
  RejectPolicy policy = RejectPolicy::reject_file;
  std::filesystem::path reject_file;  ///< required with skip_record
  ControlTotals totals;
  std::string file_name;  ///< named in errors; read_record_file sets it from the path
  /// Text exports often lose the trailing spaces of a line: pad a record shorter than the
  /// layout with spaces (of the file's code page) instead of rejecting it as truncated.
  bool pad_short_records = false;
};

struct ReadSummary {
  std::uint64_t read = 0;      ///< data records framed (header and trailer not counted)
  std::uint64_t accepted = 0;  ///< handed to the caller
  std::uint64_t rejected = 0;  ///< written to the reject file
  std::string header_json;     ///< canonical JSON of the header record, when there is one
  std::string trailer_json;
};

/// Called with each accepted record and where it came from.
using RecordHandler = std::function<void(const Record& record, const Frame& frame)>;

/// Reads `data` (a whole file in memory). The error, if any, is file-level.
LegacyResult<ReadSummary> read_records(std::string_view data, const CopybookLayout& layout, const FileReadOptions& options,
                                       const RecordHandler& handler);

/// Maps the file at `path` read-only and calls read_records.
LegacyResult<ReadSummary> read_record_file(const std::filesystem::path& path, const CopybookLayout& layout,
                                           FileReadOptions options, const RecordHandler& handler);

}  // namespace pse::legacy
