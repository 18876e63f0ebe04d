#include "adapters/copybook/record_file_reader.hpp"

#include "adapters/copybook/record_decoder.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

namespace pse::legacy {
namespace {

std::string hex_of(std::string_view bytes) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    text.push_back(hex[byte >> 4]);
    text.push_back(hex[byte & 0xF]);
  }
  return text;
}

std::string json_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
      quoted.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      quoted += ' ';
    } else {
      quoted.push_back(c);
    }
  }
  return quoted + "\"";
}

/// The reject file, opened on the first rejection only, so that a clean file leaves none behind.
class RejectWriter {
 public:
  explicit RejectWriter(std::filesystem::path path) : path_(std::move(path)) {}

  bool write(const LegacyError& error, std::string_view bytes) {
    if (!stream_) {
      stream_ = std::make_unique<std::ofstream>(path_, std::ios::binary | std::ios::trunc);
      if (!*stream_) return false;
    }
    *stream_ << "{\"file\":" << json_string(error.file) << ",\"record\":" << error.record_number << ",\"offset\":" << error.byte_offset
             << ",\"field\":" << json_string(error.field) << ",\"reason\":\"" << to_string(error.code) << "\",\"message\":"
             << json_string(error.message) << ",\"bytes\":\"" << hex_of(bytes) << "\"}\n";
    return static_cast<bool>(stream_->flush());
  }

 private:
  std::filesystem::path path_;
  std::unique_ptr<std::ofstream> stream_;
};

/// Places a record-relative decoder error in the file.
LegacyError locate(LegacyError error, const Frame& frame, const std::string& file_name) {
  error.file = file_name;
  error.record_number = frame.record_number;
  error.byte_offset += frame.byte_offset;
  return error;
}

LegacyError file_error(LegacyErrorCode code, std::string message, const std::string& file_name, std::uint64_t record = 0) {
  LegacyError error(code, std::move(message));
  error.file = file_name;
  error.record_number = record;
  error.file_level = true;
  return error;
}

/// The decimal value of a field of a decoded record, or nullopt when it is absent or not a number.
std::optional<std::pair<Int128, int>> decimal_field(const Record& record, const std::string& name) {
  const RecordEntry* entry = record.find(name);
  if (entry == nullptr || entry->value_kind != ValueKind::decimal) return std::nullopt;
  return std::pair<Int128, int>{entry->unscaled, entry->scale};
}

bool same_decimal(std::pair<Int128, int> left, std::pair<Int128, int> right) {
  const int scale = std::max(left.second, right.second);
  const auto a = rescale(left.first, left.second, scale);
  const auto b = rescale(right.first, right.second, scale);
  return a && b && *a == *b;
}

/// A whole file mapped read-only: mainframe extracts run to gigabytes, and mapping lets the
/// kernel page them in as the framer advances instead of copying them into memory first.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
      problem_ = std::strerror(errno);
      return;
    }
    struct stat status {};
    if (::fstat(descriptor, &status) != 0) {
      problem_ = std::strerror(errno);
    } else if (status.st_size > 0) {
      size_ = static_cast<std::size_t>(status.st_size);
      void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, descriptor, 0);
      if (mapped == MAP_FAILED) {
        problem_ = std::strerror(errno);
        size_ = 0;
      } else {
        mapping_ = mapped;
        ::madvise(mapped, size_, MADV_SEQUENTIAL);
      }
    }
    ::close(descriptor);
  }
  ~MappedFile() {
    if (mapping_ != nullptr) ::munmap(mapping_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  bool ok() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }
  std::string_view contents() const {
    return mapping_ == nullptr ? std::string_view{} : std::string_view(static_cast<const char*>(mapping_), size_);
  }

 private:
  void* mapping_ = nullptr;
  std::size_t size_ = 0;
  std::string problem_;
};

}  // namespace

LegacyResult<ReadSummary> read_records(std::string_view data, const CopybookLayout& layout, const FileReadOptions& options,
                                       const RecordHandler& handler) {
  const std::string& file_name = options.file_name;
  if (options.policy == RejectPolicy::skip_record && options.reject_file.empty()) {
    return file_error(LegacyErrorCode::io_error, "skip_record needs a reject file", file_name);
  }
  const ControlTotals& totals = options.totals;
  RecordFramer framer(data, options.framing, file_name);
  RecordDecoder decoder(layout);
  RejectWriter rejects(options.reject_file);
  Record record;
  std::string padded;  // a short record with its spaces restored (pad_short_records)
  ReadSummary summary;
  Int128 total = 0;
  const LayoutNode* totalled = totals.totalled_field.empty() ? nullptr : layout.find(totals.totalled_field);
  if (!totals.totalled_field.empty() && (totalled == nullptr || totalled->is_group)) {
    return file_error(LegacyErrorCode::io_error, "no field " + totals.totalled_field + " to total", file_name);
  }
  const int total_scale = totalled != nullptr ? std::max(totalled->picture.scale, 0) : 0;
  bool header_pending = totals.header_layout != nullptr;

  // One record of look-ahead: with a trailer, the last record is not data.
  auto next = framer.next();
  while (true) {
    if (!next) {
      LegacyError error = next.error();
      if (error.file_level || options.policy == RejectPolicy::reject_file) {
        error.file_level = true;
        return error;
      }
      // A truncated last record: reject it and stop, there is nothing after it.
      ++summary.read;
      ++summary.rejected;
      const std::string_view rest = data.substr(std::min<std::size_t>(error.byte_offset, data.size()));
      if (!rejects.write(error, rest)) return file_error(LegacyErrorCode::io_error, "cannot write the reject file", file_name);
      break;
    }
    if (!next.value()) break;
    const Frame frame = *next.value();
    next = framer.next();
    const bool is_last = next.ok() && !next.value();

    if (header_pending) {
      header_pending = false;
      Record header;
      RecordDecoder header_decoder(*totals.header_layout);
      if (auto error = header_decoder.decode(frame.bytes, header)) {
        auto located = locate(std::move(*error), frame, file_name);
        located.file_level = true;
        return located;
      }
      summary.header_json = to_json(header);
      continue;
    }
    if (is_last && totals.trailer_layout != nullptr) {
      Record trailer;
      RecordDecoder trailer_decoder(*totals.trailer_layout);
      if (auto error = trailer_decoder.decode(frame.bytes, trailer)) {
        auto located = locate(std::move(*error), frame, file_name);
        located.file_level = true;
        return located;
      }
      summary.trailer_json = to_json(trailer);
      if (!totals.trailer_count_field.empty()) {
        const auto count = decimal_field(trailer, totals.trailer_count_field);
        if (!count || !same_decimal(*count, {static_cast<Int128>(summary.read), 0})) {
          return file_error(LegacyErrorCode::control_total_mismatch,
                            "trailer " + totals.trailer_count_field + " is " + (count ? decimal_to_string(count->first, count->second) : "absent") +
                                ", the file has " + std::to_string(summary.read) + " data records",
                            file_name, frame.record_number);
        }
      }
      if (!totals.trailer_total_field.empty()) {
        const auto expected = decimal_field(trailer, totals.trailer_total_field);
        if (!expected || !same_decimal(*expected, {total, total_scale})) {
          return file_error(LegacyErrorCode::control_total_mismatch,
                            "trailer " + totals.trailer_total_field + " is " + (expected ? decimal_to_string(expected->first, expected->second) : "absent") +
                                ", the accepted records sum to " + decimal_to_string(total, total_scale),
                            file_name, frame.record_number);
        }
      }
      break;
    }

    ++summary.read;
    std::string_view bytes = frame.bytes;
    if (options.pad_short_records && bytes.size() < layout.record_size()) {
      padded.assign(bytes);
      padded.resize(layout.record_size(), static_cast<char>(byte_of(layout.options().code_page, ' ')));
      bytes = padded;
    }
    if (auto error = decoder.decode(bytes, record)) {
      LegacyError located = locate(std::move(*error), frame, file_name);
      if (options.policy == RejectPolicy::reject_file) {
        located.file_level = true;
        return located;
      }
      ++summary.rejected;
      if (!rejects.write(located, frame.bytes)) return file_error(LegacyErrorCode::io_error, "cannot write the reject file", file_name);
      continue;
    }
    if (!totals.totalled_field.empty()) {
      if (const auto value = decimal_field(record, totals.totalled_field)) {
        if (const auto rescaled = rescale(value->first, value->second, total_scale)) total += *rescaled;
      }
    }
    ++summary.accepted;
    handler(record, frame);
  }
  if (header_pending) return file_error(LegacyErrorCode::missing_header, "the file is empty", file_name);
  if (totals.trailer_layout != nullptr && summary.trailer_json.empty()) {
    return file_error(LegacyErrorCode::missing_trailer, "the file ends without its trailer", file_name);
  }
  return summary;
}

LegacyResult<ReadSummary> read_record_file(const std::filesystem::path& path, const CopybookLayout& layout, FileReadOptions options,
                                           const RecordHandler& handler) {
  if (options.file_name.empty()) options.file_name = path.filename().string();
  MappedFile file(path);
  if (!file.ok()) return file_error(LegacyErrorCode::io_error, "cannot read " + path.string() + ": " + file.problem(), options.file_name);
  return read_records(file.contents(), layout, options, handler);
}

}  // namespace pse::legacy
