"""Import of préconisations from CSV or XLSX: validate everything first (nothing written), then apply in one
transaction, idempotent by code."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from srefop_portal.common.tabular import RowError, TableReadError, normalise_header, parse_decimal, read_table
from territories.models import Territory

from .models import AmbitionSheet, EvolutionKind, NafDivision, NafSection, Recommendation, RomeCode, TargetPublic

COLUMNS = [
    ("code", "Code unique de la préconisation (ex. P-001)", True),
    ("titre", "Intitulé", True),
    ("texte", "Texte de la préconisation", False),
    ("fiche_ambition", "Code de la fiche-ambition (ex. F2.1)", True),
    ("evolution", "créer, développer, adapter, maintenir ou réduire", True),
    ("codes_rome", "Codes ROME séparés par des virgules (ex. F1603, H2913)", False),
    ("divisions_naf", "Divisions NAF (2 chiffres) séparées par des virgules", False),
    ("sections_naf", "Sections NAF (lettres A à U) séparées par des virgules", False),
    ("territoires", "Codes des territoires EFOP (ex. 44-NAN) ; vide = toute la région", False),
    ("publics", "Publics cibles séparés par des virgules (ex. jeunes, demandeurs d’emploi)", False),
    ("places_cibles", "Volume indicatif de places (nombre, virgule décimale acceptée)", False),
]
REQUIRED = [name for name, _, required in COLUMNS if required]
HEADERS = [name for name, _, _ in COLUMNS]
SEPARATORS = re.compile(r"[,;|/\n]+")
BACKGROUND_THRESHOLD = 400  # rows above which the import runs as a background job


def _key(text: str) -> str:
    return normalise_header(text).replace("_", "")


EVOLUTION_ALIASES = {
    **{_key(value): value for value in EvolutionKind.values},
    **{_key(label): value for value, label in EvolutionKind.choices},
    "creation": EvolutionKind.CREATE,
    "developpement": EvolutionKind.DEVELOP,
    "adaptation": EvolutionKind.ADAPT,
    "maintien": EvolutionKind.MAINTAIN,
    "reduction": EvolutionKind.REDUCE,
}
PUBLIC_ALIASES = {
    **{_key(value): value for value in TargetPublic.values},
    **{_key(label): value for value, label in TargetPublic.choices},
    "demandeursdemploi": TargetPublic.JOBSEEKERS,
    "de": TargetPublic.JOBSEEKERS,
    "beneficiairesdursa": TargetPublic.RSA,
    "th": TargetPublic.DISABILITY,
}


@dataclass
class ParsedRecommendation:
    line: int
    code: str
    title: str
    text: str
    sheet_id: int
    evolution: str
    rome: list[int]
    divisions: list[int]
    sections: list[int]
    territories: list[int]
    publics: list[str]
    places: Decimal | None

    def fingerprint(self):
        return (
            self.title,
            self.text,
            self.sheet_id,
            self.evolution,
            sorted(self.rome),
            sorted(self.divisions),
            sorted(self.sections),
            sorted(self.territories),
            sorted(self.publics),
            None if self.places is None else Decimal(self.places).normalize(),
        )


@dataclass
class ImportResult:
    rows: list[ParsedRecommendation] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def is_large(self) -> bool:
        return len(self.rows) > BACKGROUND_THRESHOLD


def _split(value: str) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(value or "") if part.strip()]


def _codes(row, column, lookup: dict, normalise: Callable[[str], str], what: str, errors: list) -> list[int]:
    ids, unknown = [], []
    for raw in _split(row.get(column)):
        code = normalise(raw)
        if code in lookup:
            ids.append(lookup[code])
        else:
            unknown.append(raw)
    if unknown:
        errors.append(
            RowError(
                row.line,
                column,
                f"{what} inconnu{'s' if len(unknown) > 1 else ''} : " + ", ".join(f"« {u} »" for u in unknown),
            )
        )
    return sorted(set(ids))


def _current_fingerprints(codes: list[str]) -> dict[str, tuple]:
    existing = Recommendation.objects.filter(code__in=codes).prefetch_related(
        "rome_codes", "naf_divisions", "naf_sections", "territories"
    )
    result = {}
    for rec in existing:
        parsed = ParsedRecommendation(
            line=0,
            code=rec.code,
            title=rec.title,
            text=rec.text,
            sheet_id=rec.sheet_id,
            evolution=rec.evolution,
            rome=[r.pk for r in rec.rome_codes.all()],
            divisions=[d.pk for d in rec.naf_divisions.all()],
            sections=[s.pk for s in rec.naf_sections.all()],
            territories=[t.pk for t in rec.territories.all()],
            publics=list(rec.target_publics),
            places=rec.target_places,
        )
        result[rec.code] = parsed.fingerprint()
    return result


def validate_recommendations(data: bytes, filename: str) -> ImportResult:
    """Read and check the whole file. Writes nothing."""
    result = ImportResult()
    try:
        table = read_table(data, filename, expected_columns=set(REQUIRED))
    except TableReadError as exc:
        result.errors.extend(exc.errors)
        return result
    result.encoding, result.delimiter = table.encoding, table.delimiter
    result.notes = table.notes
    missing = [name for name in REQUIRED if name not in table.headers]
    if missing:
        found = ", ".join(table.headers[:8]) or "aucune"
        hint = ""
        if len(table.headers) == 1 and any(sep in table.headers[0] for sep in (";", ",", "\t")):
            hint = " Le séparateur de colonnes n’a pas été reconnu (utilisez « ; » ou « , »)."
        result.errors.append(
            RowError(
                table.header_line,
                ", ".join(missing),
                f"colonne{'s' if len(missing) > 1 else ''} obligatoire{'s' if len(missing) > 1 else ''} "
                f"absente{'s' if len(missing) > 1 else ''} (colonnes trouvées : {found}).{hint} "
                "Téléchargez le modèle pour voir les colonnes attendues.",
            )
        )
        return result
    if not table.rows:
        result.errors.append(RowError(None, "", "Le fichier ne contient aucune préconisation."))
        return result

    sheets = {code.upper(): pk for code, pk in AmbitionSheet.objects.values_list("code", "pk")}
    rome = dict(RomeCode.objects.values_list("code", "pk"))
    divisions = dict(NafDivision.objects.values_list("code", "pk"))
    sections = dict(NafSection.objects.values_list("code", "pk"))
    territories = {code.upper(): pk for code, pk in Territory.objects.values_list("code", "pk")}
    seen: dict[str, int] = {}

    for row in table.rows:
        errors: list[RowError] = []
        for column, value in row.values.items():
            if "\ufffd" in (value or ""):
                errors.append(RowError(row.line, column, "caractères illisibles : enregistrez le fichier en UTF-8"))
                break
        code = row.get("code").upper()
        if not code:
            errors.append(RowError(row.line, "code", "code manquant"))
        elif len(code) > 20:
            errors.append(RowError(row.line, "code", "code trop long (20 caractères au plus)"))
        elif code in seen:
            errors.append(RowError(row.line, "code", f"code « {code} » en double (déjà ligne {seen[code]})"))
        else:
            seen[code] = row.line
        title = row.get("titre")
        if not title:
            errors.append(RowError(row.line, "titre", "intitulé manquant"))
        elif len(title) > 500:
            errors.append(RowError(row.line, "titre", "intitulé trop long (500 caractères au plus)"))
        sheet_code = row.get("fiche_ambition").upper()
        sheet_id = sheets.get(sheet_code)
        if not sheet_code:
            errors.append(RowError(row.line, "fiche_ambition", "fiche-ambition manquante"))
        elif sheet_id is None:
            errors.append(RowError(row.line, "fiche_ambition", f"fiche-ambition « {sheet_code} » inconnue"))
        evolution = EVOLUTION_ALIASES.get(_key(row.get("evolution")))
        if evolution is None:
            errors.append(
                RowError(
                    row.line,
                    "evolution",
                    f"évolution « {row.get('evolution')} » inconnue (attendu : "
                    "créer, développer, adapter, maintenir ou réduire)",
                )
            )
        rome_ids = _codes(row, "codes_rome", rome, lambda c: c.upper(), "code ROME", errors)
        division_ids = _codes(
            row, "divisions_naf", divisions, lambda c: c.split(".")[0].zfill(2), "division NAF", errors
        )
        section_ids = _codes(row, "sections_naf", sections, lambda c: c.upper(), "section NAF", errors)
        territory_ids = _codes(row, "territoires", territories, lambda c: c.upper(), "territoire", errors)
        publics, unknown_publics = [], []
        for raw in _split(row.get("publics")):
            value = PUBLIC_ALIASES.get(_key(raw))
            (publics if value else unknown_publics).append(value or raw)
        if unknown_publics:
            errors.append(RowError(row.line, "publics", "public inconnu : " + ", ".join(unknown_publics)))
        places = None
        if row.get("places_cibles"):
            try:
                places = parse_decimal(row.get("places_cibles"))
                if places < 0 or places >= 10**9:
                    raise ValueError("nombre hors limites")
            except ValueError as exc:
                errors.append(RowError(row.line, "places_cibles", str(exc)))
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(
            ParsedRecommendation(
                line=row.line,
                code=code,
                title=title,
                text=row.get("texte"),
                sheet_id=sheet_id,
                evolution=evolution,
                rome=rome_ids,
                divisions=division_ids,
                sections=section_ids,
                territories=territory_ids,
                publics=sorted(set(publics)),
                places=places,
            )
        )
    if result.errors:
        return result
    current = _current_fingerprints([r.code for r in result.rows])
    for parsed in result.rows:
        if parsed.code not in current:
            result.created.append(parsed.code)
        elif current[parsed.code] != parsed.fingerprint():
            result.updated.append(parsed.code)
        else:
            result.unchanged.append(parsed.code)
    return result


@transaction.atomic
def apply_recommendations(result: ImportResult, *, is_example: bool = False, progress=None) -> dict:
    """Write a validated import in one transaction. Returns the counts."""
    if not result.is_valid:
        raise ValueError("An invalid import cannot be applied.")
    changed = set(result.created) | set(result.updated)
    rows = [r for r in result.rows if r.code in changed]
    Recommendation.objects.bulk_create(
        [
            Recommendation(
                code=r.code,
                title=r.title,
                text=r.text,
                sheet_id=r.sheet_id,
                evolution=r.evolution,
                target_publics=r.publics,
                target_places=r.places,
                is_example=is_example,
            )
            for r in rows
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["title", "text", "sheet", "evolution", "target_publics", "target_places", "is_example"],
    )
    if progress:
        progress(50, "Préconisations enregistrées")
    ids = dict(Recommendation.objects.filter(code__in=[r.code for r in rows]).values_list("code", "pk"))
    relations = [
        ("rome_codes", "romecode_id", "rome"),
        ("naf_divisions", "nafdivision_id", "divisions"),
        ("naf_sections", "nafsection_id", "sections"),
        ("territories", "territory_id", "territories"),
    ]
    for index, (name, column, attribute) in enumerate(relations, 1):
        through = getattr(Recommendation, name).through
        through.objects.filter(recommendation_id__in=ids.values()).delete()
        through.objects.bulk_create(
            [through(recommendation_id=ids[r.code], **{column: value}) for r in rows for value in getattr(r, attribute)]
        )
        if progress:
            progress(50 + index * 12, "Liens enregistrés")
    return {"created": len(result.created), "updated": len(result.updated), "unchanged": len(result.unchanged)}


def template_rows() -> list[list[str]]:
    return [
        [
            "P-001",
            "Développer les formations à la rénovation énergétique du bâtiment",
            "Augmenter le nombre de places en formation qualifiante sur l’isolation et les systèmes énergétiques.",
            "F2.1",
            "développer",
            "F1603, F1613",
            "43",
            "F",
            "44-NAN, 49-ANG",
            "demandeurs d’emploi, salariés",
            "120",
        ],
    ]
