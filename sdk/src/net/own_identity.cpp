#include "net/own_identity.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string_view>

namespace pse::net {

std::optional<std::string> organisation_of_certificate(const std::filesystem::path& certificate_file) {
  using File = std::unique_ptr<std::FILE, decltype([](std::FILE* f) { std::fclose(f); })>;
  using Certificate = std::unique_ptr<X509, decltype([](X509* c) { X509_free(c); })>;
  using Names = std::unique_ptr<GENERAL_NAMES, decltype([](GENERAL_NAMES* n) { GENERAL_NAMES_free(n); })>;
  File file(std::fopen(certificate_file.c_str(), "r"));
  if (!file) return std::nullopt;
  Certificate certificate(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
  if (!certificate) return std::nullopt;
  Names names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return std::nullopt;
  std::optional<std::string> found;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                static_cast<std::size_t>(ASN1_STRING_length(uri)));
    const auto org = text.find("/org/");
    if (!text.starts_with("spiffe://") || org == std::string_view::npos) continue;
    if (found) return std::nullopt;
    found = std::string(text.substr(org + 5));
  }
  return found;
}

}  // namespace pse::net
