// AdminGate on its own: which Host, Origin and token it lets through, and its connection cap.
#include "broker/admin/admin_gate.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::broker {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

constexpr const char* kToken = "3b9d6c0e7a2f4d18a5e6c7b8d9f0a1b23b9d6c0e7a2f4d18a5e6c7b8d9f0a1b2";

class AdminGateTest : public ::testing::Test {
 protected:
  AdminGateTest() {
    dir_.write("admin.token", std::string(kToken) + "\n");
    std::filesystem::permissions(dir_ / "admin.token",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  AdminGate gate(const std::string& address = "127.0.0.1", bool with_token = true, bool mtls = false) const {
    AdminAccess access;
    access.mtls = mtls;
    access.max_connections = 2;
    if (with_token) access.token_file = dir_ / "admin.token";
    return AdminGate({address, 9090}, access, Limits{});
  }

  // The reason code of a refusal, or "" when the request may go on.
  static std::string outcome(AdminGate& gate, const std::string& method, const AdminHeaders& headers) {
    const auto refusal = gate.check(HttpRequest{method, "/metrics", ""}, headers);
    if (!refusal) return "";
    EXPECT_EQ(refusal->status, 403);
    const auto at = refusal->body.find(R"("code":")");
    return refusal->body.substr(at + 8, refusal->body.find('"', at + 8) - at - 8);
  }

  static AdminHeaders host(std::string_view value) { return {value, std::nullopt, std::nullopt, std::nullopt}; }

  TempDir dir_;
};

TEST_F(AdminGateTest, HostMustNameThisListener) {
  AdminGate admin = gate("127.0.0.2");
  for (const char* good : {"127.0.0.1:9090", "localhost:9090", "LocalHost:9090", "[::1]:9090", "127.0.0.2:9090"}) {
    EXPECT_EQ(outcome(admin, "GET", host(good)), "") << good;
  }
  // DNS rebinding: a name of the attacker's that resolves to 127.0.0.1.
  for (const char* bad : {"evil.example:9090", "evil.example", "127.0.0.1:9091", "127.0.0.1", "localhost:",
                          "localhost:9090x", "[::1", "[::1]x", "127.0.0.3:9090", "localhost.:9090", ""}) {
    EXPECT_EQ(outcome(admin, "GET", host(bad)), "host_not_allowed") << bad;
  }
  EXPECT_EQ(outcome(admin, "GET", {}), "host_not_allowed");  // no Host at all
  AdminGate on_ipv6 = gate("::1");
  EXPECT_EQ(outcome(on_ipv6, "GET", host("[::1]:9090")), "");
}

TEST_F(AdminGateTest, CrossSiteRequestsAreRefused) {
  AdminGate admin = gate();
  auto with = [](std::optional<std::string_view> origin, std::optional<std::string_view> site) {
    return AdminHeaders{"localhost:9090", origin, site, std::nullopt};
  };
  EXPECT_EQ(outcome(admin, "GET", with("http://localhost:9090", std::nullopt)), "");
  EXPECT_EQ(outcome(admin, "GET", with("http://127.0.0.1:9090", "same-origin")), "");
  EXPECT_EQ(outcome(admin, "GET", with(std::nullopt, "none")), "");  // typed in the address bar
  for (const char* origin : {"http://evil.example", "http://localhost:3000", "https://localhost:9090", "null",
                             "http://localhost:9090/x", ""}) {
    EXPECT_EQ(outcome(admin, "GET", with(origin, std::nullopt)), "origin_not_allowed") << origin;
  }
  for (const char* site : {"cross-site", "same-site", ""}) {
    EXPECT_EQ(outcome(admin, "GET", with(std::nullopt, site)), "origin_not_allowed") << site;
  }
  AdminGate over_mtls = gate("127.0.0.1", true, true);  // the origin is https
  EXPECT_EQ(outcome(over_mtls, "GET", with("https://localhost:9090", std::nullopt)), "");
  EXPECT_EQ(outcome(over_mtls, "GET", with("http://localhost:9090", std::nullopt)), "origin_not_allowed");
}

TEST_F(AdminGateTest, StateChangingRoutesNeedTheToken) {
  AdminGate admin = gate();
  auto with = [](std::optional<std::string_view> authorization) {
    return AdminHeaders{"127.0.0.1:9090", std::nullopt, std::nullopt, authorization};
  };
  const std::string right = std::string("Bearer ") + kToken;
  const std::string lower = std::string("bearer  ") + kToken;
  EXPECT_EQ(outcome(admin, "GET", with(std::nullopt)), "");
  EXPECT_EQ(outcome(admin, "POST", with(std::nullopt)), "token_required");
  EXPECT_EQ(outcome(admin, "DELETE", with(std::nullopt)), "token_required");
  EXPECT_EQ(outcome(admin, "POST", with(right)), "");
  EXPECT_EQ(outcome(admin, "POST", with(lower)), "");
  const std::string one_off = right.substr(0, right.size() - 1) + "3";
  for (const std::string& wrong : {one_off, right + "0", std::string("Bearer short"), std::string(kToken),
                                   "Basic " + std::string(kToken), std::string("Bearer"), std::string()}) {
    EXPECT_EQ(outcome(admin, "POST", with(wrong)), "token_invalid") << wrong;
  }
  // Without a token file, no state-changing route is served, whatever is presented.
  AdminGate without = gate("127.0.0.1", false);
  EXPECT_EQ(outcome(without, "POST", with(right)), "token_invalid");
  EXPECT_EQ(outcome(without, "GET", with(std::nullopt)), "");
}

TEST_F(AdminGateTest, TokenIsReadAgainSoItCanBeRotated) {
  AdminGate admin = gate();
  const std::string rotated(64, 'r');
  dir_.write("admin.token", rotated);
  AdminHeaders headers{"127.0.0.1:9090", std::nullopt, std::nullopt, std::nullopt};
  const std::string old_token = std::string("Bearer ") + kToken;
  const std::string new_token = "Bearer " + rotated;
  headers.authorization = old_token;
  EXPECT_EQ(outcome(admin, "POST", headers), "token_invalid");
  headers.authorization = new_token;
  EXPECT_EQ(outcome(admin, "POST", headers), "");
  // A file that became readable by others is not trusted any more.
  std::filesystem::permissions(dir_ / "admin.token", std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  EXPECT_EQ(outcome(admin, "POST", headers), "token_invalid");
}

TEST_F(AdminGateTest, BadTokenFilesStopTheStart) {
  std::filesystem::permissions(dir_ / "admin.token", std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  try {
    gate();
    ADD_FAILURE() << "a token readable by others was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.reason(), HasSubstr("chmod 600"));
  }
  dir_.write("admin.token", "too-short");
  std::filesystem::permissions(dir_ / "admin.token",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  try {
    gate();
    ADD_FAILURE() << "a short token was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.reason(), HasSubstr("at least 32 characters"));
  }
}

TEST_F(AdminGateTest, ConnectionsAreCappedAndCounted) {
  AdminGate admin = gate();
  auto first = admin.admit();
  auto second = admin.admit();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(admin.admit());
  first.reset();
  EXPECT_TRUE(admin.admit());  // its place given back (and given back again at once)
  EXPECT_THAT(admin.prometheus(), HasSubstr("pse_admin_connections_open 1\n"));
  EXPECT_THAT(admin.prometheus(), HasSubstr("pse_admin_connections_refused_total 1\n"));
  outcome(admin, "GET", host("evil.example:9090"));
  EXPECT_THAT(admin.prometheus(), HasSubstr("pse_admin_requests_refused_total{reason=\"host_not_allowed\"} 1\n"));
}

}  // namespace
}  // namespace pse::broker
