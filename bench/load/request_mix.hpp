// request_mix.hpp — which request comes next: the subject, and the kind of outcome asked for.
//
// The mix is a fixed, interleaved schedule (weights 90/5/5 give 90 allowed, 5 and 5 denied in
// every 100 requests, spread out rather than in runs), so two runs send the same sequence and
// their figures can be compared.
#pragma once

#include "options.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pse::load {

class RequestMix {
 public:
  explicit RequestMix(const Options& options);

  /// The kind (index into options.mix) of the n-th request.
  [[nodiscard]] std::size_t kind_of(std::uint64_t sequence) const;
  /// The JSON body of the n-th exchange request.
  [[nodiscard]] std::string exchange_body(std::uint64_t sequence) const;
  /// The JSON body of the n-th publish: a new idempotency key each time, the record padded to size.
  [[nodiscard]] std::string publish_body(std::uint64_t sequence) const;

 private:
  const Options& options_;
  std::vector<std::size_t> schedule_;
};

}  // namespace pse::load
