// XML documents and SOAP 1.1/1.2 bodies → canonical records, as an XmlSchema says.
//
// Each element at the schema's record_path becomes one record; each field is the text of the
// single element (or attribute) at its path below the record. A missing element is null (or
// an error when required), an element marked xsi:nil="true" is null, and a path matching
// several elements, or an element that has child elements, is an error rather than a guess.
// A document that is malformed, too large, too deep or carries a DOCTYPE is rejected as a
// whole, as is a SOAP Fault. Errors name the file, record number, line and the byte offset of
// the start of that line (libxml2 keeps lines for nodes, not byte offsets).
#pragma once

#include "adapters/record/decode_outcome.hpp"
#include "adapters/xml/xml_schema.hpp"

#include <pse/result.hpp>

#include <filesystem>
#include <string_view>

namespace pse::adapters::xml {

/// Decodes one XML document. `file_name` only labels errors. Never throws for bad input.
DecodeOutcome decode_xml(std::string_view input, std::string_view file_name, const XmlSchema& schema);

/// Reads `file` (refusing it unread when larger than the schema's limit) and decodes it.
pse::Result<DecodeOutcome> decode_xml_file(const std::filesystem::path& file, const XmlSchema& schema);

}  // namespace pse::adapters::xml
