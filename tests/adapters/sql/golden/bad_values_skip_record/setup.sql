CREATE TABLE paiement (nas TEXT NOT NULL, montant, date_paiement TEXT);
CREATE INDEX paiement_nas ON paiement (nas);
INSERT INTO paiement VALUES ('1', '100.00', '2024-01-15');
INSERT INTO paiement VALUES ('1', 0.1, '2024-02-15');
INSERT INTO paiement VALUES ('1', '12,50', '2024-03-15');
INSERT INTO paiement VALUES ('1', X'00FF', '2024-04-15');
INSERT INTO paiement VALUES ('1', '7', '2024-02-30');
INSERT INTO paiement VALUES ('1', '8.25', '2024-05-15');
