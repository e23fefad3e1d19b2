"""Import of the official file « Territoires EFOP par communes » (commune code → territory)."""

from __future__ import annotations

from dataclasses import dataclass, field

from srefop_portal.common.tabular import RowError, TableReadError, read_table

from .models import Commune

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
    territories: dict[str, str] = field(default_factory=dict)
    moves: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.assignments)


def _pick(headers: list[str], candidates) -> str | None:
    for name in candidates:
        if name in headers:
            return name
    return None


def validate_composition_file(data: bytes, filename: str) -> CompositionImportResult:
    """Validate everything, write nothing."""
    result = CompositionImportResult()
    try:
        table = read_table(data, filename, expected_columns=set(COMMUNE_COLUMNS) | set(TERRITORY_CODE_COLUMNS))
    except TableReadError as exc:
        result.errors.append(RowError(None, "", str(exc)))
        return result
    result.encoding, result.delimiter = table.encoding, table.delimiter
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
        if len(territory_code) > 20:
            result.errors.append(RowError(row.line, code_col or name_col, "code territoire trop long (20 max.)"))
            continue
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
