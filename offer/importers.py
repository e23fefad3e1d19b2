"""Import and export of the dispositifs catalogue (CSV/XLSX). Everything is validated first (nothing written),
errors listed by line and column; ``offer.services.import_dispositifs`` then applies all rows in one
transaction. The export uses the same columns, so an exported file can be corrected and imported back."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from clefop.models import Organisation, OrganisationKind
from srefop_portal.common.tabular import RowError, TableReadError, normalise_header, read_table
from territories.models import Territory

from .models import Dispositif, DispositifLevel, Public, Theme

COLUMNS = [
    "nom",
    "structure",
    "type_structure",
    "echelon",
    "territoires",
    "publics",
    "thematiques",
    "description",
    "eligibilite",
    "modalites",
    "contact",
    "lien",
    "debut_validite",
    "fin_validite",
    "derniere_revue",
]
REQUIRED = {"nom", "structure", "echelon", "description"}
LIST_HELP = "valeurs séparées par des virgules"
TEMPLATE_ROWS = [
    [
        "Prépa apprentissage",
        "Région Pays de la Loire",
        "Région",
        "Régional",
        "44-NAN, 44-STN",
        "Jeunes, Demandeurs d’emploi",
        "Apprentissage, Orientation",
        "Accompagnement de quelques semaines pour préparer une entrée en apprentissage.",
        "Jeunes de 16 à 29 ans.",
        "Orientation par la Mission locale ou France Travail.",
        "apprentissage@exemple.fr",
        "https://www.exemple.fr/prepa",
        "01/01/2026",
        "31/12/2027",
        "15/01/2026",
    ]
]


def _lookup(choices) -> dict[str, str]:
    table = {}
    for value, label in choices:
        table[normalise_header(value)] = value
        table[normalise_header(label)] = value
    return table


LEVELS = _lookup(DispositifLevel.choices)
PUBLICS = _lookup(Public.choices)
THEMES = _lookup(Theme.choices)
ORGANISATION_KINDS = _lookup(OrganisationKind.choices)


@dataclass
class PlannedDispositif:
    line: int
    name: str
    carrier: Organisation | None
    carrier_name: str
    carrier_kind: str
    level: str
    territories: list[Territory]
    publics: list[str]
    themes: list[str]
    description: str
    eligibility: str
    how_to: str
    contact: str
    url: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    last_reviewed_on: datetime.date | None


@dataclass
class DispositifImport:
    rows: list[PlannedDispositif] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)


def parse_date(value: str) -> datetime.date | None:
    """'31/12/2026', '2026-12-31' or an XLSX date cell ('2026-12-31 00:00:00'). Raises ValueError."""
    text = (value or "").strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"« {text} » n’est pas une date (format attendu : jj/mm/aaaa)")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").replace("|", ",").split(",") if part.strip()]


def _codes(row, column, table, errors, label) -> list[str]:
    codes = []
    for part in _split(row.get(column)):
        code = table.get(normalise_header(part))
        if code is None:
            errors.append(RowError(row.line, column, f"{label} inconnu·e : « {part} »"))
        elif code not in codes:
            codes.append(code)
    return codes


def validate_dispositifs_file(data: bytes, filename: str) -> DispositifImport:
    result = DispositifImport()
    try:
        table = read_table(data, filename, expected_columns=set(COLUMNS))
    except TableReadError as exc:
        result.errors.extend(exc.errors)
        return result
    result.encoding, result.delimiter = table.encoding, table.delimiter
    result.notes = table.notes
    missing = [c for c in COLUMNS if c in REQUIRED and c not in table.headers]
    if missing:
        result.errors.append(RowError(table.header_line, "", f"colonne(s) manquante(s) : {', '.join(missing)}"))
        return result
    if not table.rows:
        result.errors.append(RowError(None, "", "Le fichier ne contient aucun dispositif."))
        return result

    organisations: dict[str, list[Organisation]] = {}
    for organisation in Organisation.objects.all():
        organisations.setdefault(organisation.name.strip().lower(), []).append(organisation)
    territories = {t.code.upper(): t for t in Territory.objects.all()}
    territories_by_name = {normalise_header(t.name): t for t in territories.values()}
    existing = {(name.lower(), carrier) for name, carrier in Dispositif.objects.values_list("name", "carrier_id")}
    seen: dict[tuple[str, str], int] = {}
    url_validator = URLValidator(schemes=["http", "https"])

    for row in table.rows:
        errors: list[RowError] = []
        values = {c: row.get(c) for c in COLUMNS}
        for column in sorted(REQUIRED):
            if not values[column]:
                errors.append(RowError(row.line, column, "valeur obligatoire"))
        level = LEVELS.get(normalise_header(values["echelon"]))
        if values["echelon"] and level is None:
            errors.append(
                RowError(row.line, "echelon", f"« {values['echelon']} » : national, régional, départemental ou local")
            )
        carrier, carrier_kind = None, ""
        if values["structure"]:
            matches = organisations.get(values["structure"].lower(), [])
            if len(matches) == 1:
                carrier = matches[0]
            elif len(matches) > 1:
                kind = ORGANISATION_KINDS.get(normalise_header(values["type_structure"]))
                narrowed = [m for m in matches if m.kind == kind]
                if len(narrowed) == 1:
                    carrier = narrowed[0]
                else:
                    errors.append(
                        RowError(row.line, "structure", "plusieurs structures portent ce nom : précisez le type")
                    )
            else:
                carrier_kind = ORGANISATION_KINDS.get(normalise_header(values["type_structure"])) or ""
                if not carrier_kind:
                    errors.append(
                        RowError(
                            row.line,
                            "type_structure",
                            "structure inconnue du portail : indiquez son type pour la créer",
                        )
                    )
        places = []
        for part in _split(values["territoires"]):
            territory = territories.get(part.upper()) or territories_by_name.get(normalise_header(part))
            if territory is None:
                errors.append(RowError(row.line, "territoires", f"territoire inconnu : « {part} »"))
            elif territory not in places:
                places.append(territory)
        publics = _codes(row, "publics", PUBLICS, errors, "public")
        themes = _codes(row, "thematiques", THEMES, errors, "thématique")
        dates = {}
        for column in ("debut_validite", "fin_validite", "derniere_revue"):
            try:
                dates[column] = parse_date(values[column])
            except ValueError as exc:
                errors.append(RowError(row.line, column, str(exc)))
                dates[column] = None
        if dates["debut_validite"] and dates["fin_validite"] and dates["fin_validite"] < dates["debut_validite"]:
            errors.append(RowError(row.line, "fin_validite", "antérieure au début de validité"))
        if values["lien"]:
            try:
                url_validator(values["lien"])
            except ValidationError:
                errors.append(RowError(row.line, "lien", "adresse web invalide (http:// ou https://)"))
        for column, limit in (("nom", 255), ("contact", 255), ("lien", 500)):
            if len(values[column]) > limit:
                errors.append(RowError(row.line, column, f"{limit} caractères au plus"))
        key = (values["nom"].lower(), values["structure"].lower())
        if values["nom"] and key in seen:
            errors.append(RowError(row.line, "nom", f"dispositif déjà présent ligne {seen[key]}"))
        seen.setdefault(key, row.line)
        if errors:
            result.errors.extend(errors)
            continue
        planned = PlannedDispositif(
            line=row.line,
            name=values["nom"],
            carrier=carrier,
            carrier_name=values["structure"],
            carrier_kind=carrier_kind,
            level=level,
            territories=places,
            publics=publics,
            themes=themes,
            description=values["description"],
            eligibility=values["eligibilite"],
            how_to=values["modalites"],
            contact=values["contact"],
            url=values["lien"],
            valid_from=dates["debut_validite"],
            valid_until=dates["fin_validite"],
            last_reviewed_on=dates["derniere_revue"],
        )
        if carrier is not None and (planned.name.lower(), carrier.pk) in existing:
            result.updated += 1
        else:
            result.created += 1
        result.rows.append(planned)
    return result


def _date(value):
    """A date cell (dd/mm/yyyy in CSV, a real date in XLSX: both are read back by the import)."""
    return value or None


def export_rows(dispositifs):
    """Rows of the export, in ``COLUMNS`` order (labels, not codes, so people can read and re-import them)."""
    levels = dict(DispositifLevel.choices)
    for d in dispositifs:
        yield [
            d.name,
            d.carrier.name,
            d.carrier.get_kind_display(),
            levels.get(d.level, d.level),
            ", ".join(t.code for t in d.territories.all()),
            ", ".join(d.public_labels),
            ", ".join(d.theme_labels),
            d.description,
            d.eligibility,
            d.how_to,
            d.contact,
            d.url,
            _date(d.valid_from),
            _date(d.valid_until),
            _date(d.last_reviewed_on),
        ]
