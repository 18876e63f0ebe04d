#include "request_mix.hpp"

#include <cstdio>
#include <numeric>

namespace pse::load {

RequestMix::RequestMix(const Options& options) : options_(options) {
  // Reduce the weights by their gcd, then interleave: at each step take the kind furthest
  // behind its share (smooth weighted round-robin), so a 90/5/5 mix never sends 5 denials in a row.
  unsigned divisor = 0;
  for (const auto& entry : options.mix) divisor = std::gcd(divisor, entry.weight);
  std::vector<long> credit(options.mix.size(), 0);
  long total = 0;
  for (const auto& entry : options.mix) total += entry.weight / divisor;
  for (long step = 0; step < total; ++step) {
    std::size_t best = 0;
    for (std::size_t kind = 0; kind < options.mix.size(); ++kind) {
      credit[kind] += options.mix[kind].weight / divisor;
      if (credit[kind] > credit[best]) best = kind;
    }
    credit[best] -= total;
    schedule_.push_back(best);
  }
}

std::size_t RequestMix::kind_of(std::uint64_t sequence) const {
  return schedule_[static_cast<std::size_t>(sequence % schedule_.size())];
}

std::string RequestMix::exchange_body(std::uint64_t sequence) const {
  char subject[32];
  std::snprintf(subject, sizeof subject, "QC-BENCH-%06llu",
                static_cast<unsigned long long>(sequence % options_.subjects));
  // Without --request-ids the broker makes the id; with it, each id is new, so no request is
  // answered from the broker's idempotency memory either way.
  std::string body;
  body.reserve(160);
  body += R"({"subject":")";
  body += subject;
  body += R"(","provider":")";
  body += options_.provider;
  body += R"(","category":")";
  body += options_.category;
  body += R"(","purpose":")";
  body += options_.mix[kind_of(sequence)].purpose;
  if (options_.request_ids) {
    body += R"(","request_id":")";
    body += options_.run_id;
    body += '-';
    body += std::to_string(sequence);
  }
  body += R"("})";
  return body;
}

std::string RequestMix::publish_body(std::uint64_t sequence) const {
  char subject[32];
  std::snprintf(subject, sizeof subject, "QC-BENCH-%06llu",
                static_cast<unsigned long long>(sequence % options_.subjects));
  std::string body;
  body.reserve(options_.record_bytes + 200);
  body += R"({"category":")";
  body += options_.category;
  body += R"(","subject":")";
  body += subject;
  body += R"(","idempotency_key":"load-)";
  body += options_.run_id;
  body += '-';
  body += std::to_string(sequence);
  body += R"(","record":{"surname":"Tremblay","death_date":"2026-11-20",")";
  body += options_.pad_field;
  body += R"(":")";
  body.append(options_.record_bytes > 60 ? options_.record_bytes - 60 : 1, 'x');
  body += R"("}})";
  return body;
}

}  // namespace pse::load
