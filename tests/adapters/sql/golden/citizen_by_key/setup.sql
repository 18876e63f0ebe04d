-- A civil-registry table, as a legacy system would keep it (amounts as TEXT, flags as INTEGER).
CREATE TABLE citoyen (
  nas TEXT PRIMARY KEY,
  nom TEXT NOT NULL,
  prenom TEXT,
  solde TEXT,
  enfants INTEGER,
  naissance TEXT,
  actif INTEGER
);
INSERT INTO citoyen VALUES ('123456782', 'Tremblay', 'Marie', '1234.5', 2, '1984-02-29', 1);
INSERT INTO citoyen VALUES ('987654321', 'Côté', NULL, '-0.05', 0, '2001-12-31', 0);
INSERT INTO citoyen VALUES ('111222333', 'Roy', NULL, NULL, NULL, NULL, NULL);
