// The YAML schema of a CSV source: dialect, header, columns in file order, error policy.
//
//     dialect: french          # rfc4180 (',' and '.') or french (';' and ',')
//     header: true             # the first record names the columns; it must match `columns`
//     date_format: "%d/%m/%Y"  # default for date columns
//     on_error: skip_record    # or reject_file (the default)
//     columns:
//       - {name: nas, type: string, required: true}
//       - {name: solde, type: decimal, scale: 2}
//       - {name: naissance, type: date}
//
// Every column of the file is declared, in order, so that a file with an extra or missing
// column is refused instead of silently shifting values into the wrong fields.
#pragma once

#include "adapters/record/decode_outcome.hpp"
#include "adapters/record/field_spec.hpp"

#include <filesystem>
#include <vector>

namespace pse::adapters::csv {

struct CsvSchema {
  char delimiter = ',';
  bool header = false;
  ErrorPolicy on_error = ErrorPolicy::reject_file;
  std::vector<FieldSpec> columns;
};

/// Loads and validates a schema. Throws ConfigError (file, line, reason) on any unknown key or
/// bad value — this is start-up configuration, not the decode path.
CsvSchema load_csv_schema(const std::filesystem::path& file);

}  // namespace pse::adapters::csv
