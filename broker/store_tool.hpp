// `pse-broker store …`: what an operator does to a store without running the broker.
//
//   migrate   create the schema, or bring it to this program's version (PostgreSQL; SQLite
//             files are created and upgraded when opened)
//   check     the schema version, the audit log verified against its signed heads, and counts
//   copy      copy a SQLite data_dir (the embedded store) into the PostgreSQL store of the
//             configuration: consents and mandates, the audit log (verified afterwards, with
//             the same root as the source), pending and dead deliveries with their idempotency
//             keys, and subscriptions. The target must be empty; the broker must be stopped.
#pragma once

#include "broker/config.hpp"

#include <filesystem>
#include <ostream>

namespace pse::broker {

/// Each returns the process exit code (0 ok, 1 the check or the copy failed) and prints what
/// it did to `out`; configuration errors throw ConfigError (exit 2).
int store_migrate(const BrokerConfig& config, std::ostream& out);
int store_check(const BrokerConfig& config, std::ostream& out);
int store_copy(const BrokerConfig& config, const std::filesystem::path& from_data_dir, std::ostream& out);

}  // namespace pse::broker
