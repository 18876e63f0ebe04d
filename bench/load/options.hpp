// options.hpp — pse-load's command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pse::load {

enum class Mode { exchange, http, handshake, publish };

/// One kind of exchange in the mix: the purpose sent decides the outcome the broker should give.
struct MixEntry {
  std::string name;     ///< allowed, denied_policy, denied_consent
  std::string purpose;  ///< the purpose sent for this kind
  unsigned weight = 0;  ///< relative share of the requests
};

struct Options {
  Mode mode = Mode::exchange;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;
  std::string server_name = "localhost";
  std::string path;  ///< default /v1/exchange (exchange) or / (http)
  std::string ca_file;
  std::string certificate_file;
  std::string key_file;

  std::size_t connections = 64;
  std::size_t threads = 1;
  double duration_seconds = 10;
  double warmup_seconds = 1;
  std::optional<std::uint64_t> request_count;  ///< stop after this many timed requests
  double timeout_seconds = 10;                 ///< one request, or one connect + handshake
  /// Each connection makes one request, then stays open and idle until the end (for memory
  /// per connection); connections are opened a bounded number at a time.
  bool hold = false;

  // exchange mode
  std::string provider = "etat-civil";
  std::string category = "identity.birth";
  std::size_t subjects = 1000;  ///< subjects QC-BENCH-000000… chosen in turn
  std::vector<MixEntry> mix;    ///< default: allowed only
  bool request_ids = false;     ///< each exchange names its request id (run_id-N)

  // publish mode (category, subjects as above)
  std::size_t record_bytes = 1024;  ///< the record's size, padded in one field
  std::string pad_field = "death_place";
  std::string run_id;  ///< prefixes idempotency keys and request ids, so that runs do not repeat each other's

  // http mode
  std::string body;  ///< sent as POST (application/json) when not empty, else GET

  std::string json_file;
};

/// Parses argv. On --help prints usage and exits 0; on a usage error prints it and exits 2.
Options parse_options(int argc, char** argv);

}  // namespace pse::load
