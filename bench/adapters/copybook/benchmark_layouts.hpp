// The layouts and data the copybook benchmark decodes, generated from fixed seeds so every run
// measures the same bytes.
#pragma once

#include <cstddef>
#include <string>

namespace pse::legacy::bench {

/// A copybook of exactly 167 elementary fields in 1,341 bytes (the shape of Cobrix's
/// "experiment 1"): text, zoned, packed and binary fields in groups of ten.
std::string fixed_layout_copybook();

/// A narrow multi-segment copybook: a one-byte segment id and three REDEFINES alternatives of
/// 18 to 46 bytes (company, contact, account), selected by the id.
std::string multi_segment_copybook();

/// Contiguous fixed-length records for `copybook` (EBCDIC 037), filled with varied values.
std::string fixed_records(const std::string& copybook, std::size_t count);

/// Variable records (big-endian RDW) of the multi-segment layout, each as long as its segment.
std::string multi_segment_records(std::size_t count);

}  // namespace pse::legacy::bench
