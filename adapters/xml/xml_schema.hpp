// The YAML schema of an XML source: which elements are records, which paths are fields.
//
//     soap: true                       # the document must be a SOAP 1.1 or 1.2 envelope
//     namespaces: {c: "urn:example:citoyen"}
//     record_path: /Envelope/Body/ReponseCitoyen/c:Citoyen
//     on_error: skip_record
//     max_bytes: 1048576               # refuse larger documents (default 16 MiB)
//     max_depth: 32                    # refuse deeper nesting (default 64)
//     fields:
//       - {name: nas, path: "@nas", required: true}
//       - {name: nom, path: c:Nom, required: true}
//       - {name: ville, path: Adresse/Ville}
//       - {name: naissance, path: DateNaissance, type: date}
#pragma once

#include "adapters/record/decode_outcome.hpp"
#include "adapters/record/field_spec.hpp"
#include "adapters/xml/safe_xml_parser.hpp"
#include "adapters/xml/xml_path.hpp"

#include <filesystem>
#include <vector>

namespace pse::adapters::xml {

struct XmlField {
  FieldSpec spec;
  XmlPath path;  ///< relative to the record element
};

struct XmlSchema {
  bool soap = false;
  XmlPath record_path;
  std::vector<XmlField> fields;
  XmlLimits limits;
  ErrorPolicy on_error = ErrorPolicy::reject_file;
};

/// Loads and validates a schema. Throws ConfigError (file, line, reason).
XmlSchema load_xml_schema(const std::filesystem::path& file);

}  // namespace pse::adapters::xml
