"""Where a place lies: the names that, written next to a place, say where it is — and the names that make it a person.

Reference lists read once from ``veille/data`` (provenance in ``veille/data/PROVENANCE.md``):
- the 101 French départements (name and number) and the 18 régions (COG 2026);
- common foreign countries and regions (« Québec », « Belgique », « Suisse »...);
- the names of every French commune written in several words (COG 2026), to recognise a longer place name that
  begins like a commune of the region (« Saint-Nazaire-les-Eymes », « Candé-sur-Beuvron »);
- common French first names (« Pierre Laval » is a person).

Names are compared as token tuples folded like the gazetteer's (no accents, lower case, « St » read « Saint »).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .text import TOKEN_RE, fold

DATA = Path(__file__).with_name("data")
REGION_CODE = "52"  # Pays de la Loire
TOKEN_ALIASES = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}

# Usual names of régions besides the official ones (former régions, abbreviations).
REGION_ALIASES = {
    "PACA": "93",
    "Provence": "93",
    "Côte d'Azur": "93",
    "Centre": "24",
    "Val de Loire": "24",
    "Alsace": "44",
    "Lorraine": "44",
    "Champagne-Ardenne": "44",
    "Picardie": "32",
    "Nord-Pas-de-Calais": "32",
    "Aquitaine": "75",
    "Limousin": "75",
    "Poitou-Charentes": "75",
    "Languedoc-Roussillon": "76",
    "Languedoc": "76",
    "Midi-Pyrénées": "76",
    "Auvergne": "84",
    "Rhône-Alpes": "84",
    "Bourgogne": "27",
    "Franche-Comté": "27",
    "Basse-Normandie": "28",
    "Haute-Normandie": "28",
    "Réunion": "04",
    "Pays-de-la-Loire": REGION_CODE,
    "Pays de Loire": REGION_CODE,
}


def normalise_tokens(text: str) -> list[str]:
    return [TOKEN_ALIASES.get(token, token) for token in (fold(t) for t in TOKEN_RE.findall(text or ""))]


def name_key(text: str) -> tuple[str, ...]:
    return tuple(normalise_tokens(text))


@dataclass(frozen=True)
class Location:
    """A département, a région or a foreign country or region, named in a text."""

    kind: str  # departement, region, country
    code: str  # COG code (empty for a country)
    label: str
    departement_in_region: bool = False  # a département of the region (it decides between homonyms)

    @property
    def in_region(self) -> bool:
        return self.departement_in_region or (self.kind == "region" and self.code == REGION_CODE)


def _read_lines(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _read_csv(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@cache
def locations() -> dict[tuple[str, ...], Location]:
    """Every département, région and foreign name, by folded token tuple."""
    found: dict[tuple[str, ...], Location] = {}
    for row in _read_lines("pays-et-regions-etrangeres.txt"):
        found[name_key(row)] = Location("country", "", row)
    regions = {row["code"]: row["nom"] for row in _read_csv("regions.csv")}
    for code, label in regions.items():
        found[name_key(label)] = Location("region", code, label)
    for alias, code in REGION_ALIASES.items():
        found.setdefault(name_key(alias), Location("region", code, regions[code]))
    # Départements last: « Loire » or « Corse » named alone are read as the département.
    for row in _read_csv("departements.csv"):
        found[name_key(row["nom"])] = Location(
            "departement", row["code"], row["nom"], departement_in_region=row["region"] == REGION_CODE
        )
    return found


@cache
def departements_by_code() -> dict[str, Location]:
    return {loc.code: loc for loc in locations().values() if loc.kind == "departement"}


@cache
def location_lengths() -> dict[str, list[int]]:
    lengths: dict[str, set[int]] = {}
    for key in locations():
        lengths.setdefault(key[0], set()).add(len(key))
    return {first: sorted(values, reverse=True) for first, values in lengths.items()}


CODE_RE = re.compile(r"^(?:(\d{2}|2[AB]|97[1-6])|(\d{5}))$", re.IGNORECASE)


def location_from_code(text: str) -> Location | None:
    """« 44 », « 2A », « 974 », or a postal code « 53000 »."""
    match = CODE_RE.match(text.strip())
    if not match:
        return None
    if match.group(1):
        return departements_by_code().get(match.group(1).upper())
    postal = match.group(2)
    return departements_by_code().get(postal[:3] if postal.startswith("97") else postal[:2])


def location_at(tokens: list[str], start: int) -> tuple[Location, int] | None:
    """The longest département, région or foreign name starting at ``tokens[start]``: (location, its length)."""
    if start >= len(tokens):
        return None
    table = locations()
    for length in location_lengths().get(tokens[start], ()):
        key = tuple(tokens[start : start + length])
        if len(key) == length and key in table:
            return table[key], length
    return None


def location_ending_at(tokens: list[str], end: int) -> tuple[Location, int] | None:
    """The longest département, région or foreign name whose last token is ``tokens[end - 1]``."""
    table = locations()
    for length in range(min(6, end), 0, -1):
        key = tuple(tokens[end - length : end])
        if key in table:
            return table[key], length
    return None


@cache
def compound_commune_names() -> frozenset[tuple[str, ...]]:
    """Every French commune written in several words (COG 2026), as folded token tuples."""
    return frozenset(name_key(name) for name in _read_lines("communes-noms-composes.txt"))


@cache
def first_names() -> frozenset[str]:
    """Common French first names, folded (« Jean-Pierre » gives « jean » and « pierre »)."""
    names = set()
    for line in _read_lines("prenoms.txt"):
        names.update(normalise_tokens(line))
    return frozenset(names)
