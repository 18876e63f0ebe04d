// Where a subscriber's connector writes the events it receives, so that a legacy system takes
// them up without code: a file in a copybook layout or a CSV file, rolled with a done-marker
// (rolled_file.hpp), or a table through ODBC (adapters/sql/odbc_target.hpp). A delivery is
// acknowledged only once its record is durable there, and a retried delivery is not written
// twice.
#pragma once

#include "adapters/connector/connector_config.hpp"
#include "adapters/connector/copybook_writer.hpp"
#include "adapters/connector/rolled_file.hpp"
#include "adapters/sql/odbc_target.hpp"

#include <pse/publish.hpp>
#include <pse/result.hpp>

#include <memory>

namespace pse::connector {

class DeliveryTarget {
 public:
  /// Opens the target's file and ledger. Throws ConfigError for a mapping the target cannot
  /// write, std::runtime_error when its folder cannot be used.
  explicit DeliveryTarget(const DeliverConfig& config);

  /// Writes the delivery's record, durably and once per event id. Done when written (now or
  /// before); an Error otherwise, which the SDK turns into a nack: the broker retries and, in
  /// the end, dead-letters.
  pse::Status write(const pse::Delivery& delivery);
  /// Rolls the file when it has been open long enough (called every second).
  pse::Status roll_if_old() { return file_ ? file_->roll_if_old() : pse::Status(pse::Done{}); }

 private:
  pse::Result<std::string> record_bytes(const pse::Delivery& delivery) const;

  const DeliverConfig& config_;
  std::unique_ptr<CopybookWriter> copybook_;
  std::unique_ptr<RolledFile> file_;
  std::unique_ptr<adapters::sql::OdbcTarget> table_;
};

/// One CSV line (RFC 4180 quoting, `delimiter`, CRLF): the subject, then each field in order.
std::string csv_line(char delimiter, std::string_view subject, const boost::json::object& record,
                     const std::vector<OutputField>& fields);

}  // namespace pse::connector
