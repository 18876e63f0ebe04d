#include "c_api/c_strings.hpp"

#include <cstdlib>
#include <cstring>

namespace pse::c_api {

void set_string(char** out, std::string_view text) {
  if (out == nullptr) return;
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy != nullptr) {
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
  }
  *out = copy;
}

void clear(char** first, char** second, char** third) {
  for (char** out : {first, second, third}) {
    if (out != nullptr) *out = nullptr;
  }
}

int report(const Error& error, char** error_code, char** error_message) {
  set_string(error_code, to_string(error.reason));
  set_string(error_message, error.message.empty() ? describe(error.reason) : std::string_view(error.message));
  return http_status(error.reason);
}

ClientOptions to_options(const pse_client_options& given) {
  ClientOptions options;
  if (given.host != nullptr) options.host = given.host;
  if (given.port != 0) options.port = given.port;
  if (given.server_name != nullptr) options.server_name = given.server_name;
  if (given.ca_file != nullptr) options.ca_file = given.ca_file;
  if (given.certificate_file != nullptr) options.certificate_file = given.certificate_file;
  if (given.key_file != nullptr) options.key_file = given.key_file;
  if (given.request_timeout_ms != 0) options.request_timeout = std::chrono::milliseconds(given.request_timeout_ms);
  if (given.connect_timeout_ms != 0) options.connect_timeout = std::chrono::milliseconds(given.connect_timeout_ms);
  if (given.max_connections != 0) options.max_connections = given.max_connections;
  if (given.encryption_key_file != nullptr) options.encryption_key_file = given.encryption_key_file;
  if (given.signing_key_file != nullptr) options.signing_key_file = given.signing_key_file;
  if (given.encryption_keys_dir != nullptr) options.encryption_keys_dir = given.encryption_keys_dir;
  if (given.signing_keys_dir != nullptr) options.signing_keys_dir = given.signing_keys_dir;
  return options;
}

}  // namespace pse::c_api

extern "C" void pse_string_free(char* string) { std::free(string); }
