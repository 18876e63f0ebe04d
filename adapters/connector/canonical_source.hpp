// The uniform view the connector has of every legacy file: canonical records.
//
// The codecs keep their own shapes — the copybook decoder fills a flat, reused
// pse::legacy::Record with 128-bit decimals; CSV and XML produce pse::adapters::Record — and
// this layer turns either into adapters::Record (field name → typed value), so that the
// mapping to classification fields, the index and the batch publisher never care which codec
// read the bytes. The codecs are used as they are; nothing here re-implements decoding.
#pragma once

#include "adapters/connector/connector_config.hpp"
#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/copybook/record.hpp"
#include "adapters/record/decode_outcome.hpp"
#include "adapters/record/record.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <optional>
#include <vector>

namespace pse::connector {

/// What one legacy file holds, whatever its codec.
struct FileBatch {
  std::vector<adapters::Record> records;  ///< accepted records, in file order
  std::vector<std::uint64_t> numbers;     ///< the 1-based record number of each, in the file
  adapters::DecodeCounts counts;          ///< read == accepted + rejected
  bool file_rejected = false;             ///< nothing of the file may be used
  std::string file_reason;                ///< why, when rejected as a whole (may quote a value)
  std::string file_location;              ///< where, without any value: what a log line may say
  std::vector<std::string> reject_lines;  ///< one JSON line per rejected record (the codec's format)
};

/// A file format with its schema or layout, loaded once.
class FileCodec {
 public:
  virtual ~FileCodec() = default;
  /// Decodes a whole file held in memory. `file_name` labels errors. Never throws for bad input.
  virtual FileBatch decode(std::string_view bytes, const std::string& file_name) const = 0;
  /// Why `name` cannot be mapped — "'X' is not a field of the copybook", "'X' is a group, not
  /// an elementary field"… — or std::nullopt when it can (the key and every mapping's `from`).
  virtual std::optional<std::string> field_problem(std::string_view name) const = 0;
  /// Why `item` cannot be mapped as a field of each occurrence of the repeating group `list`
  /// (a list field's `items`), or std::nullopt when it can. Only copybooks have them.
  virtual std::optional<std::string> item_problem(std::string_view list, std::string_view item) const {
    (void)item;
    return "'" + std::string(list) + "' is not a repeating group: only copybook sources have them (OCCURS)";
  }
  virtual adapters::ErrorPolicy policy() const = 0;
};

/// Opens the copybook, CSV or XML codec a source names (schemas and copybooks are read here).
/// Throws ConfigError naming the schema or copybook file and line.
/// `wanted` names the fields the connector uses (key and mappings); a codec may decode only those.
std::unique_ptr<FileCodec> open_file_codec(const SourceConfig& source, const std::vector<std::string>& wanted);

/// The canonical values of the given elementary items of a decoded copybook record, named as
/// in the copybook. Numbers follow the copybook's JSON convention: an integer item of at most
/// 15 digits becomes an integer, any other number an exact decimal; text stays text, an
/// uninitialised number is null, COMP-1/COMP-2 become their shortest round-trip text. An item
/// absent from the record (an alternative of a REDEFINES the selector did not choose) is null.
/// Each of `tables` (OCCURS items outside any other table) becomes an adapters::List: one
/// record per occurrence present (OCCURS DEPENDING ON: as many as its count says) holding the
/// elementary items of the occurrence, nested tables left out.
adapters::Record to_canonical(const legacy::Record& record, const std::vector<const legacy::LayoutNode*>& items,
                              const std::vector<const legacy::LayoutNode*>& tables = {});

/// The text form of a canonical value: what a retyping mapping parses again.
std::string text_of(const adapters::Value& value);

}  // namespace pse::connector
