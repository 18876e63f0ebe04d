// Repeating groups (COBOL OCCURS) served as list fields: a GnuCOBOL program writes a variable
// file whose survivors' table is OCCURS DEPENDING ON; the connector maps the table to the
// classification's list field `survivors` and answers each citizen's occurrences, each item
// kept to the sub-fields asked for. Mapping mistakes are refused at their line.
#include "adapters/connector/canonical_source.hpp"
#include "adapters/connector/connector.hpp"
#include "adapters/connector/connector_config.hpp"
#include "adapters/connector/delivery_target.hpp"
#include "base/config_error.hpp"
#include "cobol_benefits.hpp"
#include "support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pse::connector {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

std::string adapter(std::string_view fields) {
  return "broker: {host: localhost}\ntls: {ca: ca.crt, cert: org.crt, key: org.key}\n"
         "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n" +
         testing::benefits_serve_entry(fields);
}

using testing::kFields;

class RepeatingGroup : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(testing::write_benefits_file(dir_), ""); }

  std::string answer(Connector& connector, const std::string& subject, std::vector<std::string> fields) {
    ProviderRequest request;
    request.category = "pension.benefit_payments";
    request.subject = subject;
    request.fields = std::move(fields);
    auto answered = connector.answer(request);
    return answered ? json::serialize(*answered) : "error: " + answered.error().message;
  }

  std::string refusal(std::string_view fields) {
    try {
      Connector connector(load_connector_config(dir_.write("wrong.yaml", adapter(fields))), nullptr);
      return "accepted";
    } catch (const ConfigError& error) {
      return error.what();
    }
  }

  pse::testing::TempDir dir_;
};

TEST_F(RepeatingGroup, EachOccurrenceBecomesAnItemOfTheList) {
  Connector connector(load_connector_config(dir_.write("adapter.yaml", adapter(kFields))), nullptr);
  const std::vector<std::string> all = {"benefit_type", "monthly_amount", "survivors.given_names",
                                        "survivors.relationship", "survivors.birth_date"};
  EXPECT_EQ(answer(connector, "QC-1958-0311", all),
            R"({"benefit_type":"SURVIE","monthly_amount":"812.40","survivors":[)"
            R"({"given_names":"LEA","relationship":"CONJOINT","birth_date":"1961-07-13"},)"
            R"({"given_names":"JULES","relationship":"ENFANT","birth_date":"2009-03-02"}]})");
  EXPECT_EQ(answer(connector, "QC-1960-0101", all),
            R"({"benefit_type":"RETRAITE","monthly_amount":"1500.00","survivors":[]})");
  // Kept to the sub-fields asked for, as the broker asks for the permitted ones.
  EXPECT_EQ(answer(connector, "QC-1949-0505", {"survivors.given_names", "monthly_amount"}),
            R"({"survivors":[{"given_names":"MARIE-EVE"}],"monthly_amount":"-300.25"})");
}

TEST_F(RepeatingGroup, MappingMistakesAreRefusedAtTheirLine) {
  EXPECT_THAT(refusal("      - {name: survivors, from: SURVIVANT}\n"),
              HasSubstr("wrong.yaml:9: 'survivors' is not a field of category pension.benefit_payments in the "
                        "classification (a list field: map it with items)"));
  EXPECT_THAT(refusal("      - {name: benefit_type, from: SURV-PRENOM}\n"),
              HasSubstr("wrong.yaml:9: 'SURV-PRENOM' repeats (inside an OCCURS table): map the table as a list field"));
  EXPECT_THAT(refusal("      - name: survivors\n        from: SURVIVANT\n        items:\n"
                      "          - {name: given_names, from: TYPE-PREST}\n"),
              HasSubstr("wrong.yaml:12: 'TYPE-PREST' is not an item of the repeating group 'SURVIVANT'"));
  EXPECT_THAT(refusal("      - name: survivors\n        from: SURVIVANT\n        items:\n"
                      "          - {name: given_names, from: SURV-MOIS}\n"),
              HasSubstr("'SURV-MOIS' repeats within each occurrence (a nested OCCURS): lists do not nest"));
  EXPECT_THAT(refusal("      - name: survivors\n        from: TYPE-PREST\n        items:\n"
                      "          - {name: given_names, from: SURV-PRENOM}\n"),
              HasSubstr("'TYPE-PREST' is not a repeating group (OCCURS) outside any other"));
  EXPECT_THAT(refusal("      - name: survivors\n        from: SURVIVANT\n        items:\n"
                      "          - {name: shoe_size, from: SURV-LIEN}\n"),
              HasSubstr("'survivors.shoe_size' is not a field of category pension.benefit_payments"));
  EXPECT_THAT(refusal("      - name: benefit_type\n        from: SURVIVANT\n        items:\n"
                      "          - {name: given_names, from: SURV-PRENOM}\n"),
              HasSubstr("'benefit_type' is not a list field of category pension.benefit_payments"));
}

// The other way: what the connector served, delivered to a subscriber whose connector writes it
// in the same layout (RDW records, as GnuCOBOL writes them), read back by a COBOL program.
constexpr std::string_view kReader =
    "       IDENTIFICATION DIVISION.\n"
    "       PROGRAM-ID. LECTEUR.\n"
    "       ENVIRONMENT DIVISION.\n"
    "       INPUT-OUTPUT SECTION.\n"
    "       FILE-CONTROL.\n"
    "           SELECT IN-FILE ASSIGN TO \"recus.dat\"\n"
    "               ORGANIZATION IS SEQUENTIAL.\n"
    "       DATA DIVISION.\n"
    "       FILE SECTION.\n"
    "       FD IN-FILE\n"
    "           RECORD IS VARYING IN SIZE FROM 26 TO 174 CHARACTERS\n"
    "           DEPENDING ON REC-LEN.\n"
    "       COPY \"prestations.cpy\".\n"
    "       WORKING-STORAGE SECTION.\n"
    "       01 REC-LEN    PIC 9(4) COMP.\n"
    "       01 FIN        PIC X VALUE \"N\".\n"
    "       01 I          PIC 9(2).\n"
    "       01 MONTANT-ED PIC -(5)9.99.\n"
    "       PROCEDURE DIVISION.\n"
    "           OPEN INPUT IN-FILE\n"
    "           PERFORM UNTIL FIN = \"O\"\n"
    "               READ IN-FILE\n"
    "                   AT END MOVE \"O\" TO FIN\n"
    "                   NOT AT END\n"
    "                       MOVE MONTANT TO MONTANT-ED\n"
    "                       DISPLAY NO-SUJET \"|\" TYPE-PREST \"|\"\n"
    "                               MONTANT-ED \"|\" NB-SURV\n"
    "                       PERFORM VARYING I FROM 1 BY 1 UNTIL I > NB-SURV\n"
    "                           DISPLAY \"  \" SURV-PRENOM(I) \"|\"\n"
    "                                   SURV-LIEN(I) \"|\" SURV-NAISSANCE(I)\n"
    "                       END-PERFORM\n"
    "               END-READ\n"
    "           END-PERFORM\n"
    "           CLOSE IN-FILE\n"
    "           STOP RUN.\n";

TEST_F(RepeatingGroup, ServedRecordsDeliveredIntoTheSameLayoutReadBackInCobol) {
  Connector connector(load_connector_config(dir_.write("adapter.yaml", adapter(kFields))), nullptr);
  DeliverConfig config;
  config.category = "pension.benefit_payments";
  config.purpose = "tax_assessment";
  config.copybook = dir_ / "prestations.cpy";
  config.copybook_options.code_page = legacy::CodePage::ascii;
  config.framing.format = legacy::RecordFormat::variable;
  config.framing.rdw_counts_itself = false;
  config.roll.folder = dir_ / "out";
  config.roll.prefix = "RECUS";
  config.roll.max_records = 3;
  config.key = "NO-SUJET";
  config.fields = {{"benefit_type", "TYPE-PREST", "", {}, 1},
                   {"monthly_amount", "MONTANT", "", {}, 2},
                   {"survivors", "SURVIVANT", "",
                    {{"given_names", "SURV-PRENOM", "", {}, 4}, {"relationship", "SURV-LIEN", "", {}, 5},
                     {"birth_date", "SURV-NAISSANCE", "%Y%m%d", {}, 6}}, 3}};
  config.file = dir_ / "adapter.yaml";
  DeliveryTarget target(config);
  int event = 0;
  for (const char* subject : {"QC-1958-0311", "QC-1960-0101", "QC-1949-0505"}) {
    Delivery delivery;
    delivery.event_id = "evt-" + std::to_string(++event);
    delivery.subject = subject;
    delivery.record = json::parse(answer(connector, subject, {"benefit_type", "monthly_amount", "survivors"})).as_object();
    ASSERT_TRUE(target.write(delivery)) << delivery.event_id;
  }
  std::vector<std::filesystem::path> rolled;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "out")) {
    if (entry.path().extension() == ".dat") rolled.push_back(entry.path());
  }
  ASSERT_EQ(rolled.size(), 1u);
  ASSERT_TRUE(std::filesystem::exists(rolled[0].string() + ".done"));
  // Byte for byte what the COBOL program wrote.
  EXPECT_EQ(read_file(rolled[0]), read_file(dir_ / "prestations.dat"));

  std::filesystem::copy_file(rolled[0], dir_ / "recus.dat");
  dir_.write("lecteur.cob", kReader);
  const std::string command = "cd '" + dir_.path().string() +
                              "' && cobc -x -std=ibm -o lecteur lecteur.cob > cobc.log 2>&1 && ./lecteur > lu.txt 2>> cobc.log";
  ASSERT_EQ(std::system(command.c_str()), 0) << read_file(dir_ / "cobc.log");
  EXPECT_EQ(read_file(dir_ / "lu.txt"),
            "QC-1958-0311|SURVIE  |   812.40|02\n"
            "  LEA            |CONJOINT|19610713\n"
            "  JULES          |ENFANT  |20090302\n"
            "QC-1960-0101|RETRAITE|  1500.00|00\n"
            "QC-1949-0505|SURVIE  |  -300.25|01\n"
            "  MARIE-EVE      |CONJOINT|19500101\n");
}

TEST(RepeatingGroupCodec, AnElementaryOccursGivesOneItemPerValue) {
  pse::testing::TempDir dir;
  SourceConfig source;
  source.type = SourceType::copybook;
  source.copybook = dir.write("mois.cpy", "       01 REC.\n          05 ID PIC X(2).\n          05 MOIS PIC 9(3) OCCURS 3.\n");
  source.copybook_options.code_page = legacy::CodePage::ascii;
  source.framing.record_length = 11;
  auto codec = open_file_codec(source, {"ID", "MOIS"});
  EXPECT_EQ(codec->field_problem("MOIS"), std::nullopt);
  EXPECT_EQ(codec->item_problem("MOIS", "MOIS"), std::nullopt);
  const FileBatch batch = codec->decode("A1001020300", "mois.dat");
  ASSERT_EQ(batch.records.size(), 1u) << batch.file_reason;
  EXPECT_EQ(adapters::to_json(batch.records[0]), R"({"ID":"A1","MOIS":[{"MOIS":1},{"MOIS":20},{"MOIS":300}]})");
}

}  // namespace
}  // namespace pse::connector
