// Serving by key: the records of a category, indexed by subject once, looked up per request.
//
// A file source (copybook, CSV, XML) is decoded and mapped once, at start (and again when the
// file changes): each accepted record becomes the JSON object of its classification fields,
// stored under its subject in a hash map. A request is then one hash lookup and a copy of the
// requested fields — never a scan of the file. A SQL source is looked up in the database for
// each request instead, through its checked, indexed query (the database is the index).
#pragma once

#include "adapters/connector/canonical_source.hpp"
#include "adapters/connector/field_mapping.hpp"
#include "adapters/sql/keyed_source.hpp"

#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pse::connector {

/// One line of a reject file: {"file", "record", "field", "reason"}, for a record the mapping
/// refused (the codecs write their own lines for what they refuse).
std::string reject_json(const std::string& file_name, std::uint64_t record, const std::string& field,
                        const std::string& reason);

/// An immutable index: subject → mapped record.
class RecordIndex {
 public:
  const boost::json::object* find(std::string_view subject) const;
  std::size_t size() const noexcept { return records_.size(); }

  void reserve(std::size_t count) { records_.reserve(count); }
  /// False (and nothing changed) when the subject is already indexed.
  bool insert(std::string subject, boost::json::object record) {
    return records_.try_emplace(std::move(subject), std::move(record)).second;
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, boost::json::object, Hash, std::equal_to<>> records_;
};

/// What building an index found.
struct IndexBuild {
  std::shared_ptr<const RecordIndex> index;  ///< null when the file was rejected
  adapters::DecodeCounts counts;             ///< records read, indexed, rejected (decode, mapping, duplicates)
  bool file_rejected = false;
  std::string file_reason;    ///< may quote a value: for the reject file, never the log
  std::string file_location;  ///< where, without any value
  std::vector<std::string> reject_lines;
};

/// Decodes `bytes` with `codec`, maps every record with `mapper` and indexes it by subject. A
/// record whose mapping fails, or whose subject an earlier record already holds, is rejected
/// like a bad record: under reject_file the whole file is refused (nothing is served from a
/// file known to be wrong), under skip_record it goes to the reject lines.
IndexBuild build_index(const FileCodec& codec, const RecordMapper& mapper, std::string_view bytes, const std::string& file_name);

/// Reads a whole file; an Error (provider_unavailable) when it cannot be read.
pse::Result<std::string> read_whole_file(const std::filesystem::path& file);

/// A source looked up by key (SQLite, ODBC) and its mapping, safe to call from several
/// handler threads.
class KeyLookup {
 public:
  KeyLookup(std::unique_ptr<adapters::sql::KeyedSource> source, RecordMapper mapper);
  /// The mapped record of `subject`, std::nullopt when the query returns no row. A bad row,
  /// several rows, or a failing database is an Error.
  pse::Result<std::optional<boost::json::object>> find(const std::string& subject);

 private:
  std::unique_ptr<adapters::sql::KeyedSource> source_;
  RecordMapper mapper_;
};

/// The fields of `record` that `fields` lists, in that order (absent ones are left out); a
/// list field where its first "list.sub" is listed, each item kept to the listed sub-fields.
boost::json::object project(const boost::json::object& record, const std::vector<std::string>& fields);

}  // namespace pse::connector
