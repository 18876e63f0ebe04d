// pse-notify: email and SMS reminders to citizens, as a client of the broker (issue 10).
//
//   pse-notify --config config/notify/notify.yaml [--check]
//
// Exit codes: 0 after SIGTERM/SIGINT, 1 when the broker refuses the subscriptions, 2 on a
// usage or configuration error.
#include "notify_service.hpp"

#include "base/config_error.hpp"
#include "base/log.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

namespace {

const char* const kUsage =
    "usage: pse-notify --config FILE [--check]\n"
    "  Reminds citizens by email and SMS of the notices bodies publish through the broker.\n"
    "  --config FILE  notify.yaml (broker, store, templates, smtp, sms, schedule, limits)\n"
    "  --check        load and validate the configuration and the templates, then exit\n";

}  // namespace

int main(int argc, char** argv) {
  std::string config_file;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_file = argv[++i];
    } else if (std::strcmp(argv[i], "--check") == 0) {
      check = true;
    } else {
      std::fprintf(stderr, "pse-notify: unexpected argument '%s'\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (config_file.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  // SIGTERM/SIGINT are taken synchronously by a thread of our own, not in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  pse::notify::SystemClock clock;
  std::unique_ptr<pse::notify::NotifyService> service;
  try {
    auto config = pse::notify::load_notify_config(config_file);
    pse::notify::check_templates(config, config_file, pse::notify::TemplateSet::load(config.templates_file));
    if (check) {
      std::printf("%s: ok\n", config_file.c_str());
      return 0;
    }
    service = std::make_unique<pse::notify::NotifyService>(std::move(config), clock);
  } catch (const pse::ConfigError& e) {
    std::fprintf(stderr, "%s:%d: %s\n", e.file().c_str(), e.line(), e.reason().c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pse-notify: %s\n", e.what());
    return 2;
  }

  auto started = service->start(std::chrono::seconds(30));
  if (!started && started.error().reason != pse::Reason::provider_unavailable) {
    pse::log::error("the broker refused the subscriptions", {{"reason", pse::to_string(started.error().reason)}});
    return 1;
  }
  pse::log::info("pse-notify running", {{"http_port", service->http_port()}});
  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    service->stop();
  });
  service->run();
  waiter.join();
  pse::log::info("pse-notify stopped");
  return 0;
}
