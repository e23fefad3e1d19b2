"""Import of the official file « Territoires EFOP par communes » (commune code → territory)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from srefop_portal.common.tabular import RowError, TableReadError, cut, read_table

from .models import Commune, Departement, Territory

# The code of a territory EFOP: its département, then three letters (« 44-NAN », « 85-LIT »).
TERRITORY_CODE_RE = re.compile(r"^(?P<departement>\d{2})-[A-Z]{3}$")
MARKUP_RE = re.compile(r"[<>{}\[\]\\|`$=]")

COMMUNE_COLUMNS = ("code_commune", "code_insee", "insee_com", "codgeo", "code_com", "commune_code", "com")
TERRITORY_CODE_COLUMNS = ("code_territoire", "code_territoire_efop", "territoire_code", "code_efop", "id_territoire")
TERRITORY_NAME_COLUMNS = (
    "nom_territoire",
    "territoire",
    "libelle_territoire",
    "territoire_efop",
    "nom_territoire_efop",
)


@dataclass
class CompositionImportResult:
    assignments: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)
    territories: dict[str, str] = field(default_factory=dict)
    # Codes that are not existing territories: created only if the person confirms it (« territoire à créer »).
    new_territories: dict[str, str] = field(default_factory=dict)
    moves: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.assignments)


def _pick(headers: list[str], candidates) -> str | None:
    for name in candidates:
        if name in headers:
            return name
    return None


def _new_code_problem(code: str, name: str, departements: set[str], commune_departement: str) -> str:
    """Why a code that is not an existing territory cannot become one (empty when it can)."""
    match = TERRITORY_CODE_RE.match(code)
    if not match:
        return (
            f"« {cut(code, 30)} » n’est pas un territoire existant ni un code de territoire valide "
            "(le numéro du département, un tiret et trois lettres, comme « 44-NAN »)"
        )
    if match["departement"] not in departements:
        return f"« {code} » : le département {match['departement']} n’est pas dans la région"
    if match["departement"] != commune_departement:
        return (
            f"« {code} » : un nouveau territoire doit être dans le département de ses communes ({commune_departement})"
        )
    if not name:
        return f"« {code} » est un territoire à créer : indiquez son nom dans la colonne « nom_territoire »"
    return ""


def _name_problem(name: str) -> str:
    if name and (MARKUP_RE.search(name) or len(name) > 150):
        return f"nom de territoire « {cut(name, 30)} » refusé : 150 caractères au plus, sans balise ni formule"
    return ""


def validate_composition_file(data: bytes, filename: str) -> CompositionImportResult:
    """Validate everything, write nothing."""
    result = CompositionImportResult()
    try:
        table = read_table(data, filename, expected_columns=set(COMMUNE_COLUMNS) | set(TERRITORY_CODE_COLUMNS))
    except TableReadError as exc:
        result.errors.extend(exc.errors)
        return result
    result.encoding, result.delimiter = table.encoding, table.delimiter
    result.notes = table.notes
    commune_col = _pick(table.headers, COMMUNE_COLUMNS)
    code_col = _pick(table.headers, TERRITORY_CODE_COLUMNS)
    name_col = _pick(table.headers, TERRITORY_NAME_COLUMNS)
    if not commune_col:
        result.errors.append(
            RowError(table.header_line, "", "colonne du code commune introuvable (attendu : « code_commune »)")
        )
    if not code_col and not name_col:
        result.errors.append(
            RowError(table.header_line, "", "colonne du territoire introuvable (attendu : « code_territoire »)")
        )
    if result.errors:
        return result
    communes = dict(Commune.objects.values_list("code", "territory__code"))
    commune_departements = dict(Commune.objects.values_list("code", "departement__code"))
    existing = set(Territory.objects.values_list("code", flat=True))
    departements = set(Departement.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}
    for row in table.rows:
        code = row.get(commune_col).zfill(5) if row.get(commune_col).isdigit() else row.get(commune_col).upper()
        territory_code = row.get(code_col) if code_col else ""
        territory_name = row.get(name_col) if name_col else ""
        if not territory_code:
            territory_code = territory_name
        if not code:
            result.errors.append(RowError(row.line, commune_col, "code commune manquant"))
            continue
        if code not in communes:
            result.errors.append(RowError(row.line, commune_col, f"commune « {code} » inconnue dans la région"))
            continue
        if code in seen:
            result.errors.append(
                RowError(row.line, commune_col, f"commune « {code} » déjà présente ligne {seen[code]}")
            )
            continue
        if not territory_code:
            result.errors.append(RowError(row.line, code_col or name_col, "territoire manquant"))
            continue
        if _name_problem(territory_name):
            result.errors.append(RowError(row.line, name_col, _name_problem(territory_name)))
            continue
        if territory_code not in existing:
            territory_code = territory_code.upper()
        if territory_code not in existing:
            problem = _new_code_problem(territory_code, territory_name, departements, commune_departements[code])
            if problem:
                result.errors.append(RowError(row.line, code_col or name_col, problem))
                continue
            result.new_territories.setdefault(territory_code, territory_name or territory_code)
        known_name = result.territories.setdefault(territory_code, territory_name or territory_code)
        if territory_name and known_name != territory_name:
            result.errors.append(
                RowError(
                    row.line,
                    name_col,
                    f"le territoire « {territory_code} » porte déjà le nom « {known_name} »",
                )
            )
            continue
        seen[code] = row.line
        result.assignments[code] = (territory_code, territory_name)
        if communes[code] != territory_code:
            result.moves += 1
    missing = sorted(set(communes) - set(result.assignments))
    if missing and not result.errors:
        listed = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        result.errors.append(
            RowError(None, commune_col, f"{len(missing)} commune(s) de la région absente(s) du fichier : {listed}")
        )
    return result


def apply_composition_import(result: CompositionImportResult, *, user, source: str, create_territories: bool) -> str:
    """Apply a checked file (one transaction, ``services.apply_official_composition``); the success message."""
    from .services import apply_official_composition

    summary = apply_official_composition(
        assignments=result.assignments, user=user, source=source, create_territories=create_territories
    )
    created = summary["created"]
    return (
        f"Composition officielle importée : {summary['communes']} communes, {summary['moved']} déplacée(s), "
        f"{created} territoire{'s' if created > 1 else ''} créé{'s' if created > 1 else ''}."
    )
