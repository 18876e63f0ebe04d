// pse-portal serve --config FILE: the citizen's page (clients/pse-portal/README.md).
#include "base/config_error.hpp"
#include "base/log.hpp"
#include "policy/policy_config.hpp"
#include "https_server.hpp"
#include "portal_app.hpp"
#include "portal_config.hpp"
#include "preferences_provider.hpp"
#include "preferences_store.hpp"
#include "provider_sign_in.hpp"

#include <pse/client.hpp>

#include <iostream>
#include <string_view>

namespace {

using namespace pse::portal;

constexpr const char* kUsage =
    "usage: pse-portal serve --config FILE\n"
    "  Serves the citizen's page (\"Mon dossier\") over HTTPS: sign-in with the OpenID provider,\n"
    "  the citizen's consents and who received their information, through the broker; with a\n"
    "  preferences_db, the citizen's contact preferences, served to the broker as contact.preferences.\n";

/// The broker, with Services Québec's certificate (the consent authority, and the provider of
/// contact.preferences).
pse::ClientOptions client_options(const BrokerSettings& broker) {
  pse::ClientOptions options;
  options.host = broker.host;
  options.port = broker.port;
  options.ca_file = broker.ca;
  options.certificate_file = broker.certificate;
  options.key_file = broker.key;
  options.max_connections = 4;
  return options;
}

/// The registry through the SDK, with the consent authority's certificate.
class SdkRegistry final : public Registry {
 public:
  explicit SdkRegistry(const BrokerSettings& broker) : client_(client_options(broker)) {}
  pse::Result<boost::json::object> call(pse::RegistryMethod method, const std::string& target,
                                        const boost::json::object& body) override {
    return client_.registry(method, target, body);
  }

 private:
  pse::Client client_;
};

PortalContent load_content(const PortalConfig& config) {
  PortalContent content;
  if (!config.policy_dir.empty()) {
    auto compiled = pse::policy::load_policy_config(pse::policy::PolicyConfigPaths::in_directory(config.policy_dir));
    if (!compiled.snapshot) throw compiled.errors.front();
    content.policy = compiled.snapshot;
  }
  if (!config.words.empty()) content.words = CitizenWords::load(config.words);
  if (!config.receipt_key.empty()) content.receipt_key = pse::audit::load_public_key(config.receipt_key);
  return content;
}

int serve(const std::filesystem::path& config_file) {
  const PortalConfig config = load_portal_config(config_file);
  const PortalContent content = load_content(config);
  SessionStore sessions(config.session_idle, config.session_max);
  ProviderSignIn sign_in(config.oidc, config.public_url);
  SdkRegistry registry(config.broker);
  pse::web::RateLimiter limiter(config.rate_limit_posts, std::int64_t{config.rate_limit_seconds} * 1000);
  std::unique_ptr<PreferencesStore> preferences;
  std::unique_ptr<PreferencesProvider> preferences_provider;
  if (!config.preferences_db.empty()) {
    preferences = std::make_unique<PreferencesStore>(config.preferences_db);
    preferences_provider = std::make_unique<PreferencesProvider>(client_options(config.broker), *preferences);
    preferences_provider->start(std::chrono::seconds(5));
  }
  PortalApp app(sessions, sign_in, registry, limiter, content, Clock::now, {}, preferences.get());

  pse::web::HttpsServerOptions options;
  options.address = config.listen_address;
  options.port = config.listen_port;
  options.certificate = config.tls_certificate;
  options.key = config.tls_key;
  options.max_connections = config.max_connections;
  options.server_name = "pse-portal";
  options.headers = PortalApp::security_headers();
  options.error_page = PortalApp::error_page;
  pse::web::HttpsServer server(options, [&app](const WebRequest& request) { return app.handle(request); });
  pse::log::info("listening", {{"address", config.listen_address}, {"port", server.port()}});
  server.run();
  pse::log::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (args.size() != 3 || args[0] != "serve" || args[1] != "--config") {
    std::cerr << kUsage;
    return 2;
  }
  try {
    return serve(std::filesystem::path(args[2]));
  } catch (const pse::ConfigError& error) {
    std::cerr << "pse-portal: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "pse-portal: error: " << error.what() << "\n";
    return 1;
  }
}
