// pse-bench-propagation — how long a revocation takes to be in force on every broker of a hub
// on PostgreSQL: from the revoke call on one broker until every live broker has applied it
// (which is when the revoke is answered: consent_follower.hpp).
//
// Usage: pse-bench-propagation CONNINFO PASSWORD_FILE [BROKERS] [REVOCATIONS]
// Starts BROKERS registries with their followers on the database (an empty schema: each run
// should get a fresh cluster, bench/propagation does that), grants REVOCATIONS consents, then
// revokes them one by one on the first broker and prints p50, p90, p99 and max of the revoke's
// latency, and checks every other broker refuses each revoked consent at once.
#include "base/key_file.hpp"
#include "broker/consent/consent_follower.hpp"
#include "broker/consent/pg_consent_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace pse;
using namespace pse::consent;
using Clock = std::chrono::steady_clock;

namespace {

struct Broker {
  std::unique_ptr<ConsentRegistry> registry;
  std::unique_ptr<ConsentFollower> follower;
};

Broker start_broker(const PgConnectOptions& options, int index, const audit::SubjectHashKey& subject_key,
                    const audit::SigningKey& signing_key) {
  auto store = std::make_unique<PgConsentStore>(options);
  auto connection = PgConnection::connect(options);
  if (!connection) throw std::runtime_error(connection.error().message);
  const auto mark = ConsentFollower::last_change(*connection);
  if (!mark) throw std::runtime_error(mark.error().message);
  Vocabulary vocabulary{[](std::string_view) { return true; }, [](std::string_view) { return true; }};
  Broker broker;
  broker.registry = std::make_unique<ConsentRegistry>(std::move(store), subject_key, signing_key, vocabulary);
  broker.follower = std::make_unique<ConsentFollower>(options, *broker.registry, *mark,
                                                      FollowerOptions{"bench-" + std::to_string(index)});
  broker.registry->set_propagation(broker.follower.get());
  return broker;
}

Instant now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

GrantRequest grant_for(const std::string& subject) {
  GrantRequest request;
  request.subject_id = subject;
  request.provider = "etat-civil";
  request.consumer = "retraite-quebec";
  request.categories = {"identity.birth"};
  request.purpose = {"pension.eligibility", "Rente", "Pension"};
  request.notice = {"AVIS-1", "1", "fr"};
  request.collection_method = "web-form";
  request.expires_at = now() + std::chrono::days(30);
  return request;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: pse-bench-propagation CONNINFO PASSWORD_FILE [BROKERS] [REVOCATIONS]\n");
    return 2;
  }
  PgConnectOptions options;
  options.conninfo = argv[1];
  options.password = read_secret_key_file(argv[2]);
  const int brokers = argc > 3 ? std::stoi(argv[3]) : 3;
  const int revocations = argc > 4 ? std::stoi(argv[4]) : 500;
  const auto subject_key = audit::SubjectHashKey::generate();
  const auto signing_key = audit::SigningKey::generate();
  std::vector<Broker> hub;
  for (int i = 0; i < brokers; ++i) hub.push_back(start_broker(options, i, subject_key, signing_key));

  std::vector<std::string> ids;
  for (int i = 0; i < revocations; ++i) {
    auto granted = hub[0].registry->grant(grant_for("QC-" + std::to_string(i)), "services-quebec", now());
    if (!granted) throw std::runtime_error(granted.error().message);
    ids.push_back(granted->consent.id);
  }
  // Until every broker allows the last grant.
  for (auto& broker : hub) {
    while (!broker.registry->check("QC-" + std::to_string(revocations - 1), "retraite-quebec", "etat-civil",
                                   "identity.birth", "pension.eligibility", now())
                .allowed()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::vector<double> latencies_ms;
  int served_after = 0;
  for (int i = 0; i < revocations; ++i) {
    const std::string subject = "QC-" + std::to_string(i);
    const auto started = Clock::now();
    auto revoked = hub[0].registry->revoke(ids[static_cast<std::size_t>(i)], subject, "web-form", "services-quebec", now());
    const auto took = Clock::now() - started;
    if (!revoked) throw std::runtime_error(revoked.error().message);
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(took).count());
    for (std::size_t b = 1; b < hub.size(); ++b) {
      if (hub[b].registry->check(subject, "retraite-quebec", "etat-civil", "identity.birth", "pension.eligibility",
                                 now())
              .allowed()) {
        ++served_after;
      }
    }
  }
  std::printf("RESULT brokers=%d revocations=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f served_after_revoke=%d\n",
              brokers, revocations, percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.9),
              percentile(latencies_ms, 0.99), percentile(latencies_ms, 1.0), served_after);
  return served_after == 0 ? 0 : 1;
}
