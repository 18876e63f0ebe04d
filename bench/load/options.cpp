#include "options.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string_view>

namespace pse::load {
namespace {

constexpr std::string_view usage_text = R"(usage: pse-load MODE [options]

Drives a bounded load over N keep-alive mutual-TLS connections to a loopback server and reports
throughput, latency percentiles (p50/p90/p99/p99.9/max from a log-bucket histogram) and errors by
reason code.

modes:
  exchange    POST /v1/exchange to pse-broker with a mix of purposes (outcomes)
  http        any HTTPS path with the same client certificate (e.g. nginx, the reference)
  handshake   new TCP + mutual-TLS handshakes, no session resumption, then close
  publish     POST /v1/publish to pse-broker: durable events fanned out to the category's
              subscribers (how many is the broker's configuration)

target (loopback only: 127.0.0.0/8, ::1 or localhost; anything else is refused):
  --host ADDR            default 127.0.0.1
  --port N               default 8443
  --server-name NAME     name the server certificate must carry (default localhost)
  --path PATH            default /v1/exchange (exchange) or / (http)
  --ca FILE --cert FILE --key FILE
                         the CA of the server, and the client certificate and key (required)

load (always bounded):
  --connections N        keep-alive connections, each with one request at a time (default 64)
  --threads N            I/O threads, connections shared among them (default 1)
  --duration SECONDS     timed phase (default 10)
  --warmup SECONDS       untimed phase first, on the same connections (default 1)
  --requests N           stop the timed phase after N requests (the duration still bounds it)
  --timeout SECONDS      one request, or one connect + handshake (default 10)
  --hold                 exchange and http: each connection makes one request, then stays
                         open and idle through warm-up and duration (memory per idle
                         connection); at most 64 handshakes at a time; prints `HOLDING N`
                         once every connection has had its answer

exchange mode:
  --provider ORG         default etat-civil
  --category ID          default identity.birth
  --subjects N           subjects QC-BENCH-000000… taken in turn (default 1000)
  --mix KIND=PURPOSE:WEIGHT[,…]
                         e.g. allowed=health_insurance_registration:90,denied_policy=marketing:5,
                         denied_consent=bench_consent:5 (kinds are labels in the report; the
                         purpose decides what the broker answers). Default: allowed=
                         health_insurance_registration:1
  --request-ids          give each exchange its own request_id (--run-id and a number), as the
                         SDK does: on PostgreSQL each is then claimed in exchange_claims

publish mode:
  --category ID          default identity.death (the client certificate must be its publisher)
  --subjects N           as above
  --record-bytes N       the record's size, padded in --pad-field (default 1024, death_place)
  --run-id TEXT          prefix of the idempotency keys and request ids (default: the time, so
                         runs differ)

http mode:
  --body TEXT            POST this JSON body; without it, GET

output:
  --json FILE            also write the report as JSON
  The last line printed is always `RESULT key=value …` for scripts.

exit status: 0 when at least one request (or handshake) succeeded, 1 when none did, 2 on a
usage error.
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "pse-load: " << message << " (see 'pse-load --help')\n";
  std::exit(2);
}

template <typename Number>
Number parse_number(std::string_view text, std::string_view option) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    usage_error("bad value for " + std::string(option) + ": '" + std::string(text) + "'");
  }
  return value;
}

double parse_seconds(std::string_view text, std::string_view option) {
  const double value = parse_number<double>(text, option);
  if (!(value >= 0 && value <= 3600)) usage_error(std::string(option) + " must be 0–3600 seconds");
  return value;
}

std::vector<MixEntry> parse_mix(std::string_view text) {
  std::vector<MixEntry> mix;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto equals = item.find('=');
    const auto colon = item.rfind(':');
    if (equals == std::string_view::npos || colon == std::string_view::npos || colon < equals) {
      usage_error("--mix items are KIND=PURPOSE:WEIGHT, got '" + std::string(item) + "'");
    }
    MixEntry entry;
    entry.name = std::string(item.substr(0, equals));
    entry.purpose = std::string(item.substr(equals + 1, colon - equals - 1));
    entry.weight = parse_number<unsigned>(item.substr(colon + 1), "--mix");
    if (entry.name.empty() || entry.purpose.empty()) usage_error("--mix item with an empty kind or purpose");
    mix.push_back(std::move(entry));
  }
  unsigned total = 0;
  for (const auto& entry : mix) total += entry.weight;
  if (total == 0) usage_error("--mix weights add up to 0");
  return mix;
}

// The load generator must never be pointed at another machine: it is a flood by design.
void require_loopback(std::string& host) {
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(host, error);
  if (error) usage_error("--host must be an IP address or localhost, got '" + host + "'");
  if (!address.is_loopback()) usage_error("refusing a non-loopback target " + host);
}

}  // namespace

Options parse_options(int argc, char** argv) {
  Options options;
  if (argc < 2) usage_error("a mode is required");
  const std::string_view mode = argv[1];
  if (mode == "--help" || mode == "-h") {
    std::cout << usage_text;
    std::exit(0);
  }
  if (mode == "exchange") {
    options.mode = Mode::exchange;
  } else if (mode == "http") {
    options.mode = Mode::http;
  } else if (mode == "handshake") {
    options.mode = Mode::handshake;
  } else if (mode == "publish") {
    options.mode = Mode::publish;
    options.category = "identity.death";
  } else {
    usage_error("unknown mode '" + std::string(mode) + "'");
  }

  for (int i = 2; i < argc; ++i) {
    const std::string_view option = argv[i];
    if (option == "--help" || option == "-h") {
      std::cout << usage_text;
      std::exit(0);
    }
    if (option == "--request-ids") {
      options.request_ids = true;
      continue;
    }
    if (option == "--hold") {
      options.hold = true;
      continue;
    }
    if (i + 1 >= argc) usage_error(std::string(option) + " needs a value");
    const std::string_view value = argv[++i];
    if (option == "--host") options.host = value;
    else if (option == "--port") options.port = parse_number<std::uint16_t>(value, option);
    else if (option == "--server-name") options.server_name = value;
    else if (option == "--path") options.path = value;
    else if (option == "--ca") options.ca_file = value;
    else if (option == "--cert") options.certificate_file = value;
    else if (option == "--key") options.key_file = value;
    else if (option == "--connections") options.connections = parse_number<std::size_t>(value, option);
    else if (option == "--threads") options.threads = parse_number<std::size_t>(value, option);
    else if (option == "--duration") options.duration_seconds = parse_seconds(value, option);
    else if (option == "--warmup") options.warmup_seconds = parse_seconds(value, option);
    else if (option == "--requests") options.request_count = parse_number<std::uint64_t>(value, option);
    else if (option == "--timeout") options.timeout_seconds = parse_seconds(value, option);
    else if (option == "--provider") options.provider = value;
    else if (option == "--category") options.category = value;
    else if (option == "--subjects") options.subjects = parse_number<std::size_t>(value, option);
    else if (option == "--mix") options.mix = parse_mix(value);
    else if (option == "--body") options.body = value;
    else if (option == "--record-bytes") options.record_bytes = parse_number<std::size_t>(value, option);
    else if (option == "--pad-field") options.pad_field = value;
    else if (option == "--run-id") options.run_id = value;

    else if (option == "--json") options.json_file = value;
    else usage_error("unknown option " + std::string(option));
  }

  require_loopback(options.host);
  if (options.ca_file.empty() || options.certificate_file.empty() || options.key_file.empty()) {
    usage_error("--ca, --cert and --key are required");
  }
  if (options.connections < 1 || options.connections > 10000) usage_error("--connections must be 1–10000");
  if (options.threads < 1 || options.threads > 64) usage_error("--threads must be 1–64");
  if (options.hold && options.mode != Mode::exchange && options.mode != Mode::http) {
    usage_error("--hold is for the exchange and http modes");
  }
  if (options.subjects < 1) usage_error("--subjects must be at least 1");
  if (options.duration_seconds <= 0) usage_error("--duration must be above 0");
  if (options.timeout_seconds <= 0) usage_error("--timeout must be above 0");
  if (options.path.empty()) {
    options.path = options.mode == Mode::exchange ? "/v1/exchange" : options.mode == Mode::publish ? "/v1/publish" : "/";
  }
  if (options.record_bytes > 900 * 1024) usage_error("--record-bytes must be at most 921600");
  if (options.run_id.empty()) options.run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  if (options.mix.empty()) options.mix.push_back({"allowed", "health_insurance_registration", 1});
  return options;
}

}  // namespace pse::load
