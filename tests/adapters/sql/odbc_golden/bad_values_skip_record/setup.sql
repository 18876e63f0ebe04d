-- Amounts and dates kept as text by an old system: some do not parse.
CREATE TABLE paiement (nas VARCHAR(9) NOT NULL, rang INTEGER NOT NULL, montant VARCHAR(20), date_paiement VARCHAR(10));
INSERT INTO paiement VALUES ('1', 1, '100.00', '2024-01-15');
INSERT INTO paiement VALUES ('1', 2, '12,50', '2024-03-15');
INSERT INTO paiement VALUES ('1', 3, '7', '2024-02-30');
INSERT INTO paiement VALUES ('1', 4, NULL, '2024-04-15');
INSERT INTO paiement VALUES ('1', 5, '8.25', '2024-05-15');
