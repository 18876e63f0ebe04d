// Command-line plumbing shared by the pse-feedback commands: options, exit codes, loading.
#pragma once

#include "feedback_config.hpp"
#include "services.hpp"
#include "word_filter.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pse::feedback::cli {

inline constexpr int kOk = 0;
inline constexpr int kFailure = 1;  ///< the command ran and failed (unknown id, broker refused…)
inline constexpr int kUsage = 2;    ///< usage or configuration error

/// The configuration used when --config is not given.
inline constexpr const char* kDefaultConfig = "config/feedback/feedback.yaml";

/// `--name value` and `--name=value` options, `--flag` switches, and positional words.
struct Arguments {
  std::map<std::string, std::string> options;
  std::vector<std::string> positional;
  bool help = false;

  std::optional<std::string> get(const std::string& name) const;
};

/// Parses `args`; `flags` are options without a value. Unknown options are refused: the error
/// message is returned in `error`.
std::optional<Arguments> parse_arguments(const std::vector<std::string>& args, const std::vector<std::string>& known,
                                         std::string& error);

/// Prints "pse-feedback: error: …" and the hint, returns kUsage.
int usage_error(const std::string& command, const std::string& message);

FeedbackConfig load_config(const Arguments& arguments);  // throws ConfigError
WordFilter load_words(const FeedbackConfig& config);     // throws ConfigError

int serve_command(const std::vector<std::string>& args);
int keygen_command(const std::vector<std::string>& args);
int issue_link_command(const std::vector<std::string>& args);
int moderate_command(const std::vector<std::string>& args);
int report_command(const std::vector<std::string>& args);
int publish_command(const std::vector<std::string>& args);

}  // namespace pse::feedback::cli
