"""Demonstration data for the governance app: organisations, members of every Clefop, Cdefop and the
Crefop, working groups, meetings with minutes and documents. Everything is labelled démonstration
(``is_demo``, « (démo) » after people's names). Idempotent; bulk writes keep the 18 territories fast."""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import DEMO_PASSWORD, ensure_demo_user
from accounts.models import User
from territories.models import Departement, Epci, Territory

from .models import (
    AgendaItem,
    Attendance,
    Body,
    BodyKind,
    Document,
    DocumentVersion,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingParticipant,
    Membership,
    Organisation,
    OrganisationKind,
    Position,
)

DOMAIN = "demo.srefop.fr"
FIRST_NAMES = [
    "Claire",
    "Julien",
    "Sophie",
    "Nicolas",
    "Isabelle",
    "Thomas",
    "Nathalie",
    "Mathieu",
    "Céline",
    "Olivier",
    "Aurélie",
    "Sébastien",
    "Élodie",
    "Antoine",
    "Sandrine",
    "Guillaume",
    "Hélène",
    "François",
    "Laure",
    "Yann",
]
LAST_NAMES = [
    "Guérin",
    "Le Goff",
    "Rousseau",
    "Moreau",
    "Bertin",
    "Chauvin",
    "Perrin",
    "Gautier",
    "Lemoine",
    "Renaud",
    "Cailleau",
    "Brochard",
    "Poirier",
    "Tessier",
    "Jouin",
    "Ménard",
    "Leroux",
    "Cousin",
    "Baudry",
    "Hervé",
]

# (email prefix, position, organisation key, role label)
CLEFOP_SEATS = [
    ("sous-prefet", Position.COCHAIR, "prefecture", "Sous-préfet·e d'arrondissement"),
    ("elu", Position.COCHAIR, "region", "Conseiller·ère régional·e"),
    ("animateur", Position.ANIMATEUR, "ddets", "Chargé·e de mission emploi-formation"),
    ("membre", Position.MEMBER, "france_travail", "Directeur·rice d'agence"),
    ("observateur", Position.OBSERVER, "cariforef", "Chargé·e d'études"),
    ("mission-locale", Position.MEMBER, "mission_locale", "Directeur·rice"),
    ("cap-emploi", Position.MEMBER, "cap_emploi", "Conseiller·ère"),
    ("departement", Position.MEMBER, "departement", "Responsable insertion"),
    ("epci", Position.MEMBER, "epci", "Vice-président·e développement économique"),
    ("cci", Position.MEMBER, "chambre", "Chargé·e emploi-compétences"),
    ("club", Position.MEMBER, "club", "Président·e"),
    ("education", Position.MEMBER, "education", "Chef·fe d'établissement, bassin"),
    ("greta", Position.MEMBER, "organisme_formation", "Conseiller·ère en formation"),
]
HIGHLIGHTED = {"44-NAN": ["sous-prefet", "elu", "animateur", "membre", "observateur"], "49-ANG": ["membre"]}
WORKING_GROUPS = [
    ("Attractivité des métiers en tension", "Recrutement dans l'industrie, le BTP et le soin : actions communes."),
    ("Mobilité et accès à l'emploi", "Lever les freins de mobilité des demandeurs d'emploi et des jeunes."),
]


def short_name(territory: Territory) -> str:
    return slugify(territory.name)


def tiny_pdf(lines: list[str]) -> bytes:
    """A small valid PDF (one page of text), enough for demonstration downloads."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream_lines = ["BT", "/F1 12 Tf", "50 790 Td", "16 TL"]
    for line in lines:
        stream_lines.append(f"({escape(line)}) '")
    stream_lines.append("ET")
    stream = "\n".join(stream_lines).encode("cp1252", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class _Organisations:
    def __init__(self):
        self.cache = {(o.name, o.kind, o.departement_id): o for o in Organisation.objects.all()}

    def get(self, name: str, kind: str, departement_id=None) -> Organisation:
        key = (name, kind, departement_id)
        if key not in self.cache:
            self.cache[key] = Organisation.objects.create(
                name=name, kind=kind, departement_id=departement_id, is_demo=True
            )
        return self.cache[key]

    def for_territory(self, key: str, territory: Territory, epci_name: str) -> Organisation:
        dep = territory.departement
        name, kind, scoped = {
            "prefecture": (f"Préfecture — arrondissement de {territory.name}", OrganisationKind.DDETS, True),
            "region": ("Région Pays de la Loire", OrganisationKind.REGION, False),
            "ddets": (f"DDETS {dep.name}", OrganisationKind.DDETS, True),
            "france_travail": (f"France Travail {territory.name}", OrganisationKind.FRANCE_TRAVAIL, True),
            "cariforef": ("Carif-Oref des Pays de la Loire", OrganisationKind.CARIFOREF, False),
            "mission_locale": (f"Mission locale {territory.name}", OrganisationKind.MISSION_LOCALE, True),
            "cap_emploi": (f"Cap emploi {dep.name}", OrganisationKind.CAP_EMPLOI, True),
            "departement": (f"Conseil départemental {dep.name}", OrganisationKind.DEPARTEMENT, True),
            "epci": (epci_name, OrganisationKind.EPCI, True),
            "chambre": (f"CCI {dep.name}", OrganisationKind.CHAMBRE, True),
            "club": (f"Club des entreprises du territoire de {territory.name}", OrganisationKind.CLUB, True),
            "education": (f"Éducation nationale — bassin de {territory.name}", OrganisationKind.EDUCATION, True),
            "organisme_formation": (f"GRETA {territory.name}", OrganisationKind.ORGANISME_FORMATION, True),
        }[key]
        return self.get(name, kind, dep.pk if scoped else None)


def _ensure_bulk_users(specs: dict[str, tuple[str, str]]) -> dict[str, User]:
    """email → (first name, last name); created in bulk with the shared demo password."""
    existing = {u.email: u for u in User.objects.filter(email__in=specs)}
    password = make_password(DEMO_PASSWORD)
    new = [
        User(email=email, first_name=first, last_name=last, is_demo=True, password=password)
        for email, (first, last) in specs.items()
        if email not in existing
    ]
    User.objects.bulk_create(new)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in new], ignore_conflicts=True
    )
    existing.update({u.email: u for u in new})
    return existing


def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A demo meeting time: ``days`` from today at a usual hour (local time), not at the minute the demo was loaded."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _person(index: int) -> tuple[str, str]:
    return FIRST_NAMES[index % len(FIRST_NAMES)], f"{LAST_NAMES[(index * 7) % len(LAST_NAMES)]} (démo)"


@transaction.atomic
def load_demo():
    now = timezone.now()
    today = timezone.localdate()
    organisations = _Organisations()
    territories = list(Territory.objects.select_related("departement").order_by("code"))
    clefops = {b.territory_id: b for b in Body.objects.clefops()}
    epci_names = {}
    for epci in Epci.objects.filter(communes__territory__isnull=False).distinct().order_by("name"):
        for territory_id in epci.communes.values_list("territory_id", flat=True).distinct()[:1]:
            epci_names.setdefault(territory_id, epci.name)
    already = set(Meeting.objects.filter(is_demo=True).values_list("body_id", flat=True))
    accounts = []
    # Highlighted accounts through ensure_demo_user (stable, listed); the others in bulk.
    specs = {}
    for t_index, territory in enumerate(territories):
        short = short_name(territory)
        for s_index, (prefix, *_rest) in enumerate(CLEFOP_SEATS):
            email = f"{prefix}.{short}@{DOMAIN}"
            if prefix not in HIGHLIGHTED.get(territory.code, []):
                specs[email] = _person(t_index * 13 + s_index)
    users = _ensure_bulk_users(specs)
    for code, prefixes in HIGHLIGHTED.items():
        territory = next(t for t in territories if t.code == code)
        for prefix in prefixes:
            index = territories.index(territory) * 13 + [s[0] for s in CLEFOP_SEATS].index(prefix)
            first, last = _person(index)
            email = f"{prefix}.{short_name(territory)}@{DOMAIN}"
            users[email] = ensure_demo_user(email, first_name=first, last_name=last)

    memberships, meetings, groups = [], [], []
    pending_group_members = []
    for territory in territories:
        body = clefops.get(territory.pk)
        if body is None or body.pk in already:
            continue
        short = short_name(territory)
        seated = []
        for prefix, position, org_key, role_label in CLEFOP_SEATS:
            user = users[f"{prefix}.{short}@{DOMAIN}"]
            organisation = organisations.for_territory(org_key, territory, epci_names.get(territory.pk, "EPCI"))
            memberships.append(
                Membership(
                    user=user,
                    body=body,
                    position=position,
                    organisation=organisation,
                    role_label=role_label if position in (Position.COCHAIR, Position.ANIMATEUR) else "",
                    start_date=today - datetime.timedelta(days=400),
                )
            )
            seated.append((user, position, organisation))
        # A former member, to show the history.
        memberships.append(
            Membership(
                user=seated[-1][0],
                body=body,
                position=Position.OBSERVER,
                start_date=today - datetime.timedelta(days=700),
                end_date=today - datetime.timedelta(days=401),
            )
        )
        for g_index, (name, description) in enumerate(WORKING_GROUPS):
            group = Body(
                kind=BodyKind.WORKING_GROUP,
                name=f"{name} — {territory.name}",
                slug=f"{body.slug}-gt-{g_index + 1}",
                parent=body,
                departement_id=territory.departement_id,
                description=description + " (démonstration)",
                is_demo=True,
            )
            groups.append(group)
            pending_group_members.append((group, seated[2:3] + seated[3 + g_index * 3 : 6 + g_index * 3]))
        meetings.extend(_meetings_for(body, territory, now))
    Membership.objects.bulk_create(memberships)
    Body.objects.bulk_create(groups)
    group_memberships = []
    for group, seated in pending_group_members:
        for user, position, organisation in seated:
            group_memberships.append(
                Membership(
                    user=user,
                    body=group,
                    position=Position.ANIMATEUR if position == Position.ANIMATEUR else Position.MEMBER,
                    organisation=organisation,
                    start_date=today - datetime.timedelta(days=200),
                )
            )
        meetings.append(
            Meeting(
                body=group,
                title=f"Atelier — {group.name.split(' — ')[0]}",
                kind=MeetingKind.WORKING_GROUP,
                mode=MeetingMode.ONLINE,
                video_url="https://visio.demo.srefop.fr/atelier",
                start=at(14, 10),
                end=at(14, 12),
                minutes_text="",
                is_demo=True,
            )
        )
    Membership.objects.bulk_create(group_memberships)
    _save_meetings(meetings)
    _documents_for([m for m in meetings if m.minutes_text and m.kind == MeetingKind.PLENARY])
    accounts.extend(_overseers(organisations, users, today))
    for code, prefixes in HIGHLIGHTED.items():
        territory = next(t for t in territories if t.code == code)
        labels = {s[0]: s for s in CLEFOP_SEATS}
        for prefix in prefixes:
            position = Position(labels[prefix][1]).label
            accounts.append(
                (
                    f"{position} du Clefop {territory.name} ({labels[prefix][3]})",
                    f"{prefix}.{short_name(territory)}@{DOMAIN}",
                )
            )
    return {
        "message": f"{len(territories)} Clefop avec co-présidence, animation, membres, 2 groupes de travail, "
        "réunions, comptes rendus et documents ; Cdefop et Crefop. Comptes : <fonction>.<territoire>@demo.srefop.fr",
        "accounts": accounts,
    }


def _meetings_for(body: Body, territory: Territory, now) -> list[Meeting]:
    place = f"Sous-préfecture de {territory.name}"
    common = {"body": body, "is_demo": True}
    return [
        Meeting(
            title="Plénière de suivi",
            kind=MeetingKind.PLENARY,
            mode=MeetingMode.HYBRID,
            place=place,
            video_url="https://visio.demo.srefop.fr/pleniere",
            start=at(-60, 9, 30),
            end=at(-60, 12),
            minutes_text="Relevé de décisions (démonstration) : validation du diagnostic territorial, "
            "lancement des deux groupes de travail, calendrier de la feuille de route.",
            minutes_updated_at=now - datetime.timedelta(days=55),
            **common,
        ),
        Meeting(
            title="Comité technique",
            kind=MeetingKind.TECHNICAL,
            mode=MeetingMode.ONLINE,
            video_url="https://visio.demo.srefop.fr/cotech",
            start=at(-20, 14),
            end=at(-20, 16),
            minutes_text="Points d'avancement des actions ; préparation de la prochaine plénière (démonstration).",
            minutes_updated_at=now - datetime.timedelta(days=18),
            **common,
        ),
        Meeting(
            title="Plénière annuelle",
            kind=MeetingKind.PLENARY,
            mode=MeetingMode.IN_PERSON,
            place=place,
            start=at(21, 14),
            end=at(21, 17),
            **common,
        ),
    ]


AGENDA = {
    MeetingKind.PLENARY: [
        "Accueil et tour de table",
        "Diagnostic territorial",
        "Feuille de route",
        "Questions diverses",
    ],
    MeetingKind.TECHNICAL: ["Suivi des actions", "Indicateurs du territoire", "Préparation de la plénière"],
    MeetingKind.WORKING_GROUP: ["Retour sur les pistes", "Choix des actions", "Prochaines étapes"],
}


def _save_meetings(meetings: list[Meeting]) -> None:
    Meeting.objects.bulk_create(meetings)
    items = [
        AgendaItem(meeting=m, order=i, title=title)
        for m in meetings
        for i, title in enumerate(AGENDA[MeetingKind(m.kind)], start=1)
    ]
    AgendaItem.objects.bulk_create(items)
    members: dict[int, list[int]] = {}
    for body_id, user_id in (
        Membership.objects.active().filter(body__in={m.body_id for m in meetings}).values_list("body_id", "user_id")
    ):
        members.setdefault(body_id, []).append(user_id)
    participants = []
    for m in meetings:
        for i, user_id in enumerate(members.get(m.body_id, [])):
            if m.end < timezone.now():
                status = Attendance.EXCUSED if i % 4 == 3 else Attendance.PRESENT
            else:
                status = Attendance.INVITED
            participants.append(MeetingParticipant(meeting=m, user_id=user_id, status=status))
    MeetingParticipant.objects.bulk_create(participants, ignore_conflicts=True)


def _documents_for(meetings: list[Meeting]) -> None:
    documents, files = [], []
    for meeting in meetings:
        body = meeting.body
        pdf = tiny_pdf(
            [
                f"{body.name} - Compte rendu (DEMONSTRATION)",
                f"{meeting.title}, {timezone.localtime(meeting.start):%d/%m/%Y}",
                "Document fictif genere pour la demonstration du portail Srefop.",
            ]
        )
        csv = (
            "nom;structure;presence\r\n"
            + "".join(f"Participant {i} (démo);Structure {i};présent\r\n" for i in range(1, 6))
        ).encode("utf-8")
        for title, data, ext, kind, ctype, is_minutes in [
            (f"Compte rendu — {meeting.title}", pdf, ".pdf", "pdf", "application/pdf", True),
            ("Liste des participants", csv, ".csv", "csv", "text/csv", False),
        ]:
            documents.append(Document(body=body, meeting=meeting, title=title, is_minutes=is_minutes, is_demo=True))
            files.append((data, ext, kind, ctype, slugify(title)))
    Document.objects.bulk_create(documents)
    versions = []
    for document, (data, ext, kind, ctype, name) in zip(documents, files, strict=True):
        path = default_storage.save(f"clefop/documents/{document.body_id}/demo-{document.pk}{ext}", ContentFile(data))
        versions.append(
            DocumentVersion(
                document=document,
                number=1,
                file=path,
                original_name=f"{name}{ext}",
                file_type=kind,
                content_type=ctype,
                size=len(data),
            )
        )
    DocumentVersion.objects.bulk_create(versions)
    for document, version in zip(documents, versions, strict=True):
        document.current_version = version
    Document.objects.bulk_update(documents, ["current_version"])


def _overseers(organisations: _Organisations, users, today) -> list[tuple[str, str]]:
    accounts = []
    rows = []
    for index, departement in enumerate(Departement.objects.order_by("code")):
        cdefop = Body.objects.filter(kind=BodyKind.CDEFOP, departement=departement).first()
        if cdefop is None:
            continue
        email = f"cdefop{departement.code}@{DOMAIN}"
        first, last = _person(300 + index)
        user = ensure_demo_user(email, first_name=first, last_name=last) if departement.code == "44" else None
        if user is None:
            user = _ensure_bulk_users({email: (first, last)})[email]
        if not Membership.objects.filter(user=user, body=cdefop).exists():
            rows.append(
                Membership(
                    user=user,
                    body=cdefop,
                    position=Position.MEMBER,
                    organisation=organisations.get(f"DDETS {departement.name}", OrganisationKind.DDETS, departement.pk),
                    start_date=today - datetime.timedelta(days=300),
                )
            )
        if departement.code == "44":
            accounts.append(("Membre du Cdefop de Loire-Atlantique (lit les Clefop du 44)", email))
    crefop = Body.objects.filter(kind=BodyKind.CREFOP).first()
    if crefop is not None:
        user = ensure_demo_user(f"crefop@{DOMAIN}", first_name="Anne", last_name="Lebreton (démo)")
        if not Membership.objects.filter(user=user, body=crefop).exists():
            rows.append(
                Membership(
                    user=user,
                    body=crefop,
                    position=Position.MEMBER,
                    organisation=organisations.get("Région Pays de la Loire", OrganisationKind.REGION),
                    start_date=today - datetime.timedelta(days=300),
                )
            )
        accounts.append(("Membre du Crefop (lit tous les Clefop)", f"crefop@{DOMAIN}"))
    Membership.objects.bulk_create(rows)
    return accounts
