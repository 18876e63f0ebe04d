// libFuzzer: a citizen's answer posted to the feedback page, read as pse-feedback reads it
// (web_app.cpp): the link token from the URL, the Cookie header and the urlencoded form are
// the input's first line, second line and the rest. The token is verified, the CSRF cookie
// read and checked, the form parsed and validated, and a valid comment moderated with the
// shipped word lists. The committed seeds hold tokens this target's key signed (seed bytes 0x24).
#include "csrf.hpp"
#include "form.hpp"
#include "link_token.hpp"
#include "moderation.hpp"
#include "text.hpp"
#include "url_form.hpp"
#include "word_filter.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace pse::feedback;
using pse::web::is_clean_utf8;
using pse::web::parse_form;
using pse::web::percent_decode;

constexpr std::int64_t kNow = 1'790'000'000;  // 2026-09-21: the seeds' tokens are valid then
constexpr std::size_t kMaxCommentChars = 2000;

struct Fixture {
  LinkSigner signer;
  CsrfGuard csrf;
  WordFilter words;
};

std::vector<std::string> lists(std::initializer_list<const char*> names) {
  std::vector<std::string> entries;
  for (const char* name : names) {
    auto list = WordFilter::read_list(std::string(PSE_SOURCE_DIR "/config/feedback/") + name);
    entries.insert(entries.end(), list.begin(), list.end());
  }
  return entries;
}

const Fixture& fixture() {
  static const Fixture made = [] {
    std::array<unsigned char, 32> seed{};
    seed.fill(0x24);
    LinkSigner signer(seed);
    CsrfGuard csrf(signer.derive_key(1));  // the purpose WebApp derives its CSRF key for
    return Fixture{signer, csrf,
                   WordFilter(lists({"profanity-fr.txt", "profanity-en.txt"}), lists({"threats-fr.txt", "threats-en.txt"}))};
  }();
  return made;
}

std::string_view next_line(std::string_view& text) {
  const auto end = text.find('\n');
  const std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view token = next_line(input);
  const std::string_view cookie_header = next_line(input);
  const std::string_view body = input;
  const Fixture& f = fixture();

  auto claims = f.signer.verify(token, kNow);
  if (claims && (!valid_service_id(claims->service) || !valid_transaction_id(claims->transaction))) __builtin_trap();

  const std::optional<std::string> cookie = CsrfGuard::cookie_from_header(cookie_header);
  if (cookie && !f.csrf.check(*cookie, token, f.csrf.field_for(*cookie, token))) __builtin_trap();

  (void)percent_decode(body);
  const auto fields = parse_form(body, {"csrf", "rating", "got_what_needed", "comment", "website"});
  if (!fields) return 0;
  const auto field = [&](const char* name) {
    const auto it = fields->find(name);
    return it == fields->end() ? std::string() : it->second;
  };
  if (cookie) (void)f.csrf.check(*cookie, token, field("csrf"));

  auto answer = validate_answer({field("rating"), field("got_what_needed"), field("comment")}, kMaxCommentChars);
  if (!answer) return 0;
  if (answer->rating < 1 || answer->rating > 5) __builtin_trap();
  for (const Language language : {Language::fr, Language::en}) {
    const ModerationPolicy policy;
    const ModerationOutcome moderated = moderate_comment(answer->comment, language, f.words, policy);
    // What is stored and published must stay clean text, however the masking cut it.
    if (!is_clean_utf8(moderated.text)) __builtin_trap();
    if (moderated.escalate && !moderated.needs_review) __builtin_trap();
  }
  return 0;
}
