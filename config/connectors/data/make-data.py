#!/usr/bin/env python3
"""Writes the sample data files of config/connectors/ (fictitious citizens).

Run from anywhere: python3 config/connectors/data/make-data.py
The outputs are committed; rerun only to change them.
"""
import os
import sqlite3

here = os.path.dirname(os.path.abspath(__file__))


def text(value, size, code_page="cp037"):
    encoded = value.encode(code_page)
    assert len(encoded) <= size, value
    return encoded + " ".encode(code_page) * (size - len(encoded))


def packed(value, digits, signed):
    """COMP-3: two digits per byte, sign nibble last (C +, D -, F unsigned)."""
    size = digits // 2 + 1
    nibbles = str(abs(value)).rjust(size * 2 - 1, "0")
    assert len(nibbles) == size * 2 - 1, value
    sign = "F" if not signed else ("D" if value < 0 else "C")
    return bytes.fromhex(nibbles + sign)


# The subjects of scripts/demo and sdk/examples come first.
births = [
    ("QC-1957-0042", 195700042, "Tremblay", "Marie Thérèse", "F", 19570314, "Chicoutimi", "Gagnon, Jeanne; Tremblay, Émile"),
    ("QC-1962-0007", 196200007, "Gagnon", "Louis", "M", 19621102, "Québec", "Roy, Cécile; Gagnon, Armand"),
    ("QC-1984-0229", 198400229, "Côté", "Éloïse", "F", 19840229, "Trois-Rivières", "Bélanger, Josée; Côté, François"),
    ("QC-1991-1105", 199101105, "Bouchard", "Jean-François", "M", 19911105, "Sherbrooke", "Lévesque, Anne; Bouchard, Luc"),
    ("QC-2003-0618", 200300618, "Nguyen-Lavoie", "Amélie", "X", 20030618, "Montréal", "Nguyen, Thi Lan; Lavoie, Marc"),
    ("QC-2024-0101", 202400101, "Ouellet", "Noé", "M", 20240101, "Rimouski", "Ouellet, Sarah; Pelletier, Dave"),
]
with open(os.path.join(here, "etat-civil-naissances.dat"), "wb") as out:
    for subject, act, surname, given, sex, born, place, parents in births:
        record = (text(subject, 12) + packed(act, 9, True) + text(surname, 30) + text(given, 40) + text(sex, 1)
                  + packed(born, 8, False) + text(place, 30) + text(parents, 50) + text("", 7))
        assert len(record) == 180, len(record)
        out.write(record)

deaths = [
    ("QC-1931-0815", "Lapointe", "Germaine", 19310815, 20261120),
    ("QC-1944-0302", "Fortin", "Roméo", 19440302, 20261121),
]
with open(os.path.join(here, "etat-civil-deces-20261122.dat"), "wb") as out:
    for subject, surname, given, born, died in deaths:
        record = text(subject, 12) + text(surname, 30) + text(given, 40) + packed(born, 8, False) + packed(died, 8, False) + text("", 8)
        assert len(record) == 100, len(record)
        out.write(record)

# Services Québec's address-change export: the French-locale CSV (';', day-first dates), UTF-8 with a BOM, CRLF.
addresses = [
    ("QC-1957-0042", "1234, rue des Érables, app. 3", "Saguenay", "QC", "G7H 2B4", "01/09/2026"),
    ("QC-1962-0007", "88, avenue Cartier", "Québec", "QC", "G1R 2S6", "15/03/2025"),
    ("QC-1984-0229", "7, chemin du Lac-Noir", "Trois-Rivières", "QC", "G9A 5H1", "29/02/2024"),
    ("QC-1991-1105", "\"Le Vieux-Moulin\"; 450, rue King Ouest", "Sherbrooke", "QC", "J1H 1R4", "30/06/2026"),
]
with open(os.path.join(here, "services-quebec-adresses.csv"), "w", encoding="utf-8-sig", newline="") as out:
    out.write("no_sujet;adresse;ville;province;code_postal;date_effet\r\n")
    for row in addresses:
        cells = ['"' + c.replace('"', '""') + '"' if (';' in c or '"' in c) else c for c in row]
        out.write(";".join(cells) + "\r\n")

# RAMQ's coverage table (SQLite).
database = os.path.join(here, "ramq-couverture.db")
if os.path.exists(database):
    os.remove(database)
with sqlite3.connect(database) as db:
    with open(os.path.join(here, "ramq-couverture.sql"), encoding="utf-8") as script:
        db.executescript(script.read())
