#include "adapters/framing/record_framer.hpp"

#include <utility>

namespace pse::legacy {

RecordFramer::RecordFramer(std::string_view data, FramingOptions options, std::string file_name)
    : data_(data), options_(options), file_name_(std::move(file_name)) {
  if (options_.format == RecordFormat::text) {
    // A DOS end-of-file marker (0x1A) after the last line is not data.
    while (!data_.empty() && data_.back() == '\x1A') data_.remove_suffix(1);
  }
}

LegacyError RecordFramer::error(LegacyErrorCode code, std::uint64_t offset, std::string message, bool file_level) {
  position_ = data_.size();
  LegacyError result{code, std::move(message)};
  result.file = file_name_;
  result.record_number = record_number_;
  result.byte_offset = offset;
  result.file_level = file_level;
  return result;
}

LegacyResult<std::optional<Frame>> RecordFramer::next() {
  switch (options_.format) {
    case RecordFormat::fixed: return next_fixed();
    case RecordFormat::variable: return next_variable();
    case RecordFormat::text: return next_text();
  }
  return std::optional<Frame>{};
}

LegacyResult<std::optional<Frame>> RecordFramer::next_fixed() {
  if (position_ >= data_.size()) return std::optional<Frame>{};
  const std::size_t length = options_.record_length;
  if (length == 0) return error(LegacyErrorCode::bad_record_descriptor, 0, "fixed record length is 0", true);
  ++record_number_;
  const std::size_t start = position_;
  if (data_.size() - start < length) {
    return error(LegacyErrorCode::truncated_record, start,
                 "last record has " + std::to_string(data_.size() - start) + " of " + std::to_string(length) + " bytes",
                 false);
  }
  position_ += length;
  return std::optional<Frame>{Frame{data_.substr(start, length), record_number_, start}};
}

std::size_t RecordFramer::read_length(std::size_t at, ByteOrder order) const {
  const auto first = static_cast<unsigned char>(data_[at]);
  const auto second = static_cast<unsigned char>(data_[at + 1]);
  return order == ByteOrder::big_endian ? (std::size_t{first} << 8 | second) : (std::size_t{second} << 8 | first);
}

LegacyResult<std::optional<Frame>> RecordFramer::next_variable() {
  if (options_.block_descriptors && position_ >= block_end_) {
    if (position_ >= data_.size()) return std::optional<Frame>{};
    const std::size_t at = position_;
    if (data_.size() - at < 4) return error(LegacyErrorCode::truncated_record, at, "incomplete block descriptor word", true);
    // A BDW with the top bit set is the extended (large block) form, which transfers never keep.
    if ((static_cast<unsigned char>(data_[at]) & 0x80) != 0 || data_[at + 2] != 0 || data_[at + 3] != 0) {
      return error(LegacyErrorCode::bad_record_descriptor, at, "block descriptor word with reserved bytes set", true);
    }
    const std::size_t block_length = read_length(at, ByteOrder::big_endian);
    if (block_length < 8) return error(LegacyErrorCode::bad_record_descriptor, at, "block length below 8", true);
    if (block_length > data_.size() - at) {
      return error(LegacyErrorCode::truncated_record, at,
                   "block of " + std::to_string(block_length) + " bytes runs past the end of the file", true);
    }
    block_end_ = at + block_length;
    position_ = at + 4;
  }
  const std::size_t limit = options_.block_descriptors ? block_end_ : data_.size();
  if (position_ >= limit) return std::optional<Frame>{};
  ++record_number_;
  const std::size_t at = position_;
  if (limit - at < 4) {
    return error(LegacyErrorCode::truncated_record, at, "incomplete record descriptor word", options_.block_descriptors);
  }
  if (data_[at + 2] != 0 || data_[at + 3] != 0) {
    // Non-zero reserved bytes mean a spanned segment (RECFM=VS) or that these are not RDWs at all.
    return error(LegacyErrorCode::bad_record_descriptor, at, "record descriptor word with reserved bytes set", true);
  }
  const std::size_t declared = read_length(at, options_.rdw_byte_order);
  if (options_.rdw_counts_itself && declared < 4) {
    return error(LegacyErrorCode::bad_record_descriptor, at, "record length " + std::to_string(declared) + " below 4", true);
  }
  const std::size_t length = options_.rdw_counts_itself ? declared - 4 : declared;
  if (length > options_.max_record_length) {
    return error(LegacyErrorCode::record_too_long, at, "record of " + std::to_string(length) + " bytes", true);
  }
  const std::size_t start = at + 4;
  if (length > limit - start) {
    return error(LegacyErrorCode::truncated_record, start,
                 "record declares " + std::to_string(length) + " bytes, " + std::to_string(limit - start) + " remain",
                 options_.block_descriptors);
  }
  position_ = start + length;
  return std::optional<Frame>{Frame{data_.substr(start, length), record_number_, start}};
}

LegacyResult<std::optional<Frame>> RecordFramer::next_text() {
  if (position_ >= data_.size()) return std::optional<Frame>{};
  ++record_number_;
  const std::size_t start = position_;
  const std::size_t newline = data_.find('\n', start);
  const std::size_t end = newline == std::string_view::npos ? data_.size() : newline;
  std::size_t length = end - start;
  if (newline != std::string_view::npos && length > 0 && data_[end - 1] == '\r') --length;
  if (length > options_.max_record_length) {
    return error(LegacyErrorCode::record_too_long, start, "line of " + std::to_string(length) + " bytes", true);
  }
  position_ = newline == std::string_view::npos ? data_.size() : newline + 1;
  return std::optional<Frame>{Frame{data_.substr(start, length), record_number_, start}};
}

std::string frame_record(const FramingOptions& options, std::string_view record) {
  switch (options.format) {
    case RecordFormat::fixed: return std::string(record);
    case RecordFormat::text: return std::string(record) + "\n";
    case RecordFormat::variable: break;
  }
  const std::size_t length = record.size() + (options.rdw_counts_itself ? 4 : 0);
  const auto high = static_cast<char>((length >> 8) & 0xFF);
  const auto low = static_cast<char>(length & 0xFF);
  std::string framed;
  framed.reserve(record.size() + 4);
  framed += options.rdw_byte_order == ByteOrder::big_endian ? high : low;
  framed += options.rdw_byte_order == ByteOrder::big_endian ? low : high;
  framed.append(2, '\0');
  framed.append(record);
  return framed;
}

}  // namespace pse::legacy
