      * Acte de deces - extrait quotidien depose par le registre (fictif).
      * Fichier EBCDIC (cp037), enregistrements fixes de 100 octets.
       01  ACTE-DECES.
           05  NO-SUJET            PIC X(12).
           05  NOM-FAMILLE         PIC X(30).
           05  PRENOMS             PIC X(40).
           05  DATE-NAISSANCE      PIC 9(8)       COMP-3.
           05  DATE-DECES          PIC 9(8)       COMP-3.
           05  FILLER              PIC X(8).
