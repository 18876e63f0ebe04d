#include "base/log.hpp"

#include <gtest/gtest.h>

namespace pse::log {
namespace {

std::string json(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(Log, EscapesJsonStrings) {
  EXPECT_EQ(json("plain"), "\"plain\"");
  EXPECT_EQ(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
  EXPECT_EQ(json(std::string_view("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(json("état civil"), "\"état civil\"");  // UTF-8 passes through
}

TEST(Log, WritesOneJsonObjectPerLine) {
  ::testing::internal::CaptureStderr();
  info("listening", {{"port", 8443}, {"listener", "mtls"}, {"tls", true}});
  debug("dropped below the default level");
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.find("dropped"), std::string::npos);
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  EXPECT_NE(out.find(R"("level":"info","msg":"listening","port":8443,"listener":"mtls","tls":true})"),
            std::string::npos)
      << out;
}

TEST(Log, ParsesLevels) {
  Level level{};
  EXPECT_TRUE(parse_level("warn", level));
  EXPECT_EQ(level, Level::warn);
  EXPECT_FALSE(parse_level("verbose", level));
}

}  // namespace
}  // namespace pse::log
