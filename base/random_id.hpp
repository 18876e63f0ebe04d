// Random identifiers: consent ids, request ids, feedback ids, tokens. Each is a prefix and the
// hex of random bytes from libsodium (the kernel's generator), so ids are unguessable as well
// as unique.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pse {

/// `prefix` followed by the lower-case hex of `random_bytes` random bytes (16: 128 bits).
std::string random_id(std::string_view prefix, std::size_t random_bytes = 16);

}  // namespace pse
