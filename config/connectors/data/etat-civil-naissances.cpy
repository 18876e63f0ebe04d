      * Acte de naissance - extrait du registre de l'etat civil (fictif).
      * Fichier EBCDIC (cp037), enregistrements fixes de 180 octets.
       01  ACTE-NAISSANCE.
           05  NO-SUJET            PIC X(12).
           05  NO-ACTE             PIC S9(9)      COMP-3.
           05  NOM-FAMILLE         PIC X(30).
           05  PRENOMS             PIC X(40).
           05  SEXE                PIC X.
           05  DATE-NAISSANCE      PIC 9(8)       COMP-3.
           05  LIEU-NAISSANCE      PIC X(30).
           05  NOMS-PARENTS        PIC X(50).
           05  FILLER              PIC X(7).
