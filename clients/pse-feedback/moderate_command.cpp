// pse-feedback moderate: the a-priori moderation queue (list, show, approve, reject, escalate).
#include "cli.hpp"
#include "feedback_store.hpp"
#include "report.hpp"

#include <iostream>

namespace pse::feedback::cli {
namespace {

const char* const kHelp = R"(usage: pse-feedback moderate --config FILE list [--format text|html]
       pse-feedback moderate --config FILE show ID
       pse-feedback moderate --config FILE approve|reject|escalate ID [--note TEXT]

Answers whose comment tripped the moderation threshold wait here (status pending, or
escalated when a threat was detected). Comments are shown already masked; the original text
was never stored.
  list      the answers waiting; --format html writes a page (comments escaped)
  show      one answer, any status
  approve   queues the answer for publishing to the body that owns the service
  reject    the answer is never published (its rating no longer counts in reports)
  escalate  marks a threat for the security officer; it stays out of publishing until
            approved or rejected
)";

void print(const FeedbackRecord& r) {
  std::cout << r.id << "  " << r.submitted_on << "  " << r.service << "  rating " << r.rating << "  got_what_needed "
            << (r.got_what_needed ? "yes" : "no") << "  " << to_string(r.status) << (r.escalate ? " (threat)" : "")
            << "  score " << r.score << "  [" << r.reasons << "]\n    " << r.comment << "\n";
}

}  // namespace

int moderate_command(const std::vector<std::string>& args) {
  std::string error;
  auto arguments = parse_arguments(args, {"config", "format", "note"}, error);
  if (!arguments) return usage_error("moderate", error);
  if (arguments->help) {
    std::cout << kHelp;
    return kOk;
  }
  if (arguments->positional.empty()) return usage_error("moderate", "say list, show, approve, reject or escalate");
  const std::string action = arguments->positional[0];
  const FeedbackConfig config = load_config(*arguments);
  FeedbackStore store(config.database);

  if (action == "list") {
    const std::string format = arguments->get("format").value_or("text");
    if (format != "text" && format != "html") return usage_error("moderate", "--format is text or html");
    auto pending = store.list(FeedbackStatus::pending);
    auto escalated = store.list(FeedbackStatus::escalated);
    if (!pending || !escalated) {
      std::cerr << "pse-feedback: error: " << (!pending ? pending.error().message : escalated.error().message) << "\n";
      return kFailure;
    }
    std::vector<FeedbackRecord> waiting = *escalated;
    waiting.insert(waiting.end(), pending->begin(), pending->end());
    if (format == "html") {
      std::cout << moderation_html(waiting, ServiceCatalog::load(config.services));
    } else {
      for (const auto& record : waiting) print(record);
      std::cout << waiting.size() << " waiting\n";
    }
    return kOk;
  }
  if (arguments->positional.size() != 2) return usage_error("moderate", action + " needs exactly one answer id");
  const std::string& id = arguments->positional[1];
  if (action == "show") {
    auto found = store.find(id);
    if (!found) {
      std::cerr << "pse-feedback: error: " << found.error().message << "\n";
      return kFailure;
    }
    if (!*found) {
      std::cerr << "pse-feedback: error: no answer with id '" << id << "'\n";
      return kFailure;
    }
    print(**found);
    return kOk;
  }
  FeedbackStatus decision{};
  if (action == "approve") {
    decision = FeedbackStatus::approved;
  } else if (action == "reject") {
    decision = FeedbackStatus::rejected;
  } else if (action == "escalate") {
    decision = FeedbackStatus::escalated;
  } else {
    return usage_error("moderate", "unknown action '" + action + "'");
  }
  if (decision == FeedbackStatus::escalated) {
    // Escalating an escalated answer again only updates the note.
    auto found = store.find(id);
    if (found && *found && (*found)->status == FeedbackStatus::escalated) {
      std::cout << id << " is already escalated\n";
      return kOk;
    }
  }
  if (auto decided = store.decide(id, decision, arguments->get("note").value_or("")); !decided) {
    std::cerr << "pse-feedback: error: " << decided.error().message << "\n";
    return kFailure;
  }
  std::cout << id << " " << to_string(decision)
            << (decision == FeedbackStatus::approved ? " (queued for publishing)" : "") << "\n";
  return kOk;
}

}  // namespace pse::feedback::cli
