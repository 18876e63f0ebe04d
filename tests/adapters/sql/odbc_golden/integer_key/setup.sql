-- An integer key, and day-first dates kept as text.
CREATE TABLE dossier (numero INTEGER PRIMARY KEY, ouvert VARCHAR(10), montant INTEGER);
INSERT INTO dossier VALUES (42, '01/07/1867', 150000);
INSERT INTO dossier VALUES (43, '31/12/1999', -5);
