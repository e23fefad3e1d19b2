"""Staff import of members from CSV/XLSX: everything is validated first (nothing written), errors by
line and column; then ``services.directory.import_members`` applies the plan in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from srefop_portal.common.tabular import RowError, TableReadError, normalise_header, read_table
from territories.models import Departement

from .models import Body, Membership, Organisation, OrganisationKind, Position

COLUMNS = ["email", "prenom", "nom", "instance", "fonction", "structure", "type_structure", "departement", "qualite"]
REQUIRED = {"email", "instance", "fonction"}
TEMPLATE_ROWS = [
    [
        "claire.martin@exemple.fr",
        "Claire",
        "Martin",
        "clefop-44-nan",
        "membre",
        "Mission locale de Nantes",
        "Mission locale",
        "44",
        "Directrice",
    ],
]


def _lookup(choices) -> dict[str, str]:
    table = {}
    for value, label in choices:
        table[normalise_header(value)] = value
        table[normalise_header(label)] = value
        table[normalise_header(label.replace("·e", "").replace("·rice", "eur"))] = value
    return table


POSITIONS = _lookup(Position.choices)
POSITIONS.update(
    {
        "co_president": Position.COCHAIR,
        "copresident": Position.COCHAIR,
        "animateur": Position.ANIMATEUR,
        "animatrice": Position.ANIMATEUR,
        "observateur": Position.OBSERVER,
        "observatrice": Position.OBSERVER,
    }
)
ORGANISATION_KINDS = _lookup(OrganisationKind.choices)


@dataclass
class PlannedMember:
    line: int
    email: str
    first_name: str
    last_name: str
    body: Body
    position: str
    organisation_name: str
    organisation_kind: str
    departement: Departement | None
    role_label: str


@dataclass
class ImportResult:
    members: list[PlannedMember] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.members)

    @cached_property
    def new_users(self) -> int:
        from accounts.models import User

        emails = {m.email for m in self.members}
        # A long list of parameters is refused by SQLite (and slow anywhere): above a thousand, all the addresses.
        existing = User.objects.filter(email__in=emails) if len(emails) <= 1000 else User.objects.all()
        return len(emails - set(existing.values_list("email", flat=True)))


def validate_members_file(data: bytes, filename: str) -> ImportResult:
    result = ImportResult()
    try:
        table = read_table(data, filename, expected_columns=set(COLUMNS))
    except TableReadError as exc:
        result.errors.extend(exc.errors)
        return result
    result.encoding, result.delimiter = table.encoding, table.delimiter
    result.notes = table.notes
    missing = REQUIRED - set(table.headers)
    if missing:
        result.errors.append(RowError(table.header_line, "", "colonne(s) manquante(s) : " + ", ".join(sorted(missing))))
        return result
    bodies = {}
    for body in Body.objects.select_related("parent"):
        bodies[body.slug.lower()] = body
        bodies.setdefault(body.name.lower(), body)
        if body.territory_id:
            bodies.setdefault(body.slug.removeprefix("clefop-").lower(), body)
    departements = {d.code: d for d in Departement.objects.all()}
    active = set(Membership.objects.active().values_list("user__email", "body_id", "position"))
    seen: dict[tuple, int] = {}
    for row in table.rows:
        errors = []
        email = row.get("email").lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(row.line, "email", f"« {email or '(vide)'} » n’est pas une adresse électronique"))
        body = bodies.get(row.get("instance").lower())
        if body is None:
            errors.append(RowError(row.line, "instance", f"instance « {row.get('instance')} » inconnue"))
        position = POSITIONS.get(normalise_header(row.get("fonction")))
        if position is None:
            errors.append(
                RowError(
                    row.line,
                    "fonction",
                    f"« {row.get('fonction')} » : attendu membre, co-président·e, animateur·rice ou observateur·rice",
                )
            )
        kind = ""
        if row.get("structure"):
            kind = ORGANISATION_KINDS.get(normalise_header(row.get("type_structure")), "")
            if not kind:
                errors.append(
                    RowError(row.line, "type_structure", f"type de structure « {row.get('type_structure')} » inconnu")
                )
        departement = None
        if row.get("departement"):
            departement = departements.get(row.get("departement").zfill(2))
            if departement is None:
                errors.append(
                    RowError(row.line, "departement", f"département « {row.get('departement')} » hors Pays de la Loire")
                )
        if not errors:
            key = (email, body.pk, position)
            if key in seen:
                errors.append(RowError(row.line, "email", f"doublon de la ligne {seen[key]}"))
            elif key in active:
                errors.append(RowError(row.line, "email", f"{email} occupe déjà cette fonction dans {body.name}"))
            seen.setdefault(key, row.line)
        if errors:
            result.errors.extend(errors)
            continue
        result.members.append(
            PlannedMember(
                line=row.line,
                email=email,
                first_name=row.get("prenom")[:150],
                last_name=row.get("nom")[:150],
                body=body,
                position=position,
                organisation_name=row.get("structure")[:255],
                organisation_kind=kind,
                departement=departement,
                role_label=row.get("qualite")[:200],
            )
        )
    if not result.members and not result.errors:
        result.errors.append(RowError(None, "", "aucune ligne de membre dans le fichier"))
    return result


def organisation_key(name: str, kind: str, departement_id) -> tuple:
    return (name.strip().lower(), kind, departement_id)


def existing_organisations() -> dict[tuple, Organisation]:
    return {organisation_key(o.name, o.kind, o.departement_id): o for o in Organisation.objects.all()}
