// pse-audit verify: recomputes the whole Merkle tree and checks it against every signed tree
// head (and against heads kept elsewhere, with --head).
#include "audit/log_verifier.hpp"
#include "clients/pse-audit/cli_support.hpp"
#include "clients/pse-audit/commands.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace pse::audit_cli {

namespace {
constexpr const char* help = R"(usage: pse-audit verify --db FILE --key-dir DIR [--head FILE]... [--quiet]

Recomputes every entry's hash and the Merkle tree, and checks it against every signed tree
head stored in the log (chained, the latest signed by the audit key) and against each
--head FILE exported earlier with `pse-audit head`.

  --key-dir DIR      directory holding audit-signing.pub (or --public-key FILE)
  --head FILE        a tree head kept outside the database; repeatable
  --quiet            no progress bar (there is none anyway when stderr is not a terminal)

Exit 0 when intact; 1 when anything was altered, deleted, inserted or reordered, naming the
first bad sequence number; 2 on usage or configuration error.
)";

void draw_progress(std::uint64_t done, std::uint64_t total) {
  constexpr int width = 40;
  const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
  const int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(std::min(filled, width)), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\rverifying [%s] %llu/%llu", bar.c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total));
  std::fflush(stderr);
}

}  // namespace

int run_verify(const CommandArguments& raw) {
  const Arguments args(raw, {"db", "password-file", "key-dir", "public-key", "head"}, {"quiet"});
  if (args.help()) {
    std::cout << help;
    return 0;
  }
  const audit::PublicKey key = public_key_from(args);
  auto store = open_store(args);
  audit::VerifyOptions options;
  for (const std::string& file : args.values("head")) options.external_heads.push_back(read_head_file(file));
  const bool show_progress = !args.has("quiet") && ::isatty(STDERR_FILENO) == 1;
  if (show_progress) options.progress = draw_progress;

  auto report = audit::verify_log(*store, key, options);
  if (show_progress) std::fputs("\n", stderr);
  if (!report) throw std::runtime_error("cannot read the log: " + report.error().message);

  if (report->intact()) {
    std::cout << "intact: " << report->entries << " entries, " << report->tree_heads << " signed tree heads";
    if (report->latest_head) {
      std::cout << ", latest of size " << report->latest_head->tree_size << " signed "
                << audit::format_time(report->latest_head->time);
    }
    std::cout << "\nroot " << pse::to_hex(report->root) << "\n";
    return 0;
  }
  if (const auto seq = report->first_bad_seq()) {
    std::cout << "TAMPERED: first bad sequence number " << *seq << "\n";
  } else {
    std::cout << "TAMPERED\n";
  }
  for (const audit::VerifyProblem& problem : report->problems) {
    std::cout << "  ";
    if (problem.seq) std::cout << "seq " << *problem.seq << ": ";
    std::cout << problem.description << "\n";
  }
  return 1;
}

}  // namespace pse::audit_cli
