// audit_scale — how the audit log's costs grow with its size (issue 9, bench/curves).
//
//   audit_scale --dir DIR --checkpoints 1000000,3000000,10000000 [--subjects N]
//               [--in-flight N] [--batch N] [--proofs N] [--max-seconds S] [--json FILE]
//
// Grows one durable log in DIR (created if needed; an existing log is continued, so a later
// run can go further) up to each checkpoint in turn, appending as the broker does: many
// appends in flight, group commit (batches of up to --batch, default 1024), an fsync and a signed head per
// commit. Subjects cycle through --subjects distinct ids (default 1,000,000), so that subject
// hashes are as random as in production — unlike audit_bench, whose five subjects make every
// index insertion fall in the same place. At each checkpoint it prints and records:
//   - the append rate over the last 100,000 entries before the checkpoint (entries/s),
//   - the time to build an inclusion proof for a random entry in the whole tree (median and
//     max of --proofs, default 3), the way the broker and pse-audit prove,
//   - the time to build a consistency proof from a random stored head to the latest (median
//     and max of --proofs), and the memory all those proofs added at their peak (VmHWM,
//     reset before them, less the RSS before them),
//   - the time to find every entry of a random subject (median of --proofs), the lookup of a
//     citizen's view and `pse-audit query --subject`, from a reader connection,
//   - the database's size (main file + WAL) and the process's peak RSS (VmHWM).
// --max-seconds: no new checkpoint is started after that long (the JSON says where it stopped).
// DIR must be on a real disk (fsync on tmpfs is free). Nothing is removed: delete DIR after.
// --postgresql CONNINFO --password-file FILE: the log in that PostgreSQL database instead (DIR
// then holds the keys only; the database size is not reported).
#include "audit/audit_keys.hpp"
#include "audit/audit_log.hpp"
#include "audit/merkle.hpp"
#include "audit/pg_audit_store.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "base/key_file.hpp"

#include "audit/sample_records.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <semaphore>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Options {
  fs::path dir;
  std::vector<std::uint64_t> checkpoints;
  std::uint64_t subjects = 1'000'000;
  std::uint64_t in_flight = 16'384;
  std::uint64_t batch = 1'024;  // the writer's max_batch_entries
  int proofs = 3;
  double max_seconds = 0;  // 0: no limit
  std::string json;
  std::string postgresql;  // a connection string: the log there instead of DIR/audit.db
  std::string password_file;
};

[[noreturn]] void usage(const std::string& message) {
  std::cerr << "audit_scale: " << message
            << "\nusage: audit_scale --dir DIR --checkpoints N[,N…] [--postgresql CONNINFO --password-file F] "
               "[--subjects N] [--in-flight N] [--batch N] [--proofs N] "
               "[--max-seconds S] [--json FILE]\n";
  std::exit(2);
}

std::uint64_t number(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    usage(option + " takes a number, got '" + text + "'");
  }
  if (used != text.size()) usage(option + " takes a number, got '" + text + "'");
  return value;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string option = argv[i];
    if (option == "-h" || option == "--help") usage("help");
    if (i + 1 >= argc) usage(option + " needs a value");
    const std::string value = argv[++i];
    if (option == "--dir") {
      options.dir = value;
    } else if (option == "--checkpoints") {
      std::stringstream list(value);
      std::string item;
      while (std::getline(list, item, ',')) options.checkpoints.push_back(number(item, option));
    } else if (option == "--subjects") {
      options.subjects = number(value, option);
    } else if (option == "--in-flight") {
      options.in_flight = number(value, option);
    } else if (option == "--batch") {
      options.batch = number(value, option);
    } else if (option == "--proofs") {
      options.proofs = static_cast<int>(number(value, option));
    } else if (option == "--max-seconds") {
      options.max_seconds = static_cast<double>(number(value, option));
    } else if (option == "--json") {
      options.json = value;
    } else if (option == "--postgresql") {
      options.postgresql = value;
    } else if (option == "--password-file") {
      options.password_file = value;
    } else {
      usage("unknown option " + option);
    }
  }
  if (options.dir.empty() || options.checkpoints.empty()) usage("--dir and --checkpoints are required");
  if (options.subjects < 1 || options.in_flight < 1 || options.in_flight > 60'000 || options.proofs < 1 ||
      options.batch < 1 || options.batch > 65'536) {
    usage("--subjects and --proofs must be at least 1, --in-flight from 1 to 60000, --batch from 1 to 65536");
  }
  std::sort(options.checkpoints.begin(), options.checkpoints.end());
  return options;
}

std::uint64_t status_kib(const char* key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + std::string(key).size(), nullptr, 10);
  }
  return 0;
}

// Makes VmHWM the current RSS, so that it measures the peak from now on (Linux 4.0+).
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

double median_of(std::vector<double>& values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::uint64_t file_bytes(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  return error ? 0 : size;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pse::audit;
  const Options options = parse(argc, argv);
  try {
    fs::create_directories(options.dir);
    if (!fs::exists(options.dir / "keys" / signing_key_file)) write_new_key_files(options.dir / "keys");
    AuditConfig config;
    config.database = options.dir / "audit.db";
    config.key_dir = options.dir / "keys";
    config.max_batch_entries = static_cast<std::size_t>(options.batch);
    config.max_pending_entries = 65'536;
    pse::PgConnectOptions postgresql;
    postgresql.conninfo = options.postgresql;
    if (!options.password_file.empty()) postgresql.password = pse::read_secret_key_file(options.password_file);
    // A store to read the log with, on whichever backend holds it.
    auto open_reader = [&]() -> std::unique_ptr<AuditStore> {
      if (!options.postgresql.empty()) {
        auto reader = PgAuditStore::open(postgresql, PgAuditStore::Access::read_only);
        if (!reader) throw std::runtime_error("cannot open a reader: " + reader.error().message);
        return std::move(reader).value();
      }
      auto reader = SqliteAuditStore::open(config.database, SqliteAuditStore::Access::read_only);
      if (!reader) throw std::runtime_error("cannot open a reader: " + reader.error().message);
      return std::move(reader).value();
    };
    auto log = options.postgresql.empty()
                   ? AuditLog::open(config)
                   : AuditLog::open(config, PgAuditStore::open(postgresql).value(), PgAuditStore::open(postgresql).value());
    const auto head = log->latest_tree_head();
    std::uint64_t size = head ? head->tree_size : 0;

    std::counting_semaphore<65'536> window(static_cast<std::ptrdiff_t>(options.in_flight));
    std::atomic<std::uint64_t> failures{0};
    // Appends entries [size, end) and waits until all are durable.
    auto append_up_to = [&](std::uint64_t end) {
      for (; size < end; ++size) {
        window.acquire();
        AuditRecord record = testing::sample_record(size);
        record.subject_id = "QC-SCALE-" + std::to_string(size % options.subjects);
        log->append(std::move(record), [&](AuditLog::AppendResult result) {
          if (!result.ok()) ++failures;
          window.release();
        });
      }
      for (std::uint64_t i = 0; i < options.in_flight; ++i) window.acquire();
      window.release(static_cast<std::ptrdiff_t>(options.in_flight));
    };

    std::ostringstream json;
    json << "{\"subjects\": " << options.subjects << ", \"in_flight\": " << options.in_flight
         << ", \"batch\": " << options.batch << ", \"checkpoints\": [";
    bool first = true;
    std::mt19937_64 random(7);
    const auto began = Clock::now();
    std::string stopped = "null";
    const SubjectHashKey subject_key = load_subject_hash_key(config.key_dir / subject_key_file);
    // Every entry of one subject, from a reader connection as the broker's citizen view does.
    auto time_subject_lookup = [&](std::uint64_t subject) {
      auto reader = open_reader();
      EntryFilter filter;
      filter.subject_hash = subject_key.hash("QC-SCALE-" + std::to_string(subject));
      std::uint64_t found = 0;
      const auto start = Clock::now();
      auto status = reader->query(filter, [&](const StoredEntry&) {
        ++found;
        return true;
      });
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (!status) throw std::runtime_error("subject lookup failed: " + status.error().message);
      const std::uint64_t expected = size / options.subjects + (subject < size % options.subjects ? 1 : 0);
      if (found != expected) {
        throw std::runtime_error("a subject lookup found " + std::to_string(found) + " entries, not " +
                                 std::to_string(expected));
      }
      return ms;
    };
    std::cout << "  entries   append/s  incl. median  incl. max  cons. median  cons. max  proofs KiB  lookup median"
                 "   db MiB  VmHWM MiB\n";
    std::uint64_t process_peak_kib = 0;
    for (const std::uint64_t checkpoint : options.checkpoints) {
      if (checkpoint <= size) {
        std::cerr << "audit_scale: the log already holds " << size << " entries; checkpoint " << checkpoint
                  << " skipped\n";
        continue;
      }
      const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
      if (options.max_seconds > 0 && elapsed >= options.max_seconds) {
        stopped = "\"time budget of " + std::to_string(static_cast<long>(options.max_seconds)) + " s spent before " +
                  std::to_string(checkpoint) + " entries\"";
        std::cout << "stopped: the time budget is spent (" << static_cast<long>(elapsed) << " s)\n";
        break;
      }
      const auto segment_start = Clock::now();
      const std::uint64_t segment_from = size;
      constexpr std::uint64_t measured = 100'000;
      append_up_to(checkpoint > measured && checkpoint - measured > size ? checkpoint - measured : size);
      const std::uint64_t from = size;
      const auto start = Clock::now();
      append_up_to(checkpoint);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      const double rate = static_cast<double>(checkpoint - from) / seconds;
      const double segment_rate = static_cast<double>(checkpoint - segment_from) /
                                  std::chrono::duration<double>(Clock::now() - segment_start).count();
      if (failures.load() != 0) throw std::runtime_error(std::to_string(failures.load()) + " appends failed");

      const SignedTreeHead latest = *log->latest_tree_head();
      const std::uint64_t tree_size = latest.tree_size;
      // Old heads for the consistency proofs, read before the memory of the proofs is measured.
      std::vector<SignedTreeHead> old_heads;
      {
        auto reader = open_reader();
        std::vector<SignedTreeHead> heads;
        auto read = reader->read_tree_heads([&](const StoredTreeHead& stored) {
          if (stored.head.tree_size > 0 && stored.head.tree_size < tree_size) heads.push_back(stored.head);
          return true;
        });
        if (!read) throw std::runtime_error("cannot read the heads: " + read.error().message);
        for (int i = 0; i < options.proofs && !heads.empty(); ++i) old_heads.push_back(heads[random() % heads.size()]);
      }
      process_peak_kib = std::max(process_peak_kib, status_kib("VmHWM:"));
      reset_peak_rss();
      const std::uint64_t rss_before_kib = status_kib("VmRSS:");
      std::vector<double> proof_ms;
      for (int i = 0; i < options.proofs; ++i) {
        const std::uint64_t seq = random() % tree_size;
        const auto proof_start = Clock::now();
        auto proof = log->prove_inclusion(seq, tree_size);
        proof_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - proof_start).count());
        if (!proof) throw std::runtime_error("inclusion proof failed: " + proof.error().message);
        if (!verify_inclusion(proof->seq, proof->tree_size, proof->leaf_hash, proof->path, latest.root)) {
          throw std::runtime_error("an inclusion proof does not verify");
        }
      }
      std::vector<double> consistency_ms;
      for (const SignedTreeHead& old_head : old_heads) {
        const auto proof_start = Clock::now();
        auto proof = log->prove_consistency(old_head.tree_size, tree_size);
        consistency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - proof_start).count());
        if (!proof) throw std::runtime_error("consistency proof failed: " + proof.error().message);
        if (!verify_consistency(old_head.tree_size, tree_size, old_head.root, latest.root, proof->path)) {
          throw std::runtime_error("a consistency proof does not verify");
        }
      }
      if (consistency_ms.empty()) consistency_ms.push_back(0);
      const std::uint64_t proofs_peak_kib = status_kib("VmHWM:") - std::min(status_kib("VmHWM:"), rss_before_kib);
      const double median = median_of(proof_ms);
      const double consistency_median = median_of(consistency_ms);
      std::vector<double> lookup_ms;
      for (int i = 0; i < options.proofs; ++i) lookup_ms.push_back(time_subject_lookup(random() % options.subjects));
      const double lookup_median = median_of(lookup_ms);
      const double db_mib =
          static_cast<double>(file_bytes(config.database) + file_bytes(fs::path(config.database.string() + "-wal"))) /
          (1024.0 * 1024.0);
      process_peak_kib = std::max(process_peak_kib, status_kib("VmHWM:"));
      const double hwm_mib = static_cast<double>(process_peak_kib) / 1024.0;
      std::printf("%9llu  %9.0f  %9.2f ms  %7.2f ms  %9.2f ms  %7.2f ms  %8llu  %11.1f ms  %7.0f  %9.0f\n",
                  static_cast<unsigned long long>(checkpoint), rate, median, proof_ms.back(), consistency_median,
                  consistency_ms.back(), static_cast<unsigned long long>(proofs_peak_kib), lookup_median, db_mib,
                  hwm_mib);
      std::fflush(stdout);
      json << (first ? "" : ",") << "\n  {\"entries\": " << checkpoint << ", \"append_per_s\": " << rate
           << ", \"segment_append_per_s\": " << segment_rate << ", \"proof_ms_median\": " << median << ", \"proof_ms_max\": " << proof_ms.back()
           << ", \"consistency_ms_median\": " << consistency_median << ", \"consistency_ms_max\": " << consistency_ms.back()
           << ", \"proofs_peak_kib\": " << proofs_peak_kib
           << ", \"subject_lookup_ms_median\": " << lookup_median
           << ", \"db_mib\": " << db_mib << ", \"vmhwm_mib\": " << hwm_mib << "}";
      first = false;
    }
    json << "\n], \"stopped\": " << stopped << ", \"seconds\": "
         << std::chrono::duration<double>(Clock::now() - began).count() << "}\n";
    log->close();
    if (!options.json.empty()) std::ofstream(options.json) << json.str();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "audit_scale: " << error.what() << "\n";
    return 1;
  }
}
