// pse-connector: puts a body's legacy data on the broker — serves categories by key lookup
// and publishes the records of files dropped in a folder.
#include "adapters/connector/connector.hpp"
#include "adapters/connector/connector_config.hpp"
#include "base/config_error.hpp"
#include "adapters/connector/sdk_publisher.hpp"
#include "base/log.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace {

constexpr const char* kUsage = R"(usage: pse-connector --config FILE [--check]

Connects a body's legacy data to the PSE broker, as configured in FILE (see
config/connectors/): answers the broker's exchange requests for the categories it serves by
key lookup, in an index of each file source (COBOL copybook data files, CSV, XML) or in a
database (a SQLite file, or a live database through ODBC), publishes every record of the
files complete in its drop folders (batch mode), and writes the events it subscribes to into
legacy files or a table (deliver).

options:
  --config FILE   connector configuration (YAML)
  --check         load the configuration, open every source and target (creating an output
                  folder and its ledger if needed) and build the indexes, print the counts,
                  then exit (the broker is not contacted)
  --help          show this help

signals: SIGTERM/SIGINT stop serving and watching, then exit.
exit codes: 0 success, 1 runtime failure (a served file rejected, refused by the broker),
            2 usage or configuration error.
)";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "pse-connector: %s\n%s", message.c_str(), kUsage);
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
  // SIGINT and SIGTERM are waited for by sigwait below (blocked before any thread starts).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    pse::connector::ConnectorConfig config = pse::connector::load_connector_config(*config_path);
    pse::log::Level level{};
    pse::log::parse_level(config.log_level, level);
    pse::log::set_level(level);

    std::unique_ptr<pse::connector::Publisher> publisher;
    if (!config.batch.empty() && !check_only) publisher = std::make_unique<pse::connector::SdkPublisher>(config.broker);
    // --check opens the drop folders' codecs too, without a broker: a publisher that is never called.
    struct NoPublisher final : pse::connector::Publisher {
      pse::Result<pse::PublishResponse> publish(const pse::PublishRequest&) override {
        return pse::make_error(pse::Reason::provider_unavailable, "--check publishes nothing");
      }
    } no_publisher;
    pse::connector::Publisher* used = publisher ? publisher.get() : (check_only ? &no_publisher : nullptr);

    pse::connector::Connector connector(std::move(config), used);
    if (check_only) {
      for (const auto& report : connector.index_reports()) {
        std::printf("%s: %s: %llu read, %llu indexed, %llu rejected\n", report.category.c_str(), report.file.c_str(),
                    static_cast<unsigned long long>(report.counts.read), static_cast<unsigned long long>(report.counts.accepted),
                    static_cast<unsigned long long>(report.counts.rejected));
      }
      std::printf("pse-connector: configuration OK\n");
      return 0;
    }

    connector.start();
    // A refusal by the broker (not_category_owner, no provider role) is final: report and exit 1.
    std::atomic<bool> refused{false};
    std::atomic<bool> stopping{false};
    std::thread ready_watch([&] {
      while (!stopping && (!connector.config().serve.empty() || !connector.config().deliver.empty())) {
        const pse::Status ready = connector.wait_ready(std::chrono::seconds(1));
        if (ready) {
          pse::log::info("connected to the broker");
          return;
        }
        if (ready.error().reason != pse::Reason::provider_unavailable) {
          pse::log::error("the broker refused the connector", {{"reason", pse::to_string(ready.error().reason)},
                                                               {"message", ready.error().message}});
          refused = true;
          kill(getpid(), SIGTERM);
          return;
        }
      }
    });
    int received = 0;
    sigwait(&signals, &received);
    pse::log::info("stopping", {{"signal", received}});
    stopping = true;
    connector.stop();
    ready_watch.join();
    return refused ? 1 : 0;
  } catch (const pse::ConfigError& e) {
    std::fprintf(stderr, "pse-connector: configuration error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pse-connector: %s\n", e.what());
    return 1;
  }
}
