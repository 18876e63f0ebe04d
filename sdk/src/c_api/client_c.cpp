// The C ABI of the consumer client: a thin shell over pse::Client. Nothing may throw through
// extern "C", so every entry point catches.
#include <pse/client.hpp>
#include <pse/pse.h>

#include "c_api/c_strings.hpp"
#include "wire/exchange_json.hpp"

#include <exception>
#include <memory>

struct pse_client {
  std::unique_ptr<pse::Client> client;
};

extern "C" pse_client* pse_client_new(const pse_client_options* options, char** error_message) {
  pse::c_api::clear(error_message);
  if (options == nullptr) {
    pse::c_api::set_string(error_message, "options must not be NULL");
    return nullptr;
  }
  try {
    return new pse_client{std::make_unique<pse::Client>(pse::c_api::to_options(*options))};
  } catch (const std::exception& exception) {
    pse::c_api::set_string(error_message, exception.what());
  } catch (...) {
    pse::c_api::set_string(error_message, "unknown error");
  }
  return nullptr;
}

extern "C" void pse_client_free(pse_client* client) { delete client; }

extern "C" int pse_exchange(pse_client* client, const char* request_json, char** response_json, char** error_code,
                            char** error_message) {
  pse::c_api::clear(response_json, error_code, error_message);
  try {
    if (client == nullptr || request_json == nullptr) {
      return pse::c_api::report(pse::make_error(pse::Reason::malformed_request, "client and request_json must not be NULL"),
                                error_code, error_message);
    }
    auto request = pse::wire::decode_exchange_request(request_json);
    if (!request) return pse::c_api::report(request.error(), error_code, error_message);
    auto response = client->client->exchange(*request);
    if (!response) return pse::c_api::report(response.error(), error_code, error_message);
    pse::c_api::set_string(response_json, pse::wire::encode_exchange_response(*response));
    return 0;
  } catch (const std::exception& exception) {
    return pse::c_api::report(pse::make_error(pse::Reason::internal_error, exception.what()), error_code, error_message);
  } catch (...) {
    return pse::c_api::report(pse::make_error(pse::Reason::internal_error, "unknown error"), error_code, error_message);
  }
}
