// Retraite Québec's benefit payments as a GnuCOBOL program writes them: ASCII records of
// variable length (RDW) whose survivors' table is OCCURS DEPENDING ON, and the connector
// mapping that serves them as the list field `survivors`. Shared by the connector's tests.
#pragma once

#include "support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace pse::connector::testing {

constexpr std::string_view kCopybook =
    "       01 PRESTATION.\n"
    "          05 NO-SUJET      PIC X(12).\n"
    "          05 TYPE-PREST    PIC X(8).\n"
    "          05 MONTANT       PIC S9(5)V99 COMP-3.\n"
    "          05 NB-SURV       PIC 9(2).\n"
    "          05 SURVIVANT OCCURS 0 TO 4 TIMES DEPENDING ON NB-SURV.\n"
    "             10 SURV-PRENOM    PIC X(15).\n"
    "             10 SURV-LIEN      PIC X(8).\n"
    "             10 SURV-NAISSANCE PIC 9(8).\n"
    "             10 SURV-MOIS      PIC 9(2) OCCURS 3.\n";

// Three citizens: two survivors, none, one. Each record is as long as its occurrences. The
// programs COPY the very copybook the connector reads.
constexpr std::string_view kProgram =
    "       IDENTIFICATION DIVISION.\n"
    "       PROGRAM-ID. PRESTAT.\n"
    "       ENVIRONMENT DIVISION.\n"
    "       INPUT-OUTPUT SECTION.\n"
    "       FILE-CONTROL.\n"
    "           SELECT OUT-FILE ASSIGN TO \"prestations.dat\"\n"
    "               ORGANIZATION IS SEQUENTIAL.\n"
    "       DATA DIVISION.\n"
    "       FILE SECTION.\n"
    "       FD OUT-FILE\n"
    "           RECORD IS VARYING IN SIZE FROM 26 TO 174 CHARACTERS\n"
    "           DEPENDING ON REC-LEN.\n"
    "       COPY \"prestations.cpy\".\n"
    "       WORKING-STORAGE SECTION.\n"
    "       01 REC-LEN PIC 9(4) COMP.\n"
    "       PROCEDURE DIVISION.\n"
    "           OPEN OUTPUT OUT-FILE\n"
    "           MOVE \"QC-1958-0311\" TO NO-SUJET\n"
    "           MOVE \"SURVIE\" TO TYPE-PREST\n"
    "           MOVE 812.40 TO MONTANT\n"
    "           MOVE 2 TO NB-SURV\n"
    "           MOVE \"LEA\" TO SURV-PRENOM(1)\n"
    "           MOVE \"CONJOINT\" TO SURV-LIEN(1)\n"
    "           MOVE 19610713 TO SURV-NAISSANCE(1)\n"
    "           MOVE ZEROS TO SURV-MOIS(1, 1) SURV-MOIS(1, 2) SURV-MOIS(1, 3)\n"
    "           MOVE \"JULES\" TO SURV-PRENOM(2)\n"
    "           MOVE \"ENFANT\" TO SURV-LIEN(2)\n"
    "           MOVE 20090302 TO SURV-NAISSANCE(2)\n"
    "           MOVE ZEROS TO SURV-MOIS(2, 1) SURV-MOIS(2, 2) SURV-MOIS(2, 3)\n"
    "           COMPUTE REC-LEN = 26 + 37 * NB-SURV\n"
    "           WRITE PRESTATION\n"
    "           MOVE \"QC-1960-0101\" TO NO-SUJET\n"
    "           MOVE \"RETRAITE\" TO TYPE-PREST\n"
    "           MOVE 1500 TO MONTANT\n"
    "           MOVE 0 TO NB-SURV\n"
    "           COMPUTE REC-LEN = 26 + 37 * NB-SURV\n"
    "           WRITE PRESTATION\n"
    "           MOVE \"QC-1949-0505\" TO NO-SUJET\n"
    "           MOVE \"SURVIE\" TO TYPE-PREST\n"
    "           MOVE -300.25 TO MONTANT\n"
    "           MOVE 1 TO NB-SURV\n"
    "           MOVE \"MARIE-EVE\" TO SURV-PRENOM(1)\n"
    "           MOVE \"CONJOINT\" TO SURV-LIEN(1)\n"
    "           MOVE 19500101 TO SURV-NAISSANCE(1)\n"
    "           MOVE ZEROS TO SURV-MOIS(1, 1) SURV-MOIS(1, 2) SURV-MOIS(1, 3)\n"
    "           COMPUTE REC-LEN = 26 + 37 * NB-SURV\n"
    "           WRITE PRESTATION\n"
    "           CLOSE OUT-FILE\n"
    "           STOP RUN.\n";

constexpr std::string_view kFields =
    "      - {name: benefit_type, from: TYPE-PREST}\n"
    "      - {name: monthly_amount, from: MONTANT}\n"
    "      - name: survivors\n"
    "        from: SURVIVANT\n"
    "        items:\n"
    "          - {name: given_names, from: SURV-PRENOM}\n"
    "          - {name: relationship, from: SURV-LIEN}\n"
    "          - {name: birth_date, from: SURV-NAISSANCE, type: date, format: \"%Y%m%d\"}\n";


/// Writes the copybook and compiles and runs the program in `dir`: prestations.dat appears
/// there. The compiler's and the program's output when it fails, empty otherwise.
inline std::string write_benefits_file(const pse::testing::TempDir& dir) {
  dir.write("prestations.cpy", kCopybook);
  dir.write("prestat.cob", kProgram);
  const std::string command = "cd '" + dir.path().string() +
                              "' && cobc -x -std=ibm -o prestat prestat.cob > cobc.log 2>&1 && ./prestat >> cobc.log 2>&1";
  if (std::system(command.c_str()) == 0) return {};
  std::ifstream log(dir / "cobc.log");
  std::ostringstream text;
  text << log.rdbuf();
  return "cobc or the program failed: " + text.str();
}

/// The `serve:` entry of pension.benefit_payments from prestations.dat, with `fields`.
inline std::string benefits_serve_entry(std::string_view fields = kFields) {
  return "serve:\n"
         "  - category: pension.benefit_payments\n"
         "    source: {type: copybook, copybook: prestations.cpy, data: prestations.dat, code_page: ascii,\n"
         "             key: NO-SUJET, framing: {format: variable, rdw_counts_itself: false}}\n"
         "    fields:\n" +
         std::string(fields);
}

}  // namespace pse::connector::testing
