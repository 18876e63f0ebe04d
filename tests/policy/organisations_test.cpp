#include "policy/organisations.hpp"

#include "base/config_error.hpp"

#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::policy {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

std::string load_error(const std::string& yaml, int* line = nullptr) {
  TempDir dir;
  try {
    load_organisations(dir.write("orgs.yaml", yaml));
  } catch (const ConfigError& e) {
    if (line) *line = e.line();
    return e.what();
  }
  return "no error";
}

TEST(Organisations, ShippedConfigLoads) {
  auto registry = load_organisations(PSE_SOURCE_DIR "/config/orgs.yaml");
  EXPECT_GE(registry.size(), 6u);
  const Organisation* ramq = registry.find("ramq");
  ASSERT_NE(ramq, nullptr);
  EXPECT_EQ(ramq->clearance, 3);
  EXPECT_TRUE(ramq->has_role(Role::consumer));
  const Organisation* authority = registry.find("services-quebec");
  ASSERT_NE(authority, nullptr);
  EXPECT_TRUE(authority->has_role(Role::consent_authority));
  EXPECT_EQ(registry.find("nobody"), nullptr);
}

TEST(Organisations, NameEnDefaultsToName) {
  TempDir dir;
  auto registry = load_organisations(dir.write("orgs.yaml",
      "organisations:\n  - id: saaq\n    name: SAAQ\n    clearance: 1\n"));
  EXPECT_EQ(registry.find("saaq")->name_en, "SAAQ");
  EXPECT_TRUE(registry.find("saaq")->roles.empty());
}

TEST(Organisations, EachErrorNamesFileLineAndReason) {
  int line = 0;
  EXPECT_THAT(load_error("organisations:\n  - id: Bad_Id\n    name: x\n    clearance: 1\n", &line),
              HasSubstr("invalid"));
  EXPECT_EQ(line, 2);
  EXPECT_THAT(load_error("organisations:\n  - id: a\n    name: x\n    clearance: 4\n", &line),
              HasSubstr("between 0 and 3"));
  EXPECT_EQ(line, 4);
  EXPECT_THAT(load_error("organisations:\n  - id: a\n    name: x\n    clearance: 1\n    roles: [king]\n"),
              HasSubstr("unknown role 'king'"));
  EXPECT_THAT(load_error("organisations:\n  - id: a\n    name: x\n    clearance: 1\n    colour: red\n", &line),
              HasSubstr("unknown key 'colour'"));
  EXPECT_EQ(line, 5);
  EXPECT_THAT(load_error("organisations:\n  - {id: a, name: x, clearance: 1}\n  - {id: a, name: y, clearance: 1}\n"),
              HasSubstr("duplicate organisation id 'a'"));
  EXPECT_THAT(load_error("organisations:\n  - id: a\n    clearance: 1\n"), HasSubstr("name is required"));
  EXPECT_THAT(load_error("organisations: []\n"), HasSubstr("must not be empty"));
  EXPECT_THAT(load_error("organisations: {}\n"), HasSubstr("must be a list"));
  EXPECT_THAT(load_error("orgs: []\n"), HasSubstr("organisations is required"));
  EXPECT_THAT(load_error("organisations:\n  - id: a\n    name: x\n    clearance: one\n"),
              HasSubstr("must be an integer"));
}

TEST(Organisations, OrgIdRuleMatchesPki) {
  EXPECT_TRUE(is_valid_org_id("ramq"));
  EXPECT_TRUE(is_valid_org_id("revenu-quebec"));
  EXPECT_TRUE(is_valid_org_id("0a"));
  EXPECT_TRUE(is_valid_org_id(std::string(63, 'a')));
  EXPECT_FALSE(is_valid_org_id(""));
  EXPECT_FALSE(is_valid_org_id("-x"));
  EXPECT_FALSE(is_valid_org_id("a_b"));
  EXPECT_FALSE(is_valid_org_id("Ramq"));
  EXPECT_FALSE(is_valid_org_id("../x"));
  EXPECT_FALSE(is_valid_org_id(std::string(64, 'a')));
}

}  // namespace
}  // namespace pse::policy
