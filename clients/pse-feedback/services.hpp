// The catalogue of services citizens can rate, each owned by the body that receives its
// feedback (config/feedback/services.yaml).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pse::feedback {

struct Service {
  std::string id;       ///< e.g. "saaq-permis-renouvellement"
  std::string owner;    ///< the organisation (orgs.yaml) that receives its feedback
  std::string name_fr;
  std::string name_en;
};

class ServiceCatalog {
 public:
  ServiceCatalog() = default;
  explicit ServiceCatalog(std::vector<Service> services) : services_(std::move(services)) {}
  /// Reads services.yaml; throws ConfigError with the file, line and reason.
  static ServiceCatalog load(const std::filesystem::path& file);

  const Service* find(std::string_view id) const noexcept;
  const std::vector<Service>& all() const noexcept { return services_; }

 private:
  std::vector<Service> services_;
};

}  // namespace pse::feedback
