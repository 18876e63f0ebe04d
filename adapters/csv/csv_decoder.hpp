// CSV → canonical records, as a CsvSchema says.
//
// The decoder reads the whole input (a drop file is decoded as a unit, so that the reject_file
// policy can refuse it before any record is published), checks the header, then turns each
// record into a Record with one field per column. A record with the wrong number of fields,
// a syntax error or a bad value is rejected with the file name, record number (1-based, the
// header not counted), line, byte offset and column.
#pragma once

#include "adapters/csv/csv_schema.hpp"
#include "adapters/record/decode_outcome.hpp"

#include <pse/result.hpp>

#include <filesystem>
#include <string_view>

namespace pse::adapters::csv {

/// Decodes CSV bytes. `file_name` only labels errors. Never throws for bad input.
DecodeOutcome decode_csv(std::string_view input, std::string_view file_name, const CsvSchema& schema);

/// Reads `file` and decodes it. An unreadable file is an Error; bad content is in the outcome.
pse::Result<DecodeOutcome> decode_csv_file(const std::filesystem::path& file, const CsvSchema& schema);

}  // namespace pse::adapters::csv
