// The configuration of pse-connector (`pse-connector --config adapter.yaml`): how to reach the
// broker, who the connector is, the categories it serves from which legacy source, the drop
// folders it publishes from, and for each category the mapping from legacy fields to the
// classification's fields.
//
//     broker: {host: localhost, port: 8443, server_name: localhost}
//       # or, for a hub of several brokers (the connector keeps a connection to each):
//       # broker: {brokers: ["broker-1.pse:8443", "broker-2.pse:8443"], server_name: …}
//     tls: {ca: ../../certs/dev/ca.crt, cert: ../../certs/dev/orgs/etat-civil.crt,
//           key: ../../certs/dev/orgs/etat-civil.key,
//           signing_key: ../../certs/dev/orgs/etat-civil.sign.key}   # optional: signed records
//     classification: ../classification.yaml
//     serve:
//       - category: identity.birth
//         source:
//           type: copybook                 # copybook | csv | xml | sql
//           copybook: data/naissances.cpy
//           data: data/naissances.dat
//           code_page: cp037
//           framing: {format: fixed}       # record_length defaults to the layout's size
//           key: NO-SUJET                  # the field that holds the subject id
//         fields:                          # classification field ← legacy field
//           - {name: surname, from: NOM-FAMILLE}
//           - {name: birth_date, from: DATE-NAISSANCE, type: date, format: "%Y%m%d"}
//     batch:
//       - category: identity.death
//         folder: ../../var/etat-civil/deces     # drop folder (done/ and rejected/ inside)
//         completion: done_marker                # or stable_size
//         max_file_bytes: 268435456              # larger files are refused (default 256 MiB)
//         source: {type: csv, schema: data/deces.schema.yaml, key: nas}
//         fields: [...]
//     deliver:                                   # events this body subscribes to, written for
//       - category: identity.death               # its legacy systems (delivery_target.hpp)
//         purpose: pension_termination
//         key: NO-SUJET                          # the item (column) receiving the subject
//         target: {type: copybook, copybook: data/deces-recus.cpy, code_page: cp037,
//                  framing: {format: variable}, folder: ../../var/rq/deces, prefix: DECES,
//                  max_records: 10000, max_bytes: 67108864, max_age_s: 300}
//           # or {type: csv, delimiter: ";", folder, prefix, ...}
//           # or {type: odbc, schema: data/deces.odbc.yaml}   (adapters/sql/odbc_target.hpp)
//         fields:                                # classification field → legacy item
//           - {name: surname, to: NOM-FAMILLE}
//           - {name: death_date, to: DATE-DECES, format: "%Y%m%d"}
//
// Relative paths are resolved against the directory of the file. Every mapping, nested or not,
// refuses unknown keys and bad values with the file, the line and the reason (ConfigError).
// Whether the named legacy fields exist is checked when the sources are opened (connector.hpp),
// since that needs the copybook or the schema.
#pragma once

#include "adapters/connector/rolled_file.hpp"
#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/framing/record_framer.hpp"
#include "adapters/record/decode_outcome.hpp"
#include "adapters/record/field_spec.hpp"

#include <pse/client_options.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::connector {

enum class SourceType { copybook, csv, xml, sql, odbc };

std::string_view to_string(SourceType type) noexcept;

/// Where a category's records come from.
struct SourceConfig {
  SourceType type = SourceType::csv;
  std::filesystem::path data;    ///< serve: the data file (copybook, csv, xml); empty for sql, odbc and batch
  std::filesystem::path schema;  ///< csv, xml: the codec's schema; sql, odbc: the source's own file
  std::string key;               ///< the legacy field holding the subject id (all but sql and odbc)
  std::filesystem::path rejects; ///< serve, skip_record: the reject file (default <data>.rejects.jsonl)

  // copybook only
  std::filesystem::path copybook;
  legacy::CopybookOptions copybook_options;
  legacy::FramingOptions framing;  ///< record_length 0: the layout's record size
  bool pad_short_records = false;
  adapters::ErrorPolicy on_error = adapters::ErrorPolicy::reject_file;

  int line = 0;  ///< of the `source` mapping
};

/// One classification field and the legacy field it comes from. Without `retype` the legacy
/// value is sent as the codec typed it; with it, the value's text is parsed again as `retype`
/// says (e.g. a PIC 9(8) holding 19570314 becomes the date "1957-03-14").
struct FieldMapping {
  std::string target;  ///< the classification's field name (a list's sub-field: its own part, "birth_date")
  std::string source;  ///< the legacy field (COBOL name, CSV column field, XML field, SQL field)
  std::optional<adapters::FieldSpec> retype;
  /// A list field: the repeating group (COBOL OCCURS) is `source`, and each item maps one of
  /// its sub-fields from an item of each occurrence.
  std::vector<FieldMapping> items;
  int line = 0;
};

/// One field of a delivery written into a legacy target: the classification's field (a list
/// field's sub-field: its own part) and the legacy item or column receiving it.
struct OutputField {
  std::string field;
  std::string legacy;
  std::string date_format;         ///< a date written as this says ("%Y%m%d"); empty: as received
  std::vector<OutputField> items;  ///< a list field: `legacy` is the OCCURS group
  int line = 0;
};

struct ServeConfig {
  std::string category;
  SourceConfig source;
  std::vector<FieldMapping> fields;
  int line = 0;
};

enum class Completion {
  done_marker,  ///< `<name>.done` next to the file says it is complete
  stable_size,  ///< size and modification time unchanged for `stable_for`
};

/// A drop file is read whole into memory (its hash, and reject_file, need all of it): the
/// largest one taken, 256 MiB unless the batch entry's max_file_bytes says otherwise.
inline constexpr std::uint64_t kDefaultMaxFileBytes = 256ULL * 1024 * 1024;

struct BatchConfig {
  std::string category;
  std::filesystem::path folder;
  Completion completion = Completion::done_marker;
  std::chrono::milliseconds stable_for{2000};
  std::chrono::milliseconds poll_interval{1000};
  std::uint64_t max_file_bytes = kDefaultMaxFileBytes;
  SourceConfig source;
  std::vector<FieldMapping> fields;
  int line = 0;
};

enum class TargetType { copybook, csv, odbc };

/// Events of one subscription written into a legacy target (delivery_target.hpp).
struct DeliverConfig {
  std::string category;
  std::string purpose;                    ///< of the subscription
  TargetType type = TargetType::copybook;
  std::filesystem::path copybook;         ///< copybook target: the record layout
  legacy::CopybookOptions copybook_options;
  legacy::FramingOptions framing;         ///< fixed (the default) or variable (RDW)
  char delimiter = ',';                   ///< csv target
  std::filesystem::path schema;           ///< odbc target: its own file (adapters/sql/odbc_target.hpp)
  RollSettings roll;                      ///< copybook and csv: folder, prefix and when to roll
  std::string key;                        ///< the legacy item or column receiving the subject
  int key_line = 0;
  std::vector<OutputField> fields;
  std::filesystem::path file;             ///< the connector file, for messages
  int line = 0;
};

struct ConnectorConfig {
  std::filesystem::path file;  ///< the configuration file itself
  ClientOptions broker;        ///< host, port, server_name and the three PEM files
  std::filesystem::path classification;
  std::string log_level = "info";
  /// How often served files are checked for changes (reloaded when changed); 0: never.
  std::chrono::milliseconds reload_interval{2000};
  std::vector<ServeConfig> serve;
  std::vector<BatchConfig> batch;
  std::vector<DeliverConfig> deliver;
};

/// Loads and checks the file. Throws ConfigError (file, line, reason).
ConnectorConfig load_connector_config(const std::filesystem::path& file);

/// "host:port", "host" (port 8443) or "[IPv6]:port"; nullopt when malformed.
std::optional<BrokerAddress> parse_broker_address(std::string_view text);

}  // namespace pse::connector
