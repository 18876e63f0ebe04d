// The pse-notify program's contract: --help, --check, exit 2 with file:line on a bad
// configuration, template or password file.
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace {

using ::testing::HasSubstr;
using pse::testing::TempDir;

struct ProgramRun {
  int status;
  std::string output;
};

ProgramRun run(const std::string& arguments) {
  const std::string command = std::string(PSE_NOTIFY_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[512];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pipe ? pclose(pipe) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string config(const TempDir& dir, const std::string& extra_smtp = "") {
  ::chmod(dir.write("smtp-password", "s3cret\n").c_str(), 0600);
  ::chmod(dir.write("kannel-password", "k\n").c_str(), 0600);
  return "broker:\n  ca_file: ca.crt\n  certificate_file: org.crt\n  key_file: org.key\n"
         "store: notify.db\ntemplates: " PSE_SOURCE_DIR "/config/notify/templates.yaml\n"
         "smtp:\n  host: 127.0.0.1\n  ca_file: ca.crt\n  username: u\n  password_file: smtp-password\n" +
         extra_smtp +
         "sms:\n  username: pse-notify\n  password_file: kannel-password\n"
         "schedule:\n  categories:\n    notice.payment_due: {offsets_days: [14, 3], suggestion_template: payment-suggestion}\n";
}

TEST(NotifyProgram, HelpAndUsage) {
  const ProgramRun help = run("--help");
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.output, HasSubstr("usage: pse-notify --config FILE"));
  EXPECT_EQ(run("").status, 2);
  EXPECT_EQ(run("--bogus").status, 2);
}

TEST(NotifyProgram, CheckAcceptsAGoodConfigurationAndTheShippedTemplates) {
  TempDir dir;
  const auto file = dir.write("notify.yaml", config(dir));
  const ProgramRun check = run("--config " + file.string() + " --check");
  EXPECT_EQ(check.status, 0) << check.output;
}

TEST(NotifyProgram, ConfigurationErrorsNameFileAndLine) {
  TempDir dir;
  const auto file = dir.write("notify.yaml", config(dir, "  prot: 25\n"));
  const ProgramRun check = run("--config " + file.string() + " --check");
  EXPECT_EQ(check.status, 2);
  EXPECT_THAT(check.output, HasSubstr(file.string() + ":12:"));
  EXPECT_THAT(check.output, HasSubstr("prot"));
}

TEST(NotifyProgram, ASuggestionTemplateMustBeOne) {
  TempDir dir;
  std::string text = config(dir);
  text.replace(text.find("suggestion_template: payment-suggestion"), 39, "suggestion_template: payment-reminder");
  const auto file = dir.write("notify.yaml", text);
  const ProgramRun check = run("--config " + file.string() + " --check");
  EXPECT_EQ(check.status, 2);
  EXPECT_THAT(check.output, HasSubstr(file.string() + ":17: suggestion_template 'payment-reminder' is not a suggestion"));
}

TEST(NotifyProgram, APasswordFileOthersMayReadIsRefused) {
  TempDir dir;
  const auto file = dir.write("notify.yaml", config(dir));
  for (const mode_t mode : {0640U, 0604U, 0620U}) {
    ::chmod((dir / "kannel-password").c_str(), mode);
    const ProgramRun check = run("--config " + file.string() + " --check");
    EXPECT_EQ(check.status, 2) << check.output;
    char text[8];
    std::snprintf(text, sizeof text, "%03o", static_cast<unsigned>(mode));
    EXPECT_THAT(check.output, HasSubstr(file.string() + ":14: sms.password_file password file " +
                                        (dir / "kannel-password").string() + " has mode " + text +
                                        "; it must be readable by its owner only (chmod 600)"));
  }
  ::chmod((dir / "kannel-password").c_str(), 0400);
  EXPECT_EQ(run("--config " + file.string() + " --check").status, 0);
}

TEST(NotifyProgram, TemplateErrorsNameFileAndLine) {
  TempDir dir;
  const auto templates = dir.write("templates.yaml",
                                   "templates:\n  - id: t\n    category: notice.renewal_due\n"
                                   "    placeholders: [due_date]\n    sms:\n      fr: \"Le ((due_date))\"\n"
                                   "      en: \"On ((due_dat))\"\n");
  std::string text = config(dir);
  text.replace(text.find(PSE_SOURCE_DIR "/config/notify/templates.yaml"),
               std::string(PSE_SOURCE_DIR "/config/notify/templates.yaml").size(), templates.string());
  text = text.substr(0, text.find("schedule:"));
  const auto file = dir.write("notify.yaml", text);
  const ProgramRun check = run("--config " + file.string() + " --check");
  EXPECT_EQ(check.status, 2);
  EXPECT_THAT(check.output, HasSubstr(templates.string() + ":7: template 't' sms.en: unknown placeholder 'due_dat'"));
}

}  // namespace
