// A throw-away PKI (made by the real pse-pki), a fake broker using it, and client options that
// reach that broker as the organisation "retraite-quebec".
#pragma once

#include "fake_broker.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <pse/client_options.hpp>

#include <gtest/gtest.h>

namespace pse::testing {

class SdkFixture : public ::testing::Test {
 protected:
  ClientOptions options_for(const ClientIdentity& identity) const {
    ClientOptions options;
    options.host = "localhost";
    options.port = broker_.port();
    options.ca_file = pki_.ca();
    options.certificate_file = identity.cert;
    options.key_file = identity.key;
    options.request_timeout = std::chrono::seconds(10);
    options.connect_timeout = std::chrono::seconds(5);
    return options;
  }
  ClientOptions options() const { return options_for(organisation_); }

  TempDir dir_;
  TestPki pki_{dir_ / "pki"};
  ClientIdentity organisation_ = pki_.issue_org("retraite-quebec");
  FakeBroker broker_{pki_};
};

}  // namespace pse::testing
