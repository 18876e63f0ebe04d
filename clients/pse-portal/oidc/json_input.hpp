// Bounded JSON input: every document the relying party reads (discovery, JWKS, the token
// endpoint's answer, a token's header and claims) comes from the network, so it is parsed with
// a size and depth bound and never lets an exception out.
#pragma once

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pse::portal::oidc {

/// The JSON object `text` holds; std::nullopt for anything longer than `max_bytes`, malformed
/// JSON, invalid UTF-8, nesting deeper than 16 levels, or a value other than an object. Of
/// duplicate member names the last one counts (what RFC 7515 §4 allows a JOSE parser).
std::optional<boost::json::object> parse_json_object(std::string_view text, std::size_t max_bytes);

/// The string member `name`; nullptr when absent or not a string.
const boost::json::string* string_member(const boost::json::object& object, std::string_view name);

/// The integer member `name` (a JSON number without fraction or exponent that fits in 64 signed
/// bits); std::nullopt when absent or anything else.
std::optional<std::int64_t> integer_member(const boost::json::object& object, std::string_view name);

}  // namespace pse::portal::oidc
