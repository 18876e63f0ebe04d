#include "base/yaml_reader.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

namespace pse {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

// Runs `body` expecting a ConfigError; returns it for inspection.
template <typename Body>
ConfigError config_error(Body&& body) {
  try {
    body();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return ConfigError("", 0, "none");
}

TEST(YamlReader, MissingFileNamesTheFile) {
  TempDir dir;
  auto error = config_error([&] { load_yaml_file(dir / "absent.yaml"); });
  EXPECT_EQ(error.file(), dir / "absent.yaml");
  EXPECT_EQ(error.line(), 0);
  EXPECT_THAT(error.reason(), HasSubstr("cannot open"));
}

TEST(YamlReader, SyntaxErrorGivesTheLine) {
  TempDir dir;
  auto file = dir.write("bad.yaml", "a: 1\nb: [1, 2\nc: 3\n");
  auto error = config_error([&] { load_yaml_file(file); });
  EXPECT_GT(error.line(), 1);
  EXPECT_THAT(error.reason(), HasSubstr("invalid YAML"));
  EXPECT_THAT(std::string(error.what()), HasSubstr("bad.yaml:"));
}

TEST(YamlReader, EmptyFileAndNonMappingAreRefused) {
  TempDir dir;
  EXPECT_THAT(config_error([&] { load_yaml_file(dir.write("e.yaml", "# nothing\n")); }).reason(),
              HasSubstr("empty"));
  EXPECT_THAT(config_error([&] { load_yaml_file(dir.write("l.yaml", "- a\n- b\n")); }).reason(),
              HasSubstr("mapping"));
}

TEST(YamlReader, UnknownKeyIsReportedWithItsLine) {
  TempDir dir;
  auto file = dir.write("c.yaml", "port: 1\nprot: 2\n");
  auto root = load_yaml_file(file);
  YamlMap map(root, file, "top");
  EXPECT_EQ(map.integer_or("port", 0, 0, 10), 1);
  auto error = config_error([&] { map.finish(); });
  EXPECT_EQ(error.line(), 2);
  EXPECT_THAT(error.reason(), HasSubstr("unknown key 'prot'"));
}

TEST(YamlReader, DuplicateKeyIsRefused) {
  TempDir dir;
  auto file = dir.write("d.yaml", "port: 1\nport: 2\n");
  auto root = load_yaml_file(file);
  YamlMap map(root, file, "top");
  map.integer_or("port", 0, 0, 10);
  EXPECT_THAT(config_error([&] { map.finish(); }).reason(), HasSubstr("duplicate key 'port'"));
}

TEST(YamlReader, WrongTypesAndRangesAreRefused) {
  TempDir dir;
  auto file = dir.write("t.yaml", "n: abc\nr: 70000\nb: yes\nl: 3\nm: [1]\nempty: ''\n");
  auto root = load_yaml_file(file);
  YamlMap map(root, file, "top");
  EXPECT_THAT(config_error([&] { map.integer_or("n", 0, 0, 10); }).reason(), HasSubstr("must be an integer"));
  auto range = config_error([&] { map.integer_or("r", 0, 0, 65535); });
  EXPECT_EQ(range.line(), 2);
  EXPECT_THAT(range.reason(), HasSubstr("between 0 and 65535"));
  EXPECT_THAT(config_error([&] { map.boolean_or("b", false); }).reason(), HasSubstr("true or false"));
  EXPECT_THAT(config_error([&] { map.string_list("l"); }).reason(), HasSubstr("must be a list"));
  EXPECT_THAT(config_error([&] { map.required_string("m"); }).reason(), HasSubstr("single value"));
  EXPECT_THAT(config_error([&] { map.required_string("empty"); }).reason(), HasSubstr("must not be empty"));
  EXPECT_THAT(config_error([&] { map.required_string("absent"); }).reason(), HasSubstr("top.absent is required"));
}

TEST(YamlReader, ReadsValuesAndDefaults) {
  TempDir dir;
  auto file = dir.write("ok.yaml", "name: x\nflag: true\nitems: [a, b]\n");
  auto root = load_yaml_file(file);
  YamlMap map(root, file, "top");
  EXPECT_EQ(map.required_string("name"), "x");
  EXPECT_TRUE(map.boolean_or("flag", false));
  EXPECT_EQ(map.string_list("items"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(map.integer_or("missing", 42, 0, 100), 42);
  EXPECT_NO_THROW(map.finish());
}

TEST(YamlReader, RelativePathsResolveAgainstTheConfigFile) {
  EXPECT_EQ(resolve_relative_to("/etc/pse/broker.yaml", "../certs/ca.crt"), "/etc/certs/ca.crt");
  EXPECT_EQ(resolve_relative_to("/etc/pse/broker.yaml", "/abs/ca.crt"), "/abs/ca.crt");
}

}  // namespace
}  // namespace pse
