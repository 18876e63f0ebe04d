// The index from a subject's keyed hash to its audit entries, written in sorted runs that are
// merged as they accumulate.
//
// A citizen's view ("who used my data") and `pse-audit query --subject` look entries up by
// subject. A plain SQLite index on audit_entries(subject_hash) puts each new entry on a random
// page of that index, so a commit of n entries dirtied about n pages that all went through the
// WAL, its fsync and the checkpoint. Without that index the exchange benchmark ran 16 % faster
// with a p99 a third lower (bench/RESULTS.md, session 4).
//
// So entries are appended unindexed, and the index is built in runs: once `run_size`
// consecutive entries are committed, their (subject, seq) pairs are sorted and inserted a slice
// per commit, in key order, so they fill new pages one after the other (a level-0 run).
// writer_state.indexed_upto says how far the level-0 runs reach; a lookup scans the entries from
// it on (about one run's worth).
//
// A lookup seeks once per run, and level-0 runs alone made that 12,207 seeks at 10^8 entries
// (445 ms). So runs are merged as in an LSM tree (schema version 4): when the `fanout` aligned
// runs of one level that make up one run of the next level are all complete, the writer builds
// that run from them — a k-way merge of their rows, inserted in key order a slice per commit —
// and, in the commit that inserts its last row, makes it the run lookups seek and hands its
// children over to be dropped; their rows are then deleted a slice per commit. A lookup seeks
// fewer than 2 × fanout runs per level, and there are log_fanout(n / run_size) levels: a few
// dozen seeks at 10^8 entries.
//
// Run ids (subject_index.run and subject_runs.run): level << 48 | index. Run `index` of level L
// covers the entries [index × s, (index + 1) × s) with s = run_size × fanout^L. At level 0 that
// is seq / run_size, the id versions 2 and 3 used, so an upgraded log keeps its rows; the writer
// merges them later, as they come.
//
// Tables:
//   subject_index(run, subject_hash, seq) WITHOUT ROWID   the rows, by run, then key
//   subject_runs(run PK, state)                           every run that has rows:
//     building  being inserted. Its rows are a prefix, in key order, of what it will hold. At
//               most one per level; at level 0 it is the run from indexed_upto.
//     live      complete. The live runs cover [0, indexed_upto) exactly, each entry once: they
//               are the runs a lookup seeks.
//     dropping  merged into a live run of the next level; its rows are deleted from its
//               smallest key on, then its row here.
//   subject_index_layout(run_size, fanout)   set when the log is created (8,192 and 16); the
//               tests set small ones to watch merges of several levels in a few thousand entries.
//
// Consistency. Everything is written in the writer's transactions, with the entries it indexes:
// a rolled-back commit leaves the index as it was, and reload() makes the writer's memory agree
// with the file again. A lookup reads subject_runs, the rows and indexed_upto in one SQL
// statement, so in one snapshot: it sees a merged run either building (and seeks its live
// children) or live (and seeks it, not its dropping children) — never both, never neither.
//
// Work per commit is bounded: a slice of max(run_size / 16, 2 × entries appended) rows for the
// level-0 run being inserted, as much for each run being merged, and as much again for each
// level's dropping runs. At twice the append rate a merge, and then the drop of its children,
// each take half the time the next `fanout` runs of that level take to complete, so every level
// keeps up (a log upgraded from version 3 catches up at that pace too).
//
// Everything here is derived from the entries, which the Merkle tree protects: `pse-audit
// verify` checks the index against them, and an index emptied (rows deleted, indexed_upto = 0)
// is rebuilt when the writer opens the log.
#pragma once

#include "audit/audit_entry.hpp"
#include "audit/result.hpp"
#include "base/sqlite.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pse::audit {

/// How the runs are cut: stored in the log (subject_index_layout), read by the writer and
/// verify. Versions 2 and 3 used the defaults, with no merges.
struct SubjectIndexLayout {
  std::uint64_t run_size = 8192;  ///< entries per level-0 run
  std::uint64_t fanout = 16;      ///< runs of one level merged into one of the next

  /// run_size of 1 to 2^20 and fanout of 2 to 256: anything else is not a layout we wrote.
  bool valid() const;
  /// The highest level whose runs' ranges fit in a seq (and their ids in subject_index.run).
  unsigned max_level() const;
  /// Entries a run of `level` covers (level <= max_level()).
  std::uint64_t entries_per_run(unsigned level) const;
};

/// One run of the index.
struct SubjectRun {
  unsigned level = 0;
  std::uint64_t index = 0;

  std::int64_t id() const;
  /// nullopt for an id no run of `layout` has.
  static std::optional<SubjectRun> from_id(std::int64_t id, const SubjectIndexLayout& layout);
  std::uint64_t begin(const SubjectIndexLayout& layout) const;  ///< its first seq
  std::uint64_t end(const SubjectIndexLayout& layout) const;    ///< past its last seq
  bool operator==(const SubjectRun& other) const = default;
};

enum class SubjectRunState { building, live, dropping };
std::string_view to_string(SubjectRunState state);
std::optional<SubjectRunState> subject_run_state_from_string(std::string_view text);

/// One row of the index.
struct SubjectIndexKey {
  Hash subject;
  std::uint64_t seq;
  bool operator<(const SubjectIndexKey& other) const;  // by subject, then seq: the index's order
  bool operator==(const SubjectIndexKey& other) const = default;
};

/// What is wrong with subject_index (nullopt when it matches the entries): rows that point at
/// no entry of their subject or belong to no run, entries a run should hold without their row,
/// live runs that do not cover [0, indexed_upto) exactly, or an indexed_upto past the log. One
/// sequential pass over each table. `schema_version` is the file's (2 and 3 had no
/// subject_runs: their runs below indexed_upto were all complete).
Result<std::optional<std::string>> check_subject_index(SqliteDatabase& database, int schema_version);

/// The writer's side: what is not indexed yet (at most about two runs), the runs and their
/// states, and where each merge stands. All of it can be reloaded from the file.
class SubjectIndexWriter {
 public:
  /// `database` must outlive this object. Indexes every complete level-0 run that is not
  /// indexed yet (a log upgraded from schema 1, or an index emptied), one transaction per run;
  /// merges resume with the next commit.
  static Result<SubjectIndexWriter> open(SqliteDatabase& database);

  /// Inside the writer's transaction, after `entries` (consecutive seqs) were inserted:
  /// remembers them, inserts the next slice of the level-0 run being indexed, and moves each
  /// merge and drop on by a slice. Returns the indexed_upto to store with this commit.
  Result<std::uint64_t> add(std::span<const AuditEntry> entries);

  /// After a rolled-back transaction: back to what the database holds.
  Status reload();

 private:
  using Key = SubjectIndexKey;

  // One child of a run being merged: its rows read ahead a chunk at a time, in key order.
  struct MergeSource {
    std::int64_t run = 0;
    std::vector<Key> ahead;       // read, not merged yet
    std::size_t next = 0;         // the first of `ahead` not merged
    std::optional<Key> after;     // the next chunk starts after this key (nullopt: at the start)
    bool exhausted = false;       // no rows after `ahead`
  };
  // A run of level >= 1 being built from its children.
  struct Merge {
    SubjectRun target;
    std::vector<MergeSource> sources;
  };

  explicit SubjectIndexWriter(SqliteDatabase& database) : database_(&database) {}
  Status prepare_statements();
  Status read_runs();
  Status clear_stale_index();
  Status index_complete_runs();
  Status insert(std::int64_t run, std::span<const Key> keys);
  Status save_state(SubjectRun run, SubjectRunState state);
  Status forget(std::int64_t run);

  std::size_t min_slice() const;
  Status index_level_zero(std::size_t budget);
  Status start_merges();
  std::optional<SubjectRun> first_complete_group(unsigned level) const;
  Status resume_merges();
  Result<Merge> resume_merge(SubjectRun target);
  Status refill(MergeSource& source);
  Result<bool> copy_slice(Merge& merge, std::size_t budget);  // true: the merge is complete
  Status finish_merge(const Merge& merge);
  Status drop_slices(std::size_t slice);
  Result<bool> drop_rows(std::int64_t run, std::size_t& budget);  // true: the run is gone

  SqliteDatabase* database_;
  SqliteStatement insert_;       // one row
  SqliteStatement insert_many_;  // rows_per_insert rows
  SqliteStatement read_keys_;
  SqliteStatement save_state_;
  SqliteStatement forget_run_;
  SqliteStatement first_rows_;
  SqliteStatement rows_after_;
  SqliteStatement drop_boundary_;
  SqliteStatement drop_upto_;
  SqliteStatement drop_run_;
  SubjectIndexLayout layout_;
  std::map<std::int64_t, SubjectRunState> runs_;  // subject_runs, with this transaction's changes
  std::set<std::int64_t> dropping_;               // the runs of runs_ being dropped
  std::map<unsigned, Merge> merges_;              // by the level of the run being built
  std::vector<Key> merged_;                       // a merge's slice, before it is inserted
  bool look_for_merges_ = true;                   // a run became live since the last look

  std::uint64_t entry_end_ = 0;     // past the last entry the writer has seen
  std::uint64_t indexed_upto_ = 0;  // a multiple of run_size
  bool draining_run_ = false;       // the run from indexed_upto_ is complete and being inserted
  std::vector<Key> draining_;       // its keys, sorted
  std::size_t drained_ = 0;         // how much of draining_ is inserted
  std::vector<Key> unindexed_;      // the entries after that run (after indexed_upto_ if none)
};

}  // namespace pse::audit
