// The index from a subject's keyed hash to its audit entries, written in sorted runs.
//
// A citizen's view ("who used my data") and `pse-audit query --subject` look entries up by
// subject. A plain SQLite index on audit_entries(subject_hash) puts each new entry on a random
// page of that index, so a commit of n entries dirtied about n pages that all went through the
// WAL, its fsync and the checkpoint. Without that index the exchange benchmark ran 16 % faster
// with a p99 a third lower (bench/RESULTS.md, session 4).
//
// So entries are appended unindexed, and the index is built in runs of `subject_run_size`
// consecutive entries: once a run is complete, its (subject, seq) pairs are sorted and inserted
// a slice per commit, in key order, so they fill new pages one after the other. writer_state.
// indexed_upto says how far the index is complete; a lookup seeks each run below it and scans
// the entries from it on (less than two runs). Everything here is derived from the entries,
// which the Merkle tree protects: `pse-audit verify` checks the index against them, and an
// index emptied (rows deleted, indexed_upto = 0) is rebuilt when the writer opens the log.
//
// Table: subject_index(run, subject_hash, seq) WITHOUT ROWID, with run = seq / subject_run_size.
#pragma once

#include "audit/audit_entry.hpp"
#include "audit/result.hpp"
#include "base/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pse::audit {

/// Entries per run. Part of the file format: changing it needs a new schema version.
inline constexpr std::uint64_t subject_run_size = 8192;

/// One row of the index.
struct SubjectIndexKey {
  Hash subject;
  std::uint64_t seq;
  bool operator<(const SubjectIndexKey& other) const;  // by subject, then seq: the index's order
  bool operator==(const SubjectIndexKey& other) const = default;
};

/// What is wrong with subject_index, checked run by run against the entries (nullopt when it
/// matches): a row that points at no entry of its subject, an entry below indexed_upto without
/// its row, or an indexed_upto past the log. One sequential pass over both tables.
Result<std::optional<std::string>> check_subject_index(SqliteDatabase& database);

/// The writer's side: what is not indexed yet, kept in memory (at most about two runs).
class SubjectIndexWriter {
 public:
  /// `database` must outlive this object. Indexes every complete run that is not indexed yet
  /// (a log upgraded from schema 1, or an index emptied), one transaction per run.
  static Result<SubjectIndexWriter> open(SqliteDatabase& database);

  /// Inside the writer's transaction, after `entries` (consecutive seqs) were inserted:
  /// remembers them and inserts the next slice of the run being indexed. Returns the
  /// indexed_upto to store with this commit.
  Result<std::uint64_t> add(std::span<const AuditEntry> entries);

  /// After a rolled-back transaction: back to what the database holds.
  Status reload();

 private:
  using Key = SubjectIndexKey;
  explicit SubjectIndexWriter(SqliteDatabase& database) : database_(&database) {}
  Status prepare_statements();
  Status insert(std::span<const Key> keys);
  Status index_complete_runs(std::uint64_t entry_end);

  SqliteDatabase* database_;
  SqliteStatement insert_;
  SqliteStatement read_keys_;
  std::uint64_t indexed_upto_ = 0;  // a multiple of subject_run_size
  bool draining_run_ = false;       // the run from indexed_upto_ is complete and being inserted
  std::vector<Key> draining_;       // its keys, sorted
  std::size_t drained_ = 0;         // how much of draining_ is inserted
  std::vector<Key> unindexed_;      // the entries after that run (after indexed_upto_ if none)
};

}  // namespace pse::audit
