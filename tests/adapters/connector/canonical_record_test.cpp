// The uniform layer: copybook records and CSV/XML records become the same canonical records,
// mapped to classification fields and indexed by subject.
#include "adapters/codepage/code_page.hpp"
#include "adapters/connector/canonical_source.hpp"
#include "adapters/connector/connector.hpp"
#include "adapters/connector/field_mapping.hpp"
#include "adapters/connector/record_index.hpp"
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/copybook/hex.hpp"
#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace pse::connector {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

const std::string kData = PSE_SOURCE_DIR "/config/connectors/data/";

std::string ebcdic(std::string_view text, std::size_t width) {
  std::string bytes;
  EXPECT_FALSE(legacy::append_from_utf8(legacy::CodePage::ebcdic_037, text, bytes).has_value());
  bytes.resize(width, '\x40');
  return bytes;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

SourceConfig copybook_source(const std::filesystem::path& copybook, adapters::ErrorPolicy policy) {
  SourceConfig source;
  source.type = SourceType::copybook;
  source.copybook = copybook;
  source.key = "ID";
  source.on_error = policy;
  return source;
}

FieldMapping map_field(std::string target, std::string source) {
  FieldMapping mapping;
  mapping.target = std::move(target);
  mapping.source = std::move(source);
  return mapping;
}

FieldMapping map_date(std::string target, std::string source, std::string format) {
  FieldMapping mapping = map_field(std::move(target), std::move(source));
  adapters::FieldSpec spec;
  spec.name = mapping.target;
  spec.type = adapters::FieldType::date;
  spec.date_format = std::move(format);
  mapping.retype = spec;
  return mapping;
}

class CanonicalRecord : public ::testing::Test {
 protected:
  pse::testing::TempDir dir_;
  // Every kind of value the copybook decoder produces.
  std::filesystem::path copybook_ = dir_.write("rec.cpy",
      "       01 REC.\n"
      "          05 ID        PIC X(6).\n"
      "          05 AMOUNT    PIC S9(7)V99 COMP-3.\n"
      "          05 COUNT     PIC 9(3).\n"
      "          05 BIG       PIC S9(18) COMP-3.\n"
      "          05 BORN      PIC 9(8) COMP-3.\n"
      "          05 HUNDREDS  PIC 9(2)PP.\n"
      "          05 UNSET     PIC 9(2).\n"
      "          05 ITEMS OCCURS 2 TIMES.\n"
      "             10 ITEM  PIC X(2).\n");
  // 6 + 5 + 3 + 10 + 5 + 2 + 2 + 4 = 37 bytes
  std::string record(std::string_view id, std::string_view amount_hex, std::string_view count) {
    return ebcdic(id, 6) + legacy::testing::from_hex(amount_hex) + ebcdic(count, 3) +
           legacy::testing::from_hex("0123456789012345678D") + legacy::testing::from_hex("019570314F") + ebcdic("12", 2) +
           ebcdic("  ", 2) + ebcdic("ABCD", 4);
  }
};

TEST_F(CanonicalRecord, CopybookValuesBecomeCanonicalValues) {
  const std::vector<std::string> wanted = {"ID", "AMOUNT", "COUNT", "BIG", "BORN", "HUNDREDS", "UNSET"};
  auto codec = open_file_codec(copybook_source(copybook_, adapters::ErrorPolicy::reject_file), wanted);
  const FileBatch batch = codec->decode(record("QC-1", "000012345D", "042"), "rec.dat");
  ASSERT_FALSE(batch.file_rejected) << batch.file_reason;
  ASSERT_EQ(batch.records.size(), 1u);
  EXPECT_EQ(adapters::to_json(batch.records[0]),
            R"({"ID":"QC-1","AMOUNT":"-123.45","COUNT":42,"BIG":"-123456789012345678","BORN":19570314,"HUNDREDS":1200,"UNSET":null})");
  EXPECT_EQ(batch.numbers, std::vector<std::uint64_t>{1});
  EXPECT_EQ(codec->field_problem("AMOUNT"), std::nullopt);
  EXPECT_THAT(codec->field_problem("ITEM").value_or(""), HasSubstr("inside an OCCURS table"));
  EXPECT_EQ(codec->field_problem("ITEMS"), std::nullopt);  // the table itself maps to a list field
  EXPECT_THAT(codec->field_problem("REC").value_or(""), HasSubstr("is a group"));
  // A name the copybook does not have is told as such, not as a repeating field.
  EXPECT_THAT(codec->field_problem("HIST-YEAR").value_or(""), HasSubstr("'HIST-YEAR' is not a field of the copybook"));

  auto with_table = open_file_codec(copybook_source(copybook_, adapters::ErrorPolicy::reject_file), {"ID", "ITEMS"});
  const FileBatch listed = with_table->decode(record("QC-1", "000012345D", "042"), "rec.dat");
  ASSERT_EQ(listed.records.size(), 1u) << listed.file_reason;
  EXPECT_EQ(adapters::to_json(listed.records[0]), R"({"ID":"QC-1","ITEMS":[{"ITEM":"AB"},{"ITEM":"CD"}]})");
  EXPECT_EQ(with_table->item_problem("ITEMS", "ITEM"), std::nullopt);
}

TEST_F(CanonicalRecord, SkipRecordCollectsTheCodecsRejectLinesAndNumbers) {
  auto codec = open_file_codec(copybook_source(copybook_, adapters::ErrorPolicy::skip_record), {"ID", "AMOUNT"});
  const std::string data = record("A", "000000100C", "001") + record("B", "00000010AC", "002") + record("C", "000000300C", "003");
  const FileBatch batch = codec->decode(data, "rec.dat");
  EXPECT_EQ(batch.counts, (adapters::DecodeCounts{3, 2, 1}));
  EXPECT_EQ(batch.numbers, (std::vector<std::uint64_t>{1, 3}));
  ASSERT_EQ(batch.reject_lines.size(), 1u);
  EXPECT_THAT(batch.reject_lines[0], HasSubstr(R"("record":2,"offset":47,"field":"AMOUNT","reason":"bad_packed_nibble")"));
}

TEST_F(CanonicalRecord, RejectFileRefusesTheWholeFile) {
  auto codec = open_file_codec(copybook_source(copybook_, adapters::ErrorPolicy::reject_file), {"ID", "AMOUNT"});
  const FileBatch batch = codec->decode(record("A", "000000100C", "001") + record("B", "00000010AC", "002"), "rec.dat");
  EXPECT_TRUE(batch.file_rejected);
  EXPECT_TRUE(batch.records.empty());
  EXPECT_THAT(batch.file_reason, HasSubstr("bad_packed_nibble"));
  ASSERT_EQ(batch.reject_lines.size(), 1u);
  EXPECT_THAT(batch.reject_lines[0], HasSubstr(R"("record":2)"));
}

TEST_F(CanonicalRecord, MappingRenamesRetypesAndChecksTheKey) {
  RecordMapper mapper("ID", {map_field("surname", "ID"), map_date("birth_date", "BORN", "%Y%m%d"), map_field("amount", "AMOUNT")});
  adapters::Record record;
  record.add("ID", std::string("QC-1"));
  record.add("BORN", std::int64_t{19570314});
  record.add("AMOUNT", adapters::Decimal{true, "12345", 2});
  MappingOutcome outcome = mapper.map(record);
  ASSERT_TRUE(outcome.error.empty()) << outcome.error;
  EXPECT_EQ(outcome.record.subject, "QC-1");
  EXPECT_EQ(json::serialize(outcome.record.fields), R"({"surname":"QC-1","birth_date":"1957-03-14","amount":"-123.45"})");

  adapters::Record bad_date;
  bad_date.add("ID", std::string("QC-2"));
  bad_date.add("BORN", std::int64_t{19570230});
  outcome = mapper.map(bad_date);
  EXPECT_EQ(outcome.field, "birth_date");
  EXPECT_THAT(outcome.error, HasSubstr("from BORN: '19570230'"));

  adapters::Record no_key;
  no_key.add("ID", adapters::Null{});
  outcome = mapper.map(no_key);
  EXPECT_EQ(outcome.field, "ID");
  EXPECT_EQ(outcome.error, "the key field is empty");
}

TEST_F(CanonicalRecord, TheSampleEbcdicFileIsIndexedBySubject) {
  SourceConfig source = copybook_source(kData + "etat-civil-naissances.cpy", adapters::ErrorPolicy::reject_file);
  source.key = "NO-SUJET";
  RecordMapper mapper("NO-SUJET", {map_field("surname", "NOM-FAMILLE"), map_field("given_names", "PRENOMS"),
                                   map_date("birth_date", "DATE-NAISSANCE", "%Y%m%d"), map_field("birth_place", "LIEU-NAISSANCE")});
  auto codec = open_file_codec(source, mapper.source_fields());
  const IndexBuild build = build_index(*codec, mapper, file_text(kData + "etat-civil-naissances.dat"), "etat-civil-naissances.dat");
  ASSERT_TRUE(build.index) << build.file_reason;
  EXPECT_EQ(build.counts, (adapters::DecodeCounts{6, 6, 0}));
  const json::object* marie = build.index->find("QC-1957-0042");
  ASSERT_NE(marie, nullptr);
  EXPECT_EQ(json::serialize(*marie),
            R"({"surname":"Tremblay","given_names":"Marie Thérèse","birth_date":"1957-03-14","birth_place":"Chicoutimi"})");
  EXPECT_EQ(build.index->find("QC-1984-0229")->at("birth_date"), "1984-02-29");
  EXPECT_EQ(build.index->find("QC-0000-0000"), nullptr);
  EXPECT_EQ(json::serialize(project(*marie, {"birth_date", "parents_names", "surname"})),
            R"({"birth_date":"1957-03-14","surname":"Tremblay"})");
}

TEST_F(CanonicalRecord, CsvRecordsGoThroughTheSameLayer) {
  SourceConfig source;
  source.type = SourceType::csv;
  source.schema = kData + "services-quebec-adresses.schema.yaml";
  source.key = "no_sujet";
  RecordMapper mapper("no_sujet", {map_field("street_address", "adresse"), map_field("effective_date", "date_effet")});
  auto codec = open_file_codec(source, mapper.source_fields());
  const IndexBuild build = build_index(*codec, mapper, file_text(kData + "services-quebec-adresses.csv"), "adresses.csv");
  ASSERT_TRUE(build.index) << build.file_reason;
  EXPECT_EQ(build.index->size(), 4u);
  EXPECT_EQ(json::serialize(*build.index->find("QC-1991-1105")),
            R"({"street_address":"\"Le Vieux-Moulin\"; 450, rue King Ouest","effective_date":"2026-06-30"})");
}

TEST_F(CanonicalRecord, XmlRecordsGoThroughTheSameLayer) {
  const auto schema = dir_.write("deces.xml.yaml",
      "soap: true\nrecord_path: /Envelope/Body/ReponseDeces/Deces\non_error: skip_record\n"
      "fields:\n  - {name: sujet, path: \"@sujet\", required: true}\n  - {name: nom, path: Nom}\n"
      "  - {name: date_deces, path: DateDeces, type: date}\n");
  SourceConfig source;
  source.type = SourceType::xml;
  source.schema = schema;
  source.key = "sujet";
  RecordMapper mapper("sujet", {map_field("surname", "nom"), map_field("death_date", "date_deces")});
  auto codec = open_file_codec(source, mapper.source_fields());
  EXPECT_EQ(codec->field_problem("date_deces"), std::nullopt);
  EXPECT_THAT(codec->field_problem("DateDeces").value_or(""), HasSubstr("not a field of the XML schema"))
      << "fields are named by the schema, not by the path";
  const std::string document =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><ReponseDeces>\n"
      "<Deces sujet=\"QC-1931-0815\"><Nom>Lapointe</Nom><DateDeces>2026-11-20</DateDeces></Deces>\n"
      "<Deces sujet=\"QC-1944-0302\"><Nom>Fortin</Nom><DateDeces>2026-13-01</DateDeces></Deces>\n"
      "<Deces sujet=\"QC-1950-0101\"><Nom>Roy</Nom><DateDeces>2026-11-21</DateDeces></Deces>\n"
      "</ReponseDeces></soap:Body></soap:Envelope>\n";
  const IndexBuild build = build_index(*codec, mapper, document, "deces.xml");
  ASSERT_TRUE(build.index) << build.file_reason;
  EXPECT_EQ(build.counts, (adapters::DecodeCounts{3, 2, 1}));
  EXPECT_EQ(json::serialize(*build.index->find("QC-1950-0101")), R"({"surname":"Roy","death_date":"2026-11-21"})");
  EXPECT_EQ(build.index->find("QC-1944-0302"), nullptr);
  ASSERT_EQ(build.reject_lines.size(), 1u);
  EXPECT_THAT(build.reject_lines[0], HasSubstr(R"("record":2)"));
}

TEST_F(CanonicalRecord, DuplicateSubjectsAndBadMappingsAreRejectedByPolicy) {
  const auto schema = dir_.write("s.yaml", "header: true\non_error: skip_record\ncolumns:\n  - {name: id}\n  - {name: born}\n");
  SourceConfig source;
  source.type = SourceType::csv;
  source.schema = schema;
  source.key = "id";
  RecordMapper mapper("id", {map_date("birth_date", "born", "%Y-%m-%d")});
  auto codec = open_file_codec(source, mapper.source_fields());
  const std::string data = "id,born\nA,2001-01-01\nB,2001-02-30\nA,2002-02-02\nC,2003-03-03\n";
  const IndexBuild skipped = build_index(*codec, mapper, data, "born.csv");
  ASSERT_TRUE(skipped.index);
  EXPECT_EQ(skipped.counts, (adapters::DecodeCounts{4, 2, 2}));
  EXPECT_EQ(skipped.index->find("A")->at("birth_date"), "2001-01-01") << "the first record of a subject wins";
  ASSERT_EQ(skipped.reject_lines.size(), 2u);
  EXPECT_THAT(skipped.reject_lines[0], HasSubstr(R"("record":2,"field":"birth_date")"));
  EXPECT_THAT(skipped.reject_lines[1], HasSubstr(R"("record":3,"field":"id","reason":"duplicate key)"));

  const auto strict = dir_.write("strict.yaml", "header: true\ncolumns:\n  - {name: id}\n  - {name: born}\n");
  source.schema = strict;
  auto strict_codec = open_file_codec(source, mapper.source_fields());
  const IndexBuild refused = build_index(*strict_codec, mapper, data, "born.csv");
  EXPECT_FALSE(refused.index);
  EXPECT_TRUE(refused.file_rejected);
  EXPECT_THAT(refused.file_reason, HasSubstr("born.csv: record 2, field 'birth_date'"));
  EXPECT_EQ(refused.counts, (adapters::DecodeCounts{4, 0, 4}));
}

TEST_F(CanonicalRecord, TheConnectorAnswersFromItsIndexesAndReloadsChangedFiles) {
  std::filesystem::copy_file(kData + "services-quebec-adresses.csv", dir_ / "adresses.csv");
  const auto config = dir_.write("adapter.yaml",
      "broker: {host: localhost}\ntls: {ca: ca.crt, cert: org.crt, key: org.key}\n"
      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
      "serve:\n"
      "  - category: identity.address\n"
      "    source: {type: csv, schema: " + kData + "services-quebec-adresses.schema.yaml, data: adresses.csv, key: no_sujet}\n"
      "    fields: [{name: city, from: ville}, {name: postal_code, from: code_postal}]\n"
      "  - category: health.insurance_coverage\n"
      "    source: {type: sql, schema: " + kData + "ramq-couverture.sql.yaml}\n"
      "    fields: [{name: coverage_status, from: statut}, {name: coverage_end, from: fin}]\n");
  Connector connector(load_connector_config(config), nullptr);
  ProviderRequest request;
  request.category = "identity.address";
  request.subject = "QC-1962-0007";
  request.fields = {"postal_code", "city"};
  auto answer = connector.answer(request);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(json::serialize(*answer), R"({"postal_code":"G1R 2S6","city":"Québec"})");
  request.subject = "QC-2003-0618";
  auto absent = connector.answer(request);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().reason, Reason::record_not_found);

  request.category = "health.insurance_coverage";
  request.fields = {"coverage_status", "coverage_end"};
  auto coverage = connector.answer(request);
  ASSERT_TRUE(coverage) << coverage.error().message;
  EXPECT_EQ(json::serialize(*coverage), R"({"coverage_status":"EXPIRE","coverage_end":"2025-12-31"})");
  request.subject = "QC-1957-0042";
  EXPECT_EQ(json::serialize(*connector.answer(request)), R"({"coverage_status":"ADMISSIBLE","coverage_end":null})");
  request.subject = "QC-9999-9999";
  EXPECT_EQ(connector.answer(request).error().reason, Reason::record_not_found);

  // A new version of the file is picked up; a broken one is refused and the old index kept.
  EXPECT_EQ(connector.reload_changed(), 0u);
  std::ofstream(dir_ / "adresses.csv", std::ios::app) << "QC-2003-0618;1, rue Principale;Gaspé;QC;G4X 1A1;01/11/2026\r\n";
  EXPECT_EQ(connector.reload_changed(), 1u);
  request.category = "identity.address";
  request.subject = "QC-2003-0618";
  request.fields = {"city"};
  auto added = connector.answer(request);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->at("city"), "Gaspé");
  std::ofstream(dir_ / "adresses.csv", std::ios::trunc) << "not;the;right;header\r\n";
  EXPECT_EQ(connector.reload_changed(), 0u);
  EXPECT_TRUE(connector.answer(request)) << "the previous index still serves";
}

// The same table served through ODBC (the SQLite ODBC driver, under unixODBC): the connector
// maps and answers as for the embedded SQLite source.
TEST_F(CanonicalRecord, TheConnectorServesADatabaseThroughOdbc) {
  dir_.write("couverture.odbc.yaml",
             "connection: \"Driver=/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so;Database=" + kData +
                 "ramq-couverture.db\"\n"
                 "query: SELECT statut, debut, fin FROM couverture WHERE no_sujet = ?\n"
                 "connections: 2\n"
                 "fields: [{name: statut, required: true}, {name: debut, type: date}, {name: fin, type: date}]\n");
  const auto config = dir_.write("adapter.yaml",
      "broker: {host: localhost}\ntls: {ca: ca.crt, cert: org.crt, key: org.key}\n"
      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
      "serve:\n"
      "  - category: health.insurance_coverage\n"
      "    source: {type: odbc, schema: couverture.odbc.yaml}\n"
      "    fields: [{name: coverage_status, from: statut}, {name: coverage_end, from: fin}]\n");
  Connector connector(load_connector_config(config), nullptr);
  ProviderRequest request;
  request.category = "health.insurance_coverage";
  request.subject = "QC-1957-0042";
  request.fields = {"coverage_status", "coverage_end"};
  auto coverage = connector.answer(request);
  ASSERT_TRUE(coverage) << coverage.error().message;
  EXPECT_EQ(json::serialize(*coverage), R"({"coverage_status":"ADMISSIBLE","coverage_end":null})");
  request.subject = "QC-9999-9999";
  EXPECT_EQ(connector.answer(request).error().reason, Reason::record_not_found);

  // A mapping from a column the ODBC source does not declare is refused at its line.
  const auto wrong = dir_.write("wrong.yaml",
      "broker: {host: localhost}\ntls: {ca: ca.crt, cert: org.crt, key: org.key}\n"
      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
      "serve:\n"
      "  - category: health.insurance_coverage\n"
      "    source: {type: odbc, schema: couverture.odbc.yaml}\n"
      "    fields: [{name: coverage_status, from: nam}]\n");
  try {
    Connector refused(load_connector_config(wrong), nullptr);
    FAIL() << "accepted";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("wrong.yaml:7: 'nam' is not a field of the ODBC source"));
  }
}

}  // namespace
}  // namespace pse::connector
