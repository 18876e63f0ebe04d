// The C ABI of the provider: pse::Provider with a C callback that answers through a pse_reply.
#include <pse/provider.hpp>
#include <pse/pse.h>

#include "c_api/c_strings.hpp"
#include "wire/json_reader.hpp"

#include <boost/json/serialize.hpp>

#include <exception>
#include <memory>
#include <optional>

struct pse_reply {
  std::optional<pse::Result<boost::json::object>> answer;
};

struct pse_provider {
  std::unique_ptr<pse::Provider> provider;
};

namespace {

std::string request_to_json(const pse::ProviderRequest& request) {
  boost::json::array fields;
  for (const auto& field : request.fields) fields.emplace_back(field);
  return boost::json::serialize(boost::json::object{
      {"id", request.id},
      {"request_id", request.request_id},
      {"consumer", request.consumer},
      {"category", request.category},
      {"purpose", request.purpose},
      {"subject", request.subject},
      {"fields", std::move(fields)},
      {"timeout_ms", request.timeout.count()},
  });
}

}  // namespace

extern "C" int pse_reply_record(pse_reply* reply, const char* record_json) {
  if (reply == nullptr) return 400;
  auto record = pse::wire::parse_object(record_json == nullptr ? "" : record_json, "record");
  if (!record) {
    reply->answer = pse::Result<boost::json::object>(pse::make_error(pse::Reason::provider_error, record.error().message));
    return 400;
  }
  reply->answer = pse::Result<boost::json::object>(std::move(*record));
  return 0;
}

extern "C" void pse_reply_error(pse_reply* reply, const char* code, const char* message) {
  if (reply == nullptr) return;
  // A code this SDK does not know still reaches the broker, which reports it as provider_error.
  const auto reason = pse::reason_from_string(code == nullptr ? "" : code).value_or(pse::Reason::provider_error);
  reply->answer = pse::Result<boost::json::object>(pse::make_error(reason, message == nullptr ? "" : message));
}

extern "C" pse_provider* pse_provider_new(const pse_client_options* options, const char* const* categories,
                                          size_t category_count, pse_provider_handler handler, void* user_data,
                                          char** error_message) {
  pse::c_api::clear(error_message);
  if (options == nullptr || categories == nullptr || category_count == 0 || handler == nullptr) {
    pse::c_api::set_string(error_message, "options, categories and handler are required");
    return nullptr;
  }
  try {
    std::vector<std::string> served;
    for (size_t i = 0; i < category_count; ++i) {
      if (categories[i] == nullptr) throw std::invalid_argument("a category is NULL");
      served.emplace_back(categories[i]);
    }
    auto provider = std::make_unique<pse::Provider>(pse::c_api::to_options(*options));
    provider->serve(std::move(served), [handler, user_data](const pse::ProviderRequest& request) {
      pse_reply reply;
      const std::string json = request_to_json(request);
      handler(user_data, json.c_str(), &reply);
      if (!reply.answer) return pse::Result<boost::json::object>(pse::make_error(pse::Reason::provider_error, "the handler gave no reply"));
      return std::move(*reply.answer);
    });
    return new pse_provider{std::move(provider)};
  } catch (const std::exception& exception) {
    pse::c_api::set_string(error_message, exception.what());
  } catch (...) {
    pse::c_api::set_string(error_message, "unknown error");
  }
  return nullptr;
}

extern "C" int pse_provider_start(pse_provider* provider, char** error_code, char** error_message) {
  pse::c_api::clear(error_code, error_message);
  if (provider == nullptr) {
    return pse::c_api::report(pse::make_error(pse::Reason::malformed_request, "provider is NULL"), error_code, error_message);
  }
  auto status = provider->provider->start();
  return status ? 0 : pse::c_api::report(status.error(), error_code, error_message);
}

extern "C" int pse_provider_wait_ready(pse_provider* provider, uint32_t timeout_ms, char** error_code,
                                       char** error_message) {
  pse::c_api::clear(error_code, error_message);
  if (provider == nullptr) {
    return pse::c_api::report(pse::make_error(pse::Reason::malformed_request, "provider is NULL"), error_code, error_message);
  }
  auto status = provider->provider->wait_ready(std::chrono::milliseconds(timeout_ms));
  return status ? 0 : pse::c_api::report(status.error(), error_code, error_message);
}

extern "C" void pse_provider_stop(pse_provider* provider) {
  if (provider != nullptr) provider->provider->stop();
}

extern "C" void pse_provider_free(pse_provider* provider) { delete provider; }
