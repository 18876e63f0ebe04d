// Record framing: cutting a legacy file into records before any field is decoded.
//
// Mainframe files arrive in a few shapes: fixed-length records (RECFM=F/FB, blocking is gone
// once the file is transferred), variable records each preceded by a 4-byte Record Descriptor
// Word (RECFM=V/VB, optionally grouped in blocks with a Block Descriptor Word), and text lines
// from midrange and PC systems (LF or CRLF, sometimes a DOS end-of-file 0x1A). The framer only
// finds record boundaries; it never looks inside a record.
#pragma once

#include "adapters/framing/legacy_error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pse::legacy {

enum class RecordFormat : std::uint8_t {
  fixed,     ///< F/FB: every record is record_length bytes
  variable,  ///< V/VB: a 4-byte RDW before each record
  text,      ///< lines ended by LF or CRLF
};

enum class ByteOrder : std::uint8_t { big_endian, little_endian };

struct FramingOptions {
  RecordFormat format = RecordFormat::fixed;
  std::size_t record_length = 0;  ///< fixed format only; must be > 0
  /// RDW length byte order. IBM writes big endian; some PC transfer tools write little endian.
  ByteOrder rdw_byte_order = ByteOrder::big_endian;
  /// IBM counts the 4 RDW bytes in the length; some tools count only the data.
  bool rdw_counts_itself = true;
  /// VB files that kept their Block Descriptor Words (each block: BDW, then RDW+record...).
  bool block_descriptors = false;
  /// Longest record accepted (variable and text); IBM's limit for V is 32,756 data bytes.
  std::size_t max_record_length = 32760;
};

/// One record: its bytes (a view into the file data), its 1-based number and where it starts.
struct Frame {
  std::string_view bytes;
  std::uint64_t record_number = 0;
  std::uint64_t byte_offset = 0;  ///< offset of the first data byte (after the RDW) in the file
};

/// Cuts `data` (a whole file, or a memory map of it) into records. After an error the framer is
/// at the end: a bad descriptor leaves no way to find the next record, and a truncated record
/// can only be the last one.
class RecordFramer {
 public:
  RecordFramer(std::string_view data, FramingOptions options, std::string file_name = {});

  /// The next record; std::nullopt at the end of the data.
  LegacyResult<std::optional<Frame>> next();

  std::uint64_t records_framed() const noexcept { return record_number_; }

 private:
  LegacyResult<std::optional<Frame>> next_fixed();
  LegacyResult<std::optional<Frame>> next_variable();
  LegacyResult<std::optional<Frame>> next_text();
  LegacyError error(LegacyErrorCode code, std::uint64_t offset, std::string message, bool file_level);
  std::size_t read_length(std::size_t at, ByteOrder order) const;

  std::string_view data_;
  FramingOptions options_;
  std::string file_name_;
  std::size_t position_ = 0;
  std::size_t block_end_ = 0;  // VB: end of the current block
  std::uint64_t record_number_ = 0;
};

/// One record as the framing writes it, the inverse of RecordFramer: as is (fixed), after its
/// RDW (variable: two length bytes in `rdw_byte_order`, counting the RDW when
/// `rdw_counts_itself`, then two zero bytes), or followed by LF (text). Block descriptors are
/// not written.
std::string frame_record(const FramingOptions& options, std::string_view record);

}  // namespace pse::legacy
