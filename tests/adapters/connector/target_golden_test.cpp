// Legacy target conformance: each folder of golden/targets/ holds deliver.yaml (one `deliver:`
// entry writing into `out/`), its copybook if any, and deliveries.jsonl (one delivery per line:
// event_id, subject, record). expected.txt holds each file the target finished, in order: its
// name without the time, then its bytes (hex, 16 per line, for a copybook file; the text for a
// CSV file); `.part` is what is still open. PSE_UPDATE_GOLDEN=1 rewrites it for review.
#include "adapters/connector/connector_config.hpp"
#include "adapters/connector/delivery_target.hpp"
#include "support/temp_dir.hpp"

#include "golden_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace pse::connector {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path golden_directory = fs::path(PSE_SOURCE_DIR) / "tests/adapters/connector/golden/targets";

std::string hex_lines(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    const auto byte = static_cast<unsigned char>(bytes[at]);
    out += digits[byte >> 4];
    out += digits[byte & 0xF];
    out += (at % 16 == 15 || at + 1 == bytes.size()) ? '\n' : ' ';
  }
  return out;
}

class TargetGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(TargetGolden, MatchesExpected) {
  const fs::path directory = golden_directory / GetParam();
  pse::testing::TempDir work;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.path().extension() == ".cpy") fs::copy_file(entry.path(), work.path() / entry.path().filename());
  }
  const auto config_file = work.write("adapter.yaml", "broker: {host: localhost}\ntls: {ca: ca.crt, cert: o.crt, key: o.key}\n"
                                                      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n" +
                                                          adapters::testing::read_bytes(directory / "deliver.yaml"));
  const ConnectorConfig config = load_connector_config(config_file);
  ASSERT_EQ(config.deliver.size(), 1u);
  const bool text = config.deliver[0].type == TargetType::csv;
  std::string rendered;
  {
    DeliveryTarget target(config.deliver[0]);
    std::istringstream lines(adapters::testing::read_bytes(directory / "deliveries.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      const json::object given = json::parse(line).as_object();
      Delivery delivery;
      delivery.event_id = std::string(given.at("event_id").as_string());
      delivery.subject = std::string(given.at("subject").as_string());
      delivery.record = given.at("record").as_object();
      const pse::Status written = target.write(delivery);
      rendered += delivery.event_id + ": " + (written ? "written" : "refused: " + written.error().message) + "\n";
    }
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(work / "out")) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".done") && !name.ends_with(".db") && name.find(".db-") == std::string::npos) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // rolled files in order, then the .part
  for (const auto& file : files) {
    const std::string name = std::regex_replace(file.filename().string(), std::regex("-[0-9]{8}T[0-9]{6}Z-"), "-<time>-");
    const bool done = fs::exists(file.string() + ".done");
    rendered += "file: " + name + (done ? " (done)" : "") + "\n";
    const std::string bytes = adapters::testing::read_bytes(file);
    rendered += text ? bytes : hex_lines(bytes);
  }
  adapters::testing::expect_golden(directory, rendered);
}

INSTANTIATE_TEST_SUITE_P(Cases, TargetGolden, ::testing::ValuesIn(adapters::testing::golden_cases(golden_directory)),
                         [](const auto& test_case) { return test_case.param; });

}  // namespace
}  // namespace pse::connector
