      * Deaths as Retraite Québec's batch job reads them: EBCDIC cp037, fixed 52-byte records.
       01  DECES-RECU.
           05  NO-SUJET            PIC X(12).
           05  NOM-FAMILLE         PIC X(20).
           05  DATE-DECES          PIC 9(8)       COMP-3.
           05  DATE-NAISSANCE      PIC 9(8).
           05  MONTANT-FINAL       PIC S9(5)V99   COMP-3.
           05  FILLER              PIC X(3).
