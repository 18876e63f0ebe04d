// Which organisation this SDK speaks for: the one its certificate names, as the broker reads
// it (the SPIFFE URI spiffe://<trust domain>/org/<id> in the subjectAltName).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pse::net {

/// The organisation id of the first certificate in a PEM file; std::nullopt when the file
/// cannot be read or the certificate names no organisation, or more than one.
std::optional<std::string> organisation_of_certificate(const std::filesystem::path& certificate_file);

}  // namespace pse::net
