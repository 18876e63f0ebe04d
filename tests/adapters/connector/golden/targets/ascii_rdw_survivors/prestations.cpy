       01 PRESTATION.
          05 NO-SUJET      PIC X(12).
          05 MONTANT       PIC S9(5)V99 COMP-3.
          05 NB-SURV       PIC 9(2).
          05 SURVIVANT OCCURS 0 TO 4 TIMES DEPENDING ON NB-SURV.
             10 SURV-PRENOM    PIC X(10).
             10 SURV-NAISSANCE PIC 9(8).
