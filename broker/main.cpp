// pse-broker: the platform's exchange daemon.
#include "base/config_error.hpp"
#include "base/log.hpp"
#include "broker/broker.hpp"
#include "broker/config.hpp"
#include "broker/store_tool.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

namespace {

constexpr const char* kUsage = R"(usage: pse-broker --config FILE [--check]
       pse-broker store migrate|check --config FILE
       pse-broker store copy --config FILE --from DATA_DIR

Runs the PSE broker: the mutual-TLS listener for organisations and the admin listener
(/healthz, /readyz, /metrics, dead letters; loopback, or mutual TLS for operators), as
configured in FILE (see config/broker.yaml).

options:
  --config FILE   broker configuration (YAML)
  --check         load and validate the configuration, TLS material and organisations, then exit
  --help          show this help

store commands (the store: section of FILE; the broker need not run, and must not for copy):
  migrate         create the PostgreSQL schema or bring it to this program's version
  check           schema version, the audit log verified against its signed heads, counts
  copy --from DIR copy a SQLite data_dir into the (empty) PostgreSQL store: consents and
                  mandates, the audit log (verified afterwards to the same root), deliveries
                  and idempotency keys, subscriptions

signals: SIGTERM/SIGINT drain in-flight requests and exit; SIGHUP reloads TLS files, CRL and orgs.
A change to the CRL file reloads them too, without a signal.
exit codes: 0 success, 1 runtime failure (e.g. address in use), 2 usage or configuration error.
)";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "pse-broker: %s\n%s", message.c_str(), kUsage);
  return 2;
}

// pse-broker store COMMAND --config FILE [--from DIR]
int store_command(int argc, char** argv) {
  if (argc < 3) return usage_error("store needs a command: migrate, check or copy");
  const std::string command = argv[2];
  std::optional<std::string> config_path;
  std::optional<std::string> from;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--config" || arg == "--from") && i + 1 >= argc) return usage_error(arg + " needs a value");
    if (arg == "--config") {
      config_path = argv[++i];
    } else if (arg == "--from" && command == "copy") {
      from = argv[++i];
    } else {
      return usage_error("unknown argument '" + arg + "' for store " + command);
    }
  }
  if (!config_path) return usage_error("--config is required");
  if (command == "copy" && !from) return usage_error("store copy needs --from DATA_DIR");
  try {
    const pse::broker::BrokerConfig config = pse::broker::load_broker_config(*config_path);
    pse::log::set_level(pse::log::Level::warn);
    if (command == "migrate") return pse::broker::store_migrate(config, std::cout);
    if (command == "check") return pse::broker::store_check(config, std::cout);
    if (command == "copy") return pse::broker::store_copy(config, *from, std::cout);
    return usage_error("unknown store command '" + command + "'");
  } catch (const pse::ConfigError& e) {
    std::fprintf(stderr, "pse-broker store %s: %s\n", command.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pse-broker store %s: %s\n", command.c_str(), e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "store") return store_command(argc, argv);
  std::optional<std::string> config_path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--check") {
      check_only = true;
    } else if (arg == "--config") {
      if (i + 1 >= argc) return usage_error("--config needs a file");
      config_path = argv[++i];
    } else {
      return usage_error("unknown argument '" + arg + "'");
    }
  }
  if (!config_path) return usage_error("--config is required");

  std::signal(SIGPIPE, SIG_IGN);
  try {
    pse::broker::BrokerConfig config = pse::broker::load_broker_config(*config_path);
    pse::log::Level level{};
    pse::log::parse_level(config.log_level, level);
    pse::log::set_level(level);
    pse::broker::Broker broker(std::move(config));
    if (check_only) {
      std::printf("pse-broker: configuration OK\n");
      return 0;
    }
    broker.start(/*handle_signals=*/true);
    broker.wait();
    return 0;
  } catch (const pse::ConfigError& e) {
    std::fprintf(stderr, "pse-broker: configuration error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pse-broker: %s\n", e.what());
    return 1;
  }
}
