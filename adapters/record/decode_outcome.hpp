// What a decode returns: accepted records, rejected ones with their reasons, and counts.
//
// Every codec applies one of two error policies, chosen per adapter in its YAML (`on_error`):
//   - reject_file: the first bad record rejects the whole file; no record of it is delivered,
//     because a batch half-published to other bodies cannot be taken back;
//   - skip_record: a bad record is set aside with its reason (and written to a reject file by
//     write_reject_file) and decoding goes on.
// Either way nothing is dropped silently: read == accepted + rejected, and each rejection
// carries the file, record number, byte offset and field.
#pragma once

#include "adapters/record/record.hpp"

#include <pse/result.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse {
class YamlMap;
}

namespace pse::adapters {

enum class ErrorPolicy { reject_file, skip_record };

std::string_view to_string(ErrorPolicy policy) noexcept;

/// Reads `on_error: reject_file | skip_record` (default reject_file). Throws ConfigError.
ErrorPolicy read_error_policy(YamlMap& map);

/// Where and why one record was refused.
struct DecodeError {
  std::string file;                          ///< the input's name, as given to the decoder
  std::uint64_t record = 0;                  ///< 1-based record number (0: the file as a whole)
  std::optional<std::uint64_t> line;         ///< 1-based line, for text formats
  std::optional<std::uint64_t> byte_offset;  ///< 0-based offset of the bad field (or record) in the file
  std::string field;                         ///< the schema's field or column; empty for the whole record
  std::string reason;
  std::string raw;                           ///< the record's bytes as read, for the reject file (bounded)

  /// "clients.csv: record 3 (line 4, byte 120), field 'solde': not a decimal: '12x'"
  std::string describe() const;
  /// The same without the reason, which may quote a value: what a log line may say.
  /// "clients.csv: record 3 (line 4, byte 120), field 'solde'"
  std::string location() const;
};

/// The most raw bytes kept per rejected record: enough to find and fix it, bounded so that a
/// file of huge bad records cannot exhaust memory.
inline constexpr std::size_t max_raw_bytes = 4096;

struct DecodeCounts {
  std::uint64_t read = 0;
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  friend bool operator==(const DecodeCounts&, const DecodeCounts&) = default;
};

struct DecodeOutcome {
  std::vector<Record> records;      ///< accepted records, in input order; empty if the file was rejected
  std::vector<DecodeError> errors;  ///< every rejected record, in order (reject_file: the one that stopped it)
  DecodeCounts counts;
  bool file_rejected = false;       ///< reject_file policy and at least one bad record
};

/// Builds a DecodeOutcome while a codec reads, applying the error policy.
class OutcomeBuilder {
 public:
  explicit OutcomeBuilder(ErrorPolicy policy) : policy_(policy) {}

  /// Reserves room for about `records` accepted records, so that a large file is not copied
  /// while the list grows.
  void reserve(std::size_t records) { outcome_.records.reserve(records); }
  void accept(Record record);
  /// Records a bad record. Returns false when the codec must stop reading (reject_file).
  bool reject(DecodeError error);
  /// Rejects the file whatever the policy (unreadable header, malformed XML): the error is
  /// about the file, and no record read so far is delivered.
  void reject_file(DecodeError error);
  /// With reject_file and an error, every record read is counted rejected and none is kept.
  DecodeOutcome finish() &&;

 private:
  ErrorPolicy policy_;
  DecodeOutcome outcome_;
  bool file_rejected_ = false;
};

/// Writes the rejected records as JSON lines — {"file","record","line","byte_offset","field",
/// "reason","raw"} (or "raw_hex" when the bytes are not UTF-8) — replacing `file`.
pse::Status write_reject_file(const std::filesystem::path& file, const std::vector<DecodeError>& errors);

/// One reject-file line, without the newline.
std::string reject_line(const DecodeError& error);

}  // namespace pse::adapters
