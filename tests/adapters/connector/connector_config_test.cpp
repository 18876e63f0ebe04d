// The connector's configuration: the sample configs load, and every mistake is refused with
// the file, the line and the reason.
#include "adapters/connector/connector.hpp"
#include "adapters/connector/connector_config.hpp"
#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::connector {
namespace {

using ::testing::HasSubstr;

const std::string kData = PSE_SOURCE_DIR "/config/connectors/data/";

/// A valid configuration serving identity.birth from the sample copybook; `extra` is appended
/// (at top level), `replace` swaps one text for another first.
std::string birth_config(const std::string& replace_from = {}, const std::string& replace_to = {}) {
  std::string text =
      "broker: {host: localhost, port: 8443}\n"                                             // 1
      "tls: {ca: ca.crt, cert: org.crt, key: org.key}\n"                                    // 2
      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"                    // 3
      "serve:\n"                                                                            // 4
      "  - category: identity.birth\n"                                                      // 5
      "    source:\n"                                                                       // 6
      "      type: copybook\n"                                                              // 7
      "      copybook: " + kData + "etat-civil-naissances.cpy\n"                            // 8
      "      data: " + kData + "etat-civil-naissances.dat\n"                                // 9
      "      code_page: cp037\n"                                                            // 10
      "      key: NO-SUJET\n"                                                               // 11
      "    fields:\n"                                                                       // 12
      "      - {name: surname, from: NOM-FAMILLE}\n"                                        // 13
      "      - {name: birth_date, from: DATE-NAISSANCE, type: date, format: \"%Y%m%d\"}\n"  // 14
      "      - {name: birth_place, from: LIEU-NAISSANCE}\n";                                // 15
  if (!replace_from.empty()) {
    const auto at = text.find(replace_from);
    EXPECT_NE(at, std::string::npos) << replace_from;
    if (at != std::string::npos) text.replace(at, replace_from.size(), replace_to);
  }
  return text;
}

class ConnectorConfigTest : public ::testing::Test {
 protected:
  /// The ConfigError's text ("file:line: reason") of loading `text` and opening its sources.
  std::string error_of(const std::string& text) {
    const auto file = dir_.write("adapter.yaml", text);
    try {
      Connector connector(load_connector_config(file), nullptr);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
  std::string at_line(int line) const { return (dir_ / "adapter.yaml").string() + ":" + std::to_string(line) + ": "; }

  pse::testing::TempDir dir_;
};

TEST_F(ConnectorConfigTest, TheSampleConfigsLoad) {
  for (const char* name : {"etat-civil", "services-quebec", "ramq"}) {
    const auto config = load_connector_config(PSE_SOURCE_DIR "/config/connectors/" + std::string(name) + ".yaml");
    EXPECT_EQ(config.broker.host, "localhost") << name;
    EXPECT_EQ(config.serve.size(), 1u) << name;
  }
  const auto etat_civil = load_connector_config(PSE_SOURCE_DIR "/config/connectors/etat-civil.yaml");
  ASSERT_EQ(etat_civil.batch.size(), 1u);
  EXPECT_EQ(etat_civil.batch[0].category, "identity.death");
  EXPECT_EQ(etat_civil.serve[0].fields.size(), 6u);
  ASSERT_TRUE(etat_civil.serve[0].fields[3].retype.has_value());
  EXPECT_EQ(etat_civil.serve[0].fields[3].retype->type, adapters::FieldType::date);
  EXPECT_EQ(etat_civil.broker.ca_file, std::filesystem::path(PSE_SOURCE_DIR "/certs/dev/ca.crt"));
  const auto ramq_deliveries = load_connector_config(PSE_SOURCE_DIR "/config/connectors/ramq-deces-recus.yaml");
  ASSERT_EQ(ramq_deliveries.deliver.size(), 1u);
  EXPECT_EQ(ramq_deliveries.deliver[0].fields.size(), 4u);
}

TEST_F(ConnectorConfigTest, AValidConfigOpensItsSources) { EXPECT_EQ(error_of(birth_config()), "no error"); }

TEST_F(ConnectorConfigTest, UnknownKeysAreRefusedWithTheirLine) {
  EXPECT_THAT(error_of(birth_config("broker: {host: localhost, port: 8443}\n", "broker: {host: localhost, prot: 8443}\n")),
              HasSubstr(at_line(1) + "unknown key 'prot' in broker"));
  EXPECT_THAT(error_of(birth_config("      code_page: cp037\n", "      code_page: cp037\n      codepage: cp037\n")),
              HasSubstr(at_line(11) + "unknown key 'codepage' in source"));
  EXPECT_THAT(error_of(birth_config("{name: surname, from: NOM-FAMILLE}", "{name: surname, form: NOM-FAMILLE}")),
              HasSubstr(at_line(13) + "unknown key 'form' in field"));
  EXPECT_THAT(error_of(birth_config() + "colour: blue\n"), HasSubstr(at_line(16) + "unknown key 'colour'"));
}

TEST_F(ConnectorConfigTest, BadValuesAreRefusedWithTheirLine) {
  EXPECT_THAT(error_of(birth_config("port: 8443", "port: 99999")), HasSubstr(at_line(1) + "broker.port must be between 1 and 65535"));
  EXPECT_THAT(error_of(birth_config("code_page: cp037", "code_page: cp9999")), HasSubstr(at_line(10) + "source.code_page is not a known code page"));
  EXPECT_THAT(error_of(birth_config("type: copybook", "type: cobol")), HasSubstr(at_line(7) + "source.type must be copybook, csv, xml, sql or odbc"));
  EXPECT_THAT(error_of(birth_config("type: date, format", "type: day, format")), HasSubstr(at_line(14)));
  EXPECT_THAT(error_of(birth_config("\"%Y%m%d\"", "\"%Y%q\"")), HasSubstr(at_line(14)));
}

TEST_F(ConnectorConfigTest, AHubOfSeveralBrokersIsAList) {
  const auto file = dir_.write(
      "adapter.yaml", birth_config("broker: {host: localhost, port: 8443}\n",
                                   "broker: {brokers: [\"b1.pse:8443\", \"b2.pse\", \"[::1]:9443\"], server_name: hub.pse}\n"));
  const auto config = load_connector_config(file);
  ASSERT_EQ(config.broker.brokers.size(), 3u);
  EXPECT_EQ(config.broker.brokers[0].host, "b1.pse");
  EXPECT_EQ(config.broker.brokers[1].port, 8443) << "the default port";
  EXPECT_EQ(config.broker.brokers[2].host, "::1");
  EXPECT_EQ(config.broker.brokers[2].port, 9443);
  EXPECT_EQ(config.broker.server_name, "hub.pse");

  EXPECT_THAT(error_of(birth_config("{host: localhost, port: 8443}", "{host: localhost, brokers: [\"b1:8443\"]}")),
              HasSubstr(at_line(1) + "broker.brokers cannot be given with host and port"));
  EXPECT_THAT(error_of(birth_config("{host: localhost, port: 8443}", "{brokers: [\"b1:99999\"]}")),
              HasSubstr(at_line(1) + "broker.brokers holds 'b1:99999', which is not host:port"));
  EXPECT_THAT(error_of(birth_config("{host: localhost, port: 8443}", "{brokers: [\"::1:8443\"]}")),
              HasSubstr("is not host:port"));
  EXPECT_THAT(error_of(birth_config("{host: localhost, port: 8443}", "{brokers: []}")),
              HasSubstr("must list at least one broker"));
}

TEST_F(ConnectorConfigTest, CategoriesAndFieldsMustBeClassified) {
  EXPECT_THAT(error_of(birth_config("category: identity.birth", "category: identity.birthday")),
              HasSubstr(at_line(5) + "category 'identity.birthday' is not in the classification"));
  EXPECT_THAT(error_of(birth_config("{name: surname,", "{name: last_name,")),
              HasSubstr(at_line(13) + "'last_name' is not a field of category identity.birth"));
  EXPECT_THAT(error_of(birth_config("{name: birth_place, from: LIEU-NAISSANCE}", "{name: surname, from: LIEU-NAISSANCE}")),
              HasSubstr(at_line(15) + "field 'surname' is mapped twice"));
}

TEST_F(ConnectorConfigTest, LegacyFieldsMustExistInTheSource) {
  EXPECT_THAT(error_of(birth_config("from: LIEU-NAISSANCE", "from: LIEU-DE-NAISSANCE")),
              HasSubstr(at_line(15) + "'LIEU-DE-NAISSANCE' is not a field of the copybook"));
  EXPECT_THAT(error_of(birth_config("key: NO-SUJET", "key: ACTE-NAISSANCE")),  // a group, not a field
              HasSubstr(at_line(7) + "key 'ACTE-NAISSANCE' is a group, not an elementary field"));
}

TEST_F(ConnectorConfigTest, MissingPiecesAreNamed) {
  EXPECT_THAT(error_of(birth_config("      key: NO-SUJET\n", "")), HasSubstr("source.key is required"));
  EXPECT_THAT(error_of(birth_config("tls: {ca: ca.crt, cert: org.crt, key: org.key}\n", "")), HasSubstr("tls is required"));
  const std::string nothing = "broker: {host: localhost}\ntls: {ca: a, cert: b, key: c}\nclassification: " PSE_SOURCE_DIR
                              "/config/classification.yaml\n";
  EXPECT_THAT(error_of(nothing), HasSubstr("nothing to do"));
  // A copybook the parser refuses names the copybook file and its line.
  dir_.write("bad.cpy", "       01 REC.\n          05 A PIC X(3) SYNCHRONIZED.\n");
  EXPECT_THAT(error_of(birth_config(kData + "etat-civil-naissances.cpy", (dir_ / "bad.cpy").string())),
              HasSubstr((dir_ / "bad.cpy").string() + ":2: "));
}

TEST_F(ConnectorConfigTest, BatchEntriesAreCheckedToo) {
  const std::string batch = birth_config() +
                            "batch:\n"                                                       // 16
                            "  - category: identity.death\n"                                 // 17
                            "    folder: drop\n"                                             // 18
                            "    completion: when_ready\n"                                   // 19
                            "    source: {type: csv, schema: s.yaml, key: nas}\n"            // 20
                            "    fields: [{name: surname}]\n";                               // 21
  EXPECT_THAT(error_of(batch), HasSubstr(at_line(17) + "batch entry.completion must be done_marker or stable_size"));
  std::string sql = batch;
  sql.replace(sql.find("completion: when_ready"), 22, "completion: stable_size");
  sql.replace(sql.find("type: csv, schema: s.yaml, key: nas"), 35, "type: sql, schema: s.yaml");
  EXPECT_THAT(error_of(sql), HasSubstr(at_line(20) + "source.type sql sources can be served, not watched"));
  std::string odbc = sql;
  odbc.replace(odbc.find("type: sql"), 9, "type: odbc");
  EXPECT_THAT(error_of(odbc), HasSubstr(at_line(20) + "source.type odbc sources can be served, not watched"));
}

TEST_F(ConnectorConfigTest, ADropFolderHasASizeCap) {
  dir_.write("deces.schema.yaml", "header: true\ncolumns:\n  - {name: nas}\n  - {name: nom}\n");
  const std::string batch = birth_config() +
                            "batch:\n"                                                       // 16
                            "  - category: identity.death\n"                                 // 17
                            "    folder: drop\n"                                             // 18
                            "    max_file_bytes: 0\n"                                        // 19
                            "    source: {type: csv, schema: deces.schema.yaml, key: nas}\n" // 20
                            "    fields: [{name: surname, from: nom}]\n";                    // 21
  EXPECT_THAT(error_of(batch), HasSubstr(at_line(19) + "batch entry.max_file_bytes must be between 1 and "));
  std::string capped = batch;
  capped.replace(capped.find("max_file_bytes: 0"), 17, "max_file_bytes: 1048576");
  const auto file = dir_.write("adapter.yaml", capped);
  EXPECT_EQ(load_connector_config(file).batch.at(0).max_file_bytes, 1048576u);
  // Absent: 256 MiB.
  capped.replace(capped.find("    max_file_bytes: 1048576\n"), 28, "");
  EXPECT_EQ(load_connector_config(dir_.write("adapter.yaml", capped)).batch.at(0).max_file_bytes, 256u * 1024 * 1024);
}

}  // namespace
}  // namespace pse::connector

namespace pse::connector {
namespace {

// A subscriber's connector: Retraite Québec writes the deaths it is told of into a copybook file.
std::string deliver_config(const std::string& replace_from = {}, const std::string& replace_to = {}) {
  std::string text =
      "broker: {host: localhost, port: 8443}\n"                                                  // 1
      "tls: {ca: ca.crt, cert: org.crt, key: org.key}\n"                                         // 2
      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"                         // 3
      "deliver:\n"                                                                               // 4
      "  - category: identity.death\n"                                                           // 5
      "    purpose: pension_termination\n"                                                       // 6
      "    key: NO-SUJET\n"                                                                      // 7
      "    target: {type: copybook, copybook: deces.cpy, code_page: cp037, folder: out, prefix: DECES,\n"  // 8
      "             framing: {format: variable}, max_records: 500, max_age_s: 60}\n"            // 9
      "    fields:\n"                                                                            // 10
      "      - {name: surname, to: NOM-FAMILLE}\n"                                               // 11
      "      - {name: death_date, to: DATE-DECES, format: \"%Y%m%d\"}\n";                        // 12
  if (!replace_from.empty()) {
    const auto at = text.find(replace_from);
    EXPECT_NE(at, std::string::npos) << replace_from;
    if (at != std::string::npos) text.replace(at, replace_from.size(), replace_to);
  }
  return text;
}

class DeliverConfigTest : public ConnectorConfigTest {
 protected:
  void SetUp() override {
    dir_.write("deces.cpy", "       01 DECES.\n          05 NO-SUJET PIC X(12).\n          05 NOM-FAMILLE PIC X(20).\n"
                            "          05 DATE-DECES PIC 9(8).\n");
  }
};

TEST_F(DeliverConfigTest, ASubscriberWritingIntoACopybookFileLoads) {
  const ConnectorConfig config = load_connector_config(dir_.write("adapter.yaml", deliver_config()));
  ASSERT_EQ(config.deliver.size(), 1u);
  const DeliverConfig& entry = config.deliver[0];
  EXPECT_EQ(entry.purpose, "pension_termination");
  EXPECT_EQ(entry.type, TargetType::copybook);
  EXPECT_EQ(entry.framing.format, legacy::RecordFormat::variable);
  EXPECT_EQ(entry.roll.folder, dir_ / "out");
  EXPECT_EQ(entry.roll.extension, ".dat");
  EXPECT_EQ(entry.roll.max_records, 500u);
  EXPECT_EQ(entry.roll.max_age, std::chrono::seconds(60));
  ASSERT_EQ(entry.fields.size(), 2u);
  EXPECT_EQ(entry.fields[1].date_format, "%Y%m%d");
  EXPECT_EQ(error_of(deliver_config()), "no error");  // the target opens: the copybook maps
}

TEST_F(DeliverConfigTest, MistakesAreRefusedWithTheirLine) {
  EXPECT_THAT(error_of(deliver_config("type: copybook", "type: tape")),
              HasSubstr(at_line(8) + "target.type must be copybook, csv or odbc, got 'tape'"));
  EXPECT_THAT(error_of(deliver_config("prefix: DECES", "prefix: ../DECES")), HasSubstr("target.prefix must be a file name prefix"));
  EXPECT_THAT(error_of(deliver_config("{name: surname, to", "{name: shoe_size, to")),
              HasSubstr(at_line(11) + "'shoe_size' is not a field of category identity.death"));
  EXPECT_THAT(error_of(deliver_config("to: NOM-FAMILLE", "to: NOM")), HasSubstr(at_line(11) + "'NOM' is not an item of the copybook"));
  EXPECT_THAT(error_of(deliver_config("    purpose: pension_termination\n", "")), HasSubstr("purpose"));
  EXPECT_THAT(error_of(deliver_config("{name: surname, to: NOM-FAMILLE}", "{name: surname, to: NOM-FAMILLE, items: [{name: a, to: B}]}")),
              HasSubstr(at_line(11) + "'surname' is not a list field of category identity.death"));
}

}  // namespace
}  // namespace pse::connector
