CREATE TABLE adresse (nas VARCHAR(9) NOT NULL, ville VARCHAR(80) NOT NULL, depuis DATE NOT NULL, code_postal VARCHAR(7));
CREATE INDEX adresse_nas ON adresse (nas);
INSERT INTO adresse VALUES ('123456782', 'Québec', '2001-07-01', 'G1R 4S9');
INSERT INTO adresse VALUES ('123456782', 'Lévis', '2015-03-15', 'G6V 1A1');
INSERT INTO adresse VALUES ('987654321', 'Montréal', '1999-01-01', NULL);
