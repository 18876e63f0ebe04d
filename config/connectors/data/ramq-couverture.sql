-- RAMQ's coverage table, for the SQLite connector example (fictitious citizens).
CREATE TABLE couverture (
  no_sujet TEXT PRIMARY KEY,
  statut TEXT NOT NULL,          -- ADMISSIBLE, SUSPENDU, EXPIRE
  debut TEXT NOT NULL,           -- ISO 8601 date
  fin TEXT,                      -- NULL while open
  nam TEXT NOT NULL              -- numéro d'assurance maladie (fictitious)
);
INSERT INTO couverture VALUES
  ('QC-1957-0042', 'ADMISSIBLE', '1957-03-14', NULL, 'TREM57531418'),
  ('QC-1962-0007', 'ADMISSIBLE', '1962-11-02', NULL, 'GAGL62110219'),
  ('QC-1984-0229', 'SUSPENDU', '1984-02-29', '2026-10-31', 'COTE84522917'),
  ('QC-2003-0618', 'EXPIRE', '2003-06-18', '2025-12-31', 'NGUA03561814');
