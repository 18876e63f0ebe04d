// pse-broker: the platform's exchange daemon.
#include "base/config_error.hpp"
#include "base/log.hpp"
#include "broker/broker.hpp"
#include "broker/config.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>

namespace {

constexpr const char* kUsage = R"(usage: pse-broker --config FILE [--check]

Runs the PSE broker: the mutual-TLS listener for organisations and the admin listener
(/healthz, /readyz, /metrics, dead letters; loopback, or mutual TLS for operators), as
configured in FILE (see config/broker.yaml).

options:
  --config FILE   broker configuration (YAML)
  --check         load and validate the configuration, TLS material and organisations, then exit
  --help          show this help

signals: SIGTERM/SIGINT drain in-flight requests and exit; SIGHUP reloads TLS files, CRL and orgs.
A change to the CRL file reloads them too, without a signal.
exit codes: 0 success, 1 runtime failure (e.g. address in use), 2 usage or configuration error.
)";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "pse-broker: %s\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
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
