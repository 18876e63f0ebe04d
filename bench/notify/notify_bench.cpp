// Notices rendered and handed to the SMTP server, per second (GOV.UK Notify documents about
// 350 API requests a second). Three stages, to see where the time goes:
//   BM_RenderEmail     template → subject/text/HTML (no I/O)
//   BM_RenderMime      the same plus the MIME message (encoded words, QP, base64)
//   BM_RenderAndSmtp   the same plus SMTP to aiosmtpd on loopback over one STARTTLS+AUTH
//                      session (MAIL, RCPT, DATA per message; the server writes each to disk)
#include "mime_message.hpp"
#include "real_servers.hpp"
#include "renderer.hpp"
#include "smtp_client.hpp"

#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <benchmark/benchmark.h>

#include <memory>

namespace {

using namespace pse::notify;

const TemplateSet& templates() {
  static const TemplateSet set = TemplateSet::load(PSE_SOURCE_DIR "/config/notify/templates.yaml");
  return set;
}

Values values(std::int64_t i) {
  return {{"service_name", "permis de conduire"},
          {"due_date", "2026-12-10"},
          {"reference", "L" + std::to_string(1000000 + i)}};
}

void BM_RenderEmail(benchmark::State& state) {
  const NoticeTemplate& t = *templates().find("renewal-reminder");
  std::int64_t i = 0;
  for (auto _ : state) {
    auto email = render_email(t, (i & 1) ? Language::en : Language::fr, values(i));
    benchmark::DoNotOptimize(email);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RenderEmail);

void BM_RenderMime(benchmark::State& state) {
  const NoticeTemplate& t = *templates().find("renewal-reminder");
  std::int64_t i = 0;
  for (auto _ : state) {
    auto email = render_email(t, (i & 1) ? Language::en : Language::fr, values(i));
    MimeEnvelope envelope{"ne-pas-repondre@notification.gouv.qc.ca", "Gouvernement du Québec", "citoyen@example.org",
                          "bench-" + std::to_string(i) + "@notification.gouv.qc.ca",
                          Instant(std::chrono::seconds(1795000000))};
    std::string message = build_mime_message(envelope, *email);
    benchmark::DoNotOptimize(message);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RenderMime);

struct SmtpRig {
  pse::testing::TempDir dir;
  pse::testing::TestPki pki{dir.path() / "pki"};
  testing::SmtpTestServer server{dir.path() / "smtp", pki.server_cert(), pki.server_key()};
  std::unique_ptr<SmtpClient> client;
  SmtpRig() {
    server.start();
    SmtpSettings s;
    s.host = "127.0.0.1";
    s.server_name = "localhost";
    s.port = server.port();
    s.ca_file = pki.ca();
    s.username = "pse-notify";
    s.password = "s3cret";
    client = std::make_unique<SmtpClient>(s);
  }
};

void BM_RenderAndSmtp(benchmark::State& state) {
  static SmtpRig rig;
  const NoticeTemplate& t = *templates().find("renewal-reminder");
  std::int64_t i = 0, failures = 0;
  for (auto _ : state) {
    auto email = render_email(t, (i & 1) ? Language::en : Language::fr, values(i));
    MimeEnvelope envelope{"ne-pas-repondre@notification.gouv.qc.ca", "Gouvernement du Québec", "citoyen@example.org",
                          "bench-" + std::to_string(i) + "@notification.gouv.qc.ca",
                          Instant(std::chrono::seconds(1795000000))};
    auto outcome = rig.client->send({envelope.from_address, envelope.to_address, build_mime_message(envelope, *email)});
    if (outcome.outcome != Outcome::sent) ++failures;
    ++i;
  }
  state.counters["failures"] = static_cast<double>(failures);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RenderAndSmtp)->UseRealTime()->MinTime(3.0);

}  // namespace
