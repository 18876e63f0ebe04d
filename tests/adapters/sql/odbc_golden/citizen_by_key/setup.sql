-- A civil-registry table as a live system keeps it, in SQL both drivers' databases take
-- (amounts as text: SQLite would keep a NUMERIC as floating point, which a decimal field refuses).
CREATE TABLE citoyen (
  nas VARCHAR(9) PRIMARY KEY,
  nom VARCHAR(80) NOT NULL,
  prenom VARCHAR(80),
  solde VARCHAR(15),
  enfants INTEGER,
  naissance DATE,
  actif INTEGER
);
INSERT INTO citoyen VALUES ('123456782', 'Tremblay', 'Marie', '1234.5', 2, '1984-02-29', 1);
INSERT INTO citoyen VALUES ('987654321', 'Côté', NULL, '-0.05', 0, '2001-12-31', 0);
INSERT INTO citoyen VALUES ('111222333', 'Roy', NULL, NULL, NULL, NULL, NULL);
