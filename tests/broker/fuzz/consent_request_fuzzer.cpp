// libFuzzer: any bytes as the body of the consent registry's writes — a grant or amendment, a
// revocation of a consent or of a mandate, a mandate. Each reader gives a request or a
// malformed_request that says why, never anything else.
#include "broker/consent_request.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

template <class T>
void expect_request_or_reason(const pse::Result<T>& outcome) {
  if (!outcome && (outcome.error().reason != pse::Reason::malformed_request || outcome.error().message.empty())) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  expect_request_or_reason(pse::broker::read_grant_request(body));
  expect_request_or_reason(pse::broker::read_consent_revoke_request(body));
  expect_request_or_reason(pse::broker::read_mandate_revoke_request(body));
  auto mandate = pse::broker::read_mandate_request(body);
  expect_request_or_reason(mandate);
  return 0;
}
