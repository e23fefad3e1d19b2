"""Deterministic data generator for the benchmarks (PostgreSQL only): the region at scale N.

    python -m bench.generate --scale 1 [--seed 2026] [--keep]

Builds (or refreshes) the database ``srefop_bench_s<N>`` (see bench/harness.py), migrates it, loads the real
reference data (``load_reference_data``: COG 2026 geography, the 18 territoires EFOP and their bodies, the Srefop
referential, ROME/NAF) and the demonstration accounts of the governance app (so that pages can be read as a
Clefop member, a Cdefop or Crefop member, Cariforef staff), then adds, in bulk:

| what | scale 1 | scale N |
|---|---|---|
| territoires EFOP (real, COG 2026) | 18 | 18 |
| préconisations (fictive, « exemple ») | 311 | 311 |
| actors: organisations, one contact each | 2,000 | 2,000 × N |
| actions per roadmap (one adopted roadmap per Clefop) | ~50 | ~50 × N |
| indicators × periods (every commune) | 30 × 10 | 30·N × 10 |
| news items (veille) | 20,000 | 20,000 × N |

Every generated row is labelled démonstration (``is_demo`` / ``is_example``, « (démo) »-free names but the
``bench.srefop.example`` e-mail domain and the demo source of the indicators). The same seed gives the same data:
random draws come from ``random.Random(seed)`` and dates are placed around a fixed reference day (``PIVOT``), not
the clock. The 311 préconisations have the count of the real Srefop 2023-2028 but fictive content: the real ones are
not published as open data (see roadmaps/data/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VERSION = 4  # bump when the generated data change: `bench.run --reuse` regenerates databases of another version
SEED = 2026
PIVOT = dt.date(2026, 6, 30)  # "today" of the generated data (statuses, progress notes, meetings with minutes)
PERIOD_START, PERIOD_END = dt.date(2023, 1, 1), dt.date(2028, 12, 31)
YEARS = [str(y) for y in range(2016, 2026)]
DOMAIN = "bench.srefop.example"
PAGE_TERRITORY = "44-NAN"  # the territory (and its Clefop) whose pages are measured
SHEET_TERRITORIES = [PAGE_TERRITORY, "49-ANG"]


def volumes(scale: int) -> dict:
    return {
        "territories": 18,
        "recommendations": 311,
        "actors": 2000 * scale,
        "actions_per_roadmap": 50 * scale,
        "indicator_series": scale,  # 30 indicators per series (the demo set + 3), 10 periods each
        "indicators": 30 * scale,
        "periods": len(YEARS),
        "news_items": 20_000 * scale,
        "meetings_per_clefop": 6 * scale,
    }


# ---------------------------------------------------------------------------------------------- vocabulary

FAMOUS = [
    "Jules Verne", "Aristide Briand", "Jean Moulin", "Marie Curie", "Victor Hugo", "Léonard de Vinci", "Simone Veil",
    "Albert Camus", "Louis Pasteur", "Gustave Eiffel", "Olympe de Gouges", "Jacques Prévert", "Joachim du Bellay",
    "René Descartes", "Paul Éluard", "Ambroise Paré", "Julien Gracq", "Georges Clemenceau", "Édouard Branly",
    "Françoise Dolto", "Camille Claudel", "Jean Rostand", "Charles Péguy", "Lucie Aubrac", "Germaine Tillion",
]  # fmt: skip
SECTORS = [
    ("de l'industrie", "industriels"), ("du soin", "du soin"), ("du bâtiment", "du bâtiment"),
    ("de la logistique", "de la logistique"), ("de l'agriculture", "agricoles"), ("du numérique", "du numérique"),
    ("de l'hôtellerie-restauration", "de l'hôtellerie-restauration"), ("de l'aide à domicile", "de l'aide à domicile"),
    ("de l'aéronautique", "de l'aéronautique"), ("de la construction navale", "du naval"),
    ("de l'agroalimentaire", "de l'agroalimentaire"), ("des énergies renouvelables", "de l'énergie"),
    ("du transport", "du transport"), ("du commerce", "du commerce"), ("de la viticulture", "de la vigne"),
    ("de l'hydrogène", "de l'hydrogène"), ("de la filière bois", "du bois"), ("de l'éolien en mer", "de l'éolien"),
    ("du tourisme", "du tourisme"),
]  # fmt: skip
JOBS = [
    "soudeurs", "chaudronniers", "aides-soignants", "infirmiers", "conducteurs routiers", "cuisiniers", "serveurs",
    "électriciens", "plombiers-chauffagistes", "opérateurs de production", "techniciens de maintenance",
    "agents de propreté", "auxiliaires de vie", "développeurs", "préparateurs de commandes", "maçons",
    "couvreurs", "charpentiers", "maraîchers", "vendeurs", "mécaniciens", "usineurs", "ouvriers agricoles",
    "éducateurs", "accompagnants éducatifs et sociaux", "agents de sécurité", "boulangers", "bouchers",
    "saisonniers", "menuisiers", "techniciens de l'hydrogène",
]  # fmt: skip
EVENTS = ["forum de l'emploi", "job dating", "salon des métiers", "semaine de l'industrie", "matinale RH",
          "visite d'entreprise", "journée portes ouvertes", "rencontre entreprises-demandeurs d'emploi"]  # fmt: skip
OPCOS = ["2i", "EP", "Atlas", "Akto", "Santé", "Mobilités", "Constructys", "Commerce", "OCAPIAT", "Uniformation"]
ORGANISATION_PATTERNS = [
    # kind, weight, name templates ({city}, {dep}, {last}, {famous}, {epci}, {sector}, {opco})
    ("organisme_formation", 30, ["GRETA {city}", "{last} Formation", "Institut de formation de {city}",
                                 "AFPA — centre de {city}", "CFA de {city}", "Maison familiale rurale de {city}",
                                 "École de production de {city}", "IFSI de {city}", "Campus des métiers de {city}",
                                 "Centre de formation {last} — {city}"]),
    ("education", 10, ["Lycée professionnel {famous} — {city}", "Lycée {famous} — {city}",
                       "Collège {famous} — {city}", "CIO de {city}"]),
    ("club", 5, ["Club des entreprises de {city}", "Club RH de {epci}", "Association des entreprises de {city}"]),
    ("chambre", 2, ["CCI {dep} — antenne de {city}", "Chambre de métiers et de l'artisanat {dep} — {city}",
                    "Chambre d'agriculture {dep} — {city}"]),
    ("mission_locale", 2, ["Mission locale de {city}", "Mission locale — antenne de {city}"]),
    ("france_travail", 3, ["France Travail {city}"]),
    ("cap_emploi", 1, ["Cap emploi {dep} — {city}"]),
    ("partenaire_social", 5, ["Union locale CFDT de {city}", "Union locale CGT de {city}", "CPME {dep} — {city}",
                              "MEDEF {dep} — {city}", "U2P {dep} — {city}", "Union locale FO de {city}"]),
    ("opco", 1, ["OPCO {opco} — délégation de {city}"]),
    ("autre", 41, ["Atelier et chantier d'insertion de {city}", "Entreprise adaptée {last} — {city}",
                   "PLIE de {epci}", "Groupement d'employeurs de {city}", "{last} Industries — {city}",
                   "Établissements {last} — {city}", "GEIQ {sector} — {city}", "Association {last} insertion — {city}",
                   "École de la deuxième chance — {city}", "Espace emploi de {city}", "Maison de l'emploi de {epci}"]),
]  # fmt: skip
TOWN_ONLY = (
    "IFSI",
    "AFPA",
    "Campus",
    "CIO",
    "France Travail",
    "Mission locale de",
    "CCI",
    "Chambre",
    "GRETA",
    "Lycée",
    "MEDEF",
    "CPME",
    "U2P",
    "OPCO",
    "Cap emploi",
    "Maison de l'emploi",
    "École de la deuxième",
)
JOB_TITLES = {
    "organisme_formation": ["Directeur·rice", "Responsable pédagogique", "Conseiller·ère en formation"],
    "education": ["Proviseur·e", "Directeur·rice délégué·e aux formations", "Psychologue de l'Éducation nationale"],
    "club": ["Président·e", "Chargé·e de mission"],
    "chambre": ["Chargé·e emploi-compétences", "Responsable formation"],
    "mission_locale": ["Directeur·rice", "Conseiller·ère"],
    "france_travail": ["Directeur·rice d'agence", "Conseiller·ère entreprises"],
    "cap_emploi": ["Conseiller·ère"],
    "partenaire_social": ["Secrétaire général·e", "Mandataire"],
    "opco": ["Conseiller·ère emploi-formation"],
    "autre": ["Directeur·rice", "Responsable RH", "Chargé·e d'insertion", "Gérant·e"],
    "epci": ["Vice-président·e développement économique", "Chargé·e de mission emploi"],
}
PRIORITY_FAMILIES = [
    {
        "title": "Répondre aux besoins de recrutement des entreprises du territoire",
        "challenges": ["E3"],
        "sheets": ["F1.2", "F3.2"],
        "actions": ["Organiser un {event} {sector_of}", "Mettre en place une POEC pour former des {job}",
                    "Créer un guichet recrutement pour les TPE-PME de {city}",
                    "Développer les immersions en entreprise vers les métiers {sector_adj}",
                    "Accompagner les entreprises {sector_adj} dans leurs recrutements à {city}",
                    "Mobiliser la méthode de recrutement par simulation pour des {job}"],
        "publics": ["demandeurs_emploi", "entreprises", "rsa"],
    },
    {
        "title": "Accompagner la transition écologique des compétences",
        "challenges": ["E1", "E4"],
        "sheets": ["F2.1"],
        "actions": ["Recenser les compétences vertes attendues dans les métiers {sector_adj}",
                    "Ouvrir une formation à la rénovation énergétique à {city}",
                    "Former les {job} aux gestes de la transition énergétique",
                    "Sensibiliser les formateurs de {city} aux compétences vertes",
                    "Accompagner les entreprises {sector_adj} dans leur décarbonation"],
        "publics": ["salaries", "entreprises", "demandeurs_emploi"],
    },
    {
        "title": "Lever les freins à l'emploi : mobilité, logement, garde d'enfants",
        "challenges": ["E3"],
        "sheets": ["F3.1"],
        "actions": ["Déployer une plateforme de mobilité solidaire à {city}",
                    "Proposer des logements temporaires aux alternants de {city}",
                    "Ouvrir des places de crèche à vocation d'insertion à {city}",
                    "Financer le permis de conduire des jeunes suivis à {city}",
                    "Mettre en place un transport à la demande vers la zone d'activités de {city}"],
        "publics": ["jeunes", "rsa", "femmes", "qpv"],
    },
    {
        "title": "Maintenir en emploi les seniors et transmettre les savoir-faire",
        "challenges": ["E2"],
        "sheets": ["F4.2", "F4.1"],
        "actions": ["Former des tuteurs seniors parmi les {job}",
                    "Prévenir l'usure professionnelle des {job}",
                    "Accompagner les reconversions des salariés {sector_of} de plus de 50 ans",
                    "Organiser la transmission des savoir-faire dans les entreprises {sector_adj}"],
        "publics": ["seniors", "salaries"],
    },
    {
        "title": "Faire découvrir les métiers aux jeunes et à leurs familles",
        "challenges": ["E4"],
        "sheets": ["F5.1", "F5.2"],
        "actions": ["Organiser une {event} avec les collèges de {city}",
                    "Promouvoir la mixité des métiers {sector_adj} auprès des lycéennes",
                    "Créer un forum des métiers et de l'apprentissage à {city}",
                    "Faire visiter les entreprises {sector_adj} aux élèves de {city}",
                    "Former les professeurs principaux aux métiers {sector_adj}"],
        "publics": ["scolaires", "jeunes", "femmes"],
    },
]  # fmt: skip
FUNDERS = ["Région Pays de la Loire", "État (DDETS)", "France Travail", "OPCO", "Conseil départemental", "EPCI"]
INDICATOR_SERIES = [
    ("", ""),
    ("femmes", "femmes"),
    ("moins26", "moins de 26 ans"),
    ("plus50", "50 ans et plus"),
    ("infrabac", "niveau inférieur au bac"),
    ("longue", "inscrits depuis plus d’un an"),
    ("qpv", "résidant en QPV"),
    ("rsa", "bénéficiaires du RSA"),
    ("th", "travailleurs handicapés"),
    ("hommes", "hommes"),
]
NEWS_HEADLINES = [
    "{c} : un {event} réunit {n} entreprises {sector_adj}",
    "{c}. La mission locale accompagne {n} jeunes vers l'apprentissage",
    "À {c}, une nouvelle formation de {job} ouvre en janvier",
    "{c} : l'usine recrute {n} {job} en CDI",
    "{c} : une soirée pour découvrir les métiers {sector_adj} avec les collégiens",
    "Handicap et emploi : Cap emploi signe {n} contrats à {c}",
    "{c} : un chantier d'insertion forme {n} personnes aux métiers {sector_adj}",
    "Rénovation énergétique : {c} lance une formation pour {n} artisans",
    "{c} : le nombre de demandeurs d'emploi recule de {p} %",
    "Job dating à {c} : {n} offres dans le secteur {sector_of}",
    "{e} : un plan pour attirer des {job}",
    "{c} : {n} apprentis diplômés dans les métiers {sector_adj}",
    "Reconversion : {n} salariés {sector_of} formés à {c}",
    "{c} : la zone d'activités accueille une entreprise {sector_adj} et {n} emplois",
    "Orientation : {n} lycéens de {c} découvrent les métiers {sector_adj}",
    "{c} et {c2} mutualisent leur {event}",
    "{c} : {n} saisonniers recherchés pour la saison touristique",
    "Hydrogène : {c} accueille une station et forme {n} techniciens",
    "{c} : une crèche à vocation d'insertion professionnelle ouvre {n} places",
    "Métiers du bois : {c} forme {n} apprentis menuisiers",
    "Éolien en mer : {n} emplois à pourvoir autour de {c}",
    "{c} : le chantier naval recrute {n} chaudronniers et soudeurs",
    "Baromètre de l'emploi : les offres progressent de {p} % à {c}",
    "Viticulture : {c} cherche {n} saisonniers pour les vendanges",
    "Insertion des jeunes : {c} signe {n} contrats d'engagement",
    "{c} : {n} salariés en reconversion vers les métiers {sector_adj}",
    "Aides-soignants : l'hôpital de {c} recrute {n} professionnels en CDI",
    "Formation numérique : {n} demandeurs d'emploi formés à {c}",
]  # fmt: skip
NEWS_SENTENCES = [
    "France Travail et la mission locale accompagnent les candidats sur place.",
    "Les entreprises {sector_adj} peinent à recruter des {job}.",
    "La Région finance {n} places de formation qualifiante.",
    "L'organisme de formation propose une certification reconnue par les branches.",
    "Les candidats sont invités à venir avec un CV ; aucun diplôme n'est exigé.",
    "Le dispositif s'adresse aussi aux bénéficiaires du RSA et aux personnes en reconversion.",
    "L'OPCO cofinance les parcours des salariés en alternance.",
    "Les élus de {e} saluent une dynamique d'emploi encourageante.",
    "La transition écologique crée des besoins de compétences nouveaux.",
    "Les chiffres trimestriels confirment la tendance sur le bassin d'emploi.",
    "Une réunion d'information aura lieu à la maison de l'emploi.",
    "Les collégiens ont pu échanger avec des professionnels et des apprentis.",
    "Des places en crèche sont réservées aux parents qui reprennent une formation.",
    "Les saisonniers peuvent être logés sur place pendant la saison.",
    "La filière hydrogène et l'éolien en mer créent de nouveaux métiers industriels.",
    "Le baromètre régional de l'emploi sera publié le mois prochain.",
    "Les chantiers navals recrutent aussi des soudeurs et des chaudronniers.",
]
REGIONAL_HEADLINES = [
    "Pays de la Loire : les offres d'emploi en hausse de {p} % sur un an",
    "Région : {n} places supplémentaires en formation aux métiers du soin",
    "Apprentissage : record d'entrées en Pays de la Loire",
    "Pays de la Loire : le Crefop adopte ses priorités pour les métiers {sector_adj}",
    "Baromètre régional : les {job} parmi les métiers les plus recherchés",
]
NEWS_SOURCES = [
    "Presse quotidienne — Loire-Atlantique", "Presse quotidienne — Maine-et-Loire", "Presse quotidienne — Mayenne",
    "Presse quotidienne — Sarthe", "Presse quotidienne — Vendée", "Hebdomadaires locaux", "Région Pays de la Loire",
    "Préfecture de région", "France Travail Pays de la Loire", "Carif-Oref — notes de veille",
    "Chambres consulaires", "Réseau des missions locales", "OPCO — actualités", "Presse économique régionale",
    "Sites des intercommunalités", "Éducation nationale — académie de Nantes",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------- helpers


class Timer:
    def __init__(self, log):
        self.log = log
        self.steps: dict[str, float] = {}

    def step(self, name: str):
        timer = self

        class _Step:
            def __enter__(self):
                self.started = time.perf_counter()
                timer.log(f"  · {name}…")

            def __exit__(self, *exc):
                seconds = time.perf_counter() - self.started
                timer.steps[name] = round(seconds, 1)
                if exc[0] is None:
                    timer.log(f"    {name} : {seconds:.1f} s")

        return _Step()


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY rows into ``table`` (PostgreSQL); far faster than INSERTs for hundreds of thousands of rows."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequence(model) -> None:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


@contextmanager
def dropped_indexes(*tables: str):
    """For a bulk write into ``tables``: drop their plain indexes, unique and foreign-key constraints (the primary key
    stays), then restore them from their own definitions: one sort per index and one validation query per
    constraint instead of row-by-row upkeep and a trigger call per row."""
    from django.db import connection

    constraints, indexes = [], []
    with connection.cursor() as cursor:
        # Deferred foreign-key checks still pending from earlier writes would forbid ALTER TABLE here.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                constraints.append((table, name, definition))
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = %s
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                  WHERE c.conindid = to_regclass(quote_ident(i.indexname)))
                """,
                [table],
            )
            for name, definition in cursor.fetchall():
                indexes.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for definition in indexes:
                cursor.execute(definition)
            for table, name, definition in constraints:  # per table: unique constraints, then foreign keys
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def slug_email(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text).replace("-", "")[:30] or "x"


# ---------------------------------------------------------------------------------------------- steps


class Generator:
    def __init__(self, scale: int, seed: int = SEED, log=print):
        from faker import Faker

        self.scale = scale
        self.seed = seed
        self.rng = random.Random(f"{seed}-{scale}")
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed * 1000 + scale)
        self.volumes = volumes(scale)
        self.log = log
        self.timer = Timer(log)
        self.counts: dict[str, int] = {}

    # -- geography (real) -----------------------------------------------------------------------------------
    def load_geography(self):
        from clefop.models import Body, BodyKind
        from territories.models import Commune, Departement, Territory

        self.territories = list(Territory.objects.select_related("departement").order_by("code"))
        self.departements = {d.pk: d for d in Departement.objects.all()}
        self.communes = list(
            Commune.objects.filter(territory__isnull=False)
            .select_related("epci")
            .order_by("code")
            .values_list("code", "name", "population", "territory_id", "departement_id", "epci__name")
        )
        self.communes_by_territory = defaultdict(list)
        for row in self.communes:
            self.communes_by_territory[row[3]].append(row)
        for rows in self.communes_by_territory.values():
            rows.sort(key=lambda r: -r[2])
        self.commune_weights = [max(r[2], 50) ** 0.6 for r in self.communes]
        self.clefops = {b.territory_id: b for b in Body.objects.filter(kind=BodyKind.CLEFOP)}
        self.groups = defaultdict(list)
        for group in Body.objects.filter(kind=BodyKind.WORKING_GROUP, parent__kind=BodyKind.CLEFOP).order_by("slug"):
            self.groups[group.parent_id].append(group)

    def pick_commune(self, territory_id=None):
        if territory_id is None:
            return self.rng.choices(self.communes, weights=self.commune_weights)[0]
        rows = self.communes_by_territory[territory_id]
        return rows[min(int(self.rng.expovariate(1 / 6)), len(rows) - 1)]  # big towns more often

    # -- accounts and governance (demonstration accounts of the portal) --------------------------------------
    # -- actors -----------------------------------------------------------------------------------------------
    def actors(self):
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password

        from accounts.demo import DEMO_PASSWORD
        from accounts.models import User
        from clefop.models import Membership, Organisation, OrganisationKind, Position
        from territories.models import Epci

        rng, fake = self.rng, self.fake
        existing = set(Organisation.objects.values_list("name", "kind", "departement_id"))
        organisations, homes = [], []  # homes: (territory_id, commune row) of each organisation
        # The 71 real EPCI of the region, then organisations spread over the communes (bigger towns get more).
        epcis = list(Epci.objects.filter(communes__territory__isnull=False).distinct().order_by("name"))
        for epci in epcis:
            row = next(r for r in self.communes if r[5] == epci.name)
            key = (epci.name, OrganisationKind.EPCI, row[4])
            if key not in existing:
                existing.add(key)
                organisations.append(Organisation(name=epci.name, kind="epci", siren=epci.siren, departement_id=row[4],
                                                  is_demo=True))  # fmt: skip
                homes.append(row)
        kinds = [p[0] for p in ORGANISATION_PATTERNS]
        weights = [p[1] for p in ORGANISATION_PATTERNS]
        templates = {p[0]: p[2] for p in ORGANISATION_PATTERNS}
        while len(organisations) < self.volumes["actors"]:
            kind = rng.choices(kinds, weights=weights)[0]
            row = self.pick_commune()
            template = rng.choice(templates[kind])
            if any(word in template for word in TOWN_ONLY) and row[2] < 8000:
                row = self.communes_by_territory[row[3]][0]  # a hospital school or a CIO sits in the main town
            code, city, _pop, territory_id, departement_id, epci = row
            values = {
                "city": city,
                "dep": self.departements[departement_id].name,
                "last": fake.last_name(),
                "famous": rng.choice(FAMOUS),
                "epci": epci or city,
                "sector": rng.choice(SECTORS)[1].removeprefix("de l'").removeprefix("du ").removeprefix("de la "),
                "opco": rng.choice(OPCOS),
            }
            name = template.format(**values)[:255]
            key = (name, kind, departement_id)
            suffix = 2
            while key in existing:
                name = f"{name.split(' — site ')[0]} — site {suffix}"
                key = (name, kind, departement_id)
                suffix += 1
            existing.add(key)
            organisations.append(Organisation(name=name, kind=kind, departement_id=departement_id, is_demo=True,
                                              siren=f"{rng.randint(100000000, 999999999)}"))  # fmt: skip
            homes.append(row)
        Organisation.objects.bulk_create(organisations, batch_size=2000)
        self.organisations_by_territory = defaultdict(list)
        for organisation, row in zip(organisations, homes, strict=True):
            self.organisations_by_territory[row[3]].append(organisation)

        # One contact per organisation, with the shared demonstration password.
        password = make_password(DEMO_PASSWORD)
        users, seen = [], set(User.objects.values_list("email", flat=True))
        for index, organisation in enumerate(organisations):
            first, last = fake.first_name(), fake.last_name()
            email = f"{slug_email(first)}.{slug_email(last)}.{index}@{DOMAIN}"
            if email in seen:
                continue
            seen.add(email)
            users.append(
                User(email=email, first_name=first, last_name=last, password=password, is_demo=True,
                     organisation_name=organisation.name[:200],
                     job_title=rng.choice(JOB_TITLES.get(organisation.kind, ["Chargé·e de mission"])))
            )  # fmt: skip
        User.objects.bulk_create(users, batch_size=2000)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=2000
        )
        # 40 % sit in their territory's Clefop (some have left), 8 % in one of its working groups.
        memberships = []
        self.members_by_body = defaultdict(list)
        for user, organisation, row in zip(users, organisations, homes, strict=True):
            body = self.clefops.get(row[3])
            if body is None:
                continue
            draw = rng.random()
            if draw < 0.40:
                start = random_date(rng, dt.date(2022, 9, 1), PIVOT)
                end = random_date(rng, start, PIVOT) if rng.random() < 0.08 else None
                position = Position.OBSERVER if rng.random() < 0.15 else Position.MEMBER
                memberships.append(Membership(user=user, body=body, position=position, organisation=organisation,
                                              start_date=start, end_date=end))  # fmt: skip
                if end is None:
                    self.members_by_body[body.pk].append(user)
            if 0.40 <= draw < 0.48 and self.groups.get(body.pk):
                group = rng.choice(self.groups[body.pk])
                memberships.append(Membership(user=user, body=group, position=Position.MEMBER,
                                              organisation=organisation,
                                              start_date=random_date(rng, dt.date(2024, 1, 1), PIVOT)))  # fmt: skip
        Membership.objects.bulk_create(memberships, batch_size=2000)
        self.counts |= {
            "organisations": len(organisations),
            "users": len(users),
            "memberships": len(memberships),
            "organisation_kinds": len({o.kind for o in organisations}),
        }

    def meetings(self):
        from clefop.models import AgendaItem, Attendance, Meeting, MeetingKind, MeetingMode, MeetingParticipant

        rng = self.rng
        meetings = []
        for territory in self.territories:
            body = self.clefops.get(territory.pk)
            if body is None:
                continue
            for index in range(self.volumes["meetings_per_clefop"]):
                day = random_date(rng, PERIOD_START, PERIOD_END)
                kind = rng.choice([MeetingKind.PLENARY, MeetingKind.TECHNICAL, MeetingKind.TECHNICAL])
                start = aware(day, rng.choice([9, 10, 14]))
                past = day < PIVOT
                meetings.append(
                    Meeting(
                        body=body, kind=kind, mode=rng.choice(list(MeetingMode)), is_demo=True,
                        title=f"{'Plénière' if kind == MeetingKind.PLENARY else 'Comité technique'} n° {index + 1}",
                        place=f"Sous-préfecture de {territory.name}", start=start, end=start + dt.timedelta(hours=2),
                        minutes_text="Relevé de décisions : suivi des actions de la feuille de route, point sur les "
                        "indicateurs du territoire, prochaines étapes." if past else "",
                        minutes_updated_at=start + dt.timedelta(days=5) if past else None,
                    )
                )  # fmt: skip
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        items, participants = [], []
        agenda = [
            "Accueil et tour de table",
            "Suivi de la feuille de route",
            "Repères du territoire",
            "Questions diverses",
        ]
        for meeting in meetings:
            items += [AgendaItem(meeting=meeting, order=i, title=t) for i, t in enumerate(agenda, start=1)]
            members = self.members_by_body.get(meeting.body_id, [])
            for user in rng.sample(members, min(12, len(members))):
                if meeting.start.date() < PIVOT:
                    status = Attendance.PRESENT if rng.random() < 0.8 else Attendance.EXCUSED
                else:
                    status = Attendance.INVITED
                participants.append(MeetingParticipant(meeting=meeting, user=user, status=status))
        AgendaItem.objects.bulk_create(items, batch_size=5000)
        MeetingParticipant.objects.bulk_create(participants, batch_size=5000, ignore_conflicts=True)
        self.counts |= {"meetings": len(meetings), "meeting_participants": len(participants)}

    # -- Srefop préconisations (fictive, real count) ---------------------------------------------------------
    def recommendations(self):
        from roadmaps.models import AmbitionSheet, EvolutionKind, NafDivision, Recommendation, TargetPublic

        rng = self.rng
        sheets = list(AmbitionSheet.objects.order_by("code"))
        divisions = list(NafDivision.objects.select_related("section").order_by("code"))
        romes_by_division = defaultdict(list)
        for division_id, rome_id in NafDivision.rome_codes.through.objects.values_list("nafdivision_id", "romecode_id"):
            romes_by_division[division_id].append(rome_id)
        divisions = [d for d in divisions if romes_by_division[d.pk]]
        labels = {d.pk: d.label for d in divisions}
        evolutions = list(EvolutionKind)
        verbs = {"create": "Créer", "develop": "Développer", "adapt": "Adapter", "maintain": "Maintenir",
                 "reduce": "Réduire"}  # fmt: skip
        recommendations, links = [], []
        existing = set(Recommendation.objects.values_list("code", flat=True))
        for index in range(1, self.volumes["recommendations"] + 1):
            code = f"PR-{index:03d}"
            if code in existing:
                continue
            sheet = sheets[(index - 1) % len(sheets)]
            evolution = rng.choices(evolutions, weights=[10, 45, 25, 12, 8])[0]
            division = rng.choice(divisions)
            romes = rng.sample(
                romes_by_division[division.pk], min(len(romes_by_division[division.pk]), rng.randint(1, 3))
            )
            territorial = rng.random() < 0.35
            territories = rng.sample(self.territories, rng.randint(1, 3)) if territorial else []
            where = " dans les territoires " + ", ".join(t.name for t in territories) if territories else ""
            recommendations.append(
                Recommendation(
                    code=code, sheet=sheet, evolution=evolution, is_example=True,
                    title=f"{verbs[evolution]} l'offre de formation — {labels[division.pk].lower()}{where}"[:500],
                    text=f"Préconisation fictive générée pour les mesures de performance ({sheet.code}) : "
                    f"{verbs[evolution].lower()} les places de formation du secteur « {labels[division.pk]} »"
                    f"{where}, en lien avec les besoins de recrutement observés.",
                    target_publics=rng.sample(TargetPublic.values, rng.randint(1, 3)),
                    target_places=Decimal(rng.choice([12, 24, 36, 48, 60, 90, 120, 180, 240])),
                )
            )  # fmt: skip
            links.append((romes, division, territories))
        Recommendation.objects.bulk_create(recommendations)
        pairs = list(zip(recommendations, links, strict=True))
        rel = Recommendation
        rel.rome_codes.through.objects.bulk_create(
            [rel.rome_codes.through(recommendation=r, romecode_id=x) for r, (romes, _d, _t) in pairs for x in romes]
        )
        rel.naf_divisions.through.objects.bulk_create(
            [rel.naf_divisions.through(recommendation=r, nafdivision=d) for r, (_r, d, _t) in pairs]
        )
        rel.naf_sections.through.objects.bulk_create(
            [rel.naf_sections.through(recommendation=r, nafsection_id=d.section_id) for r, (_r, d, _t) in pairs],
            ignore_conflicts=True,
        )
        rel.territories.through.objects.bulk_create(
            [rel.territories.through(recommendation=r, territory=t) for r, (_r, _d, ts) in pairs for t in ts]
        )
        self.counts["recommendations"] = Recommendation.objects.count()

    # -- roadmaps ---------------------------------------------------------------------------------------------
    def roadmaps(self):
        from django.utils import timezone
        from simple_history.utils import bulk_create_with_history

        from clefop.models import Membership, Position
        from offer.models import Dispositif
        from roadmaps.models import (
            Action,
            ActionStatus,
            AmbitionSheet,
            AnnualReview,
            Assessment,
            BudgetLine,
            Challenge,
            NafDivision,
            Priority,
            PriorityAssessment,
            ProgressNote,
            Recommendation,
            ResultIndicator,
            Roadmap,
            RoadmapStatus,
            RoadmapTransition,
            SubAction,
        )

        rng = self.rng
        challenges = {c.code: c for c in Challenge.objects.all()}
        sheets = {s.code: s for s in AmbitionSheet.objects.all()}
        recommendations = list(Recommendation.objects.prefetch_related("territories").select_related("sheet"))
        divisions = list(NafDivision.objects.values_list("pk", flat=True))
        dispositifs = list(Dispositif.objects.values_list("pk", flat=True))
        seats = defaultdict(lambda: defaultdict(list))
        for membership in Membership.objects.active(PIVOT).select_related("user").order_by("pk"):
            seats[membership.body_id][membership.position].append(membership.user)

        roadmaps, plans = [], []
        for index, territory in enumerate(self.territories):
            body = self.clefops.get(territory.pk)
            if body is None:
                continue
            animateur = (seats[body.pk][Position.ANIMATEUR] or seats[body.pk][Position.MEMBER] or [None])[0]
            cochair = (seats[body.pk][Position.COCHAIR] or [animateur])[0]
            roadmap = Roadmap(
                body=body, title=f"Feuille de route de la {body.name}", start_year=2024, end_year=2028, version=1,
                status=RoadmapStatus.ADOPTED, is_demo=True, created_by=animateur, adopted_by=cochair,
                plenary_date=dt.date(2024, 3, 4 + index), adopted_at=aware(dt.date(2024, 3, 4 + index), 18),
                summary=f"Feuille de route générée pour les mesures de performance (territoire {territory.name}) : "
                "trois priorités issues du diagnostic partagé emploi-formation et des préconisations du Srefop.",
            )  # fmt: skip
            roadmaps.append(roadmap)
            plans.append((territory, body, animateur, cochair))
        roadmaps = bulk_create_with_history(roadmaps, Roadmap, batch_size=500)  # primary keys set on PostgreSQL
        by_body = {r.body_id: r for r in roadmaps}

        transitions = []
        priorities, priority_specs = [], []
        for _territory, body, animateur, cochair in plans:
            roadmap = by_body[body.pk]
            transitions += [
                RoadmapTransition(roadmap=roadmap, from_status="", to_status=RoadmapStatus.DRAFT, label="Création",
                                  by=animateur, at=aware(dt.date(2023, 11, 15))),
                RoadmapTransition(roadmap=roadmap, from_status=RoadmapStatus.DRAFT, to_status=RoadmapStatus.SUBMITTED,
                                  label="Soumission", by=animateur, at=aware(dt.date(2024, 2, 12))),
                RoadmapTransition(roadmap=roadmap, from_status=RoadmapStatus.SUBMITTED,
                                  to_status=RoadmapStatus.ADOPTED, label="Adoption", by=cochair,
                                  at=roadmap.adopted_at, comment="Adoptée en plénière."),
            ]  # fmt: skip
            for order, family in enumerate(rng.sample(PRIORITY_FAMILIES, 3), start=1):
                priorities.append(
                    Priority(roadmap=roadmap, order=order, title=family["title"],
                             description="Priorité retenue lors de la plénière de lancement.")
                )  # fmt: skip
                priority_specs.append(family)
        RoadmapTransition.objects.bulk_create(transitions)
        priorities = bulk_create_with_history(priorities, Priority, batch_size=500)
        spec_by_priority = {}
        for priority, family in zip(priorities, priority_specs, strict=True):
            spec_by_priority[priority.pk] = family
        through = Priority.challenges.through
        through.objects.bulk_create(
            [through(priority=p, challenge=challenges[c]) for p in priorities
             for c in spec_by_priority[p.pk]["challenges"] if c in challenges]
        )  # fmt: skip
        through = Priority.sheets.through
        through.objects.bulk_create(
            [through(priority=p, ambitionsheet=sheets[s]) for p in priorities
             for s in spec_by_priority[p.pk]["sheets"] if s in sheets]
        )  # fmt: skip

        priorities_by_roadmap = defaultdict(list)
        for priority in priorities:
            priorities_by_roadmap[priority.roadmap_id].append(priority)
        actions, details = [], []
        for territory, body, animateur, _cochair in plans:
            roadmap = by_body[body.pk]
            organisations = self.organisations_by_territory.get(territory.pk) or [None]
            members = (self.members_by_body.get(body.pk) or []) + [u for u in [animateur] if u]
            groups = self.groups.get(body.pk, [])
            applicable = [r for r in recommendations
                          if not r.territories.all() or territory in r.territories.all()]  # fmt: skip
            count = round(self.volumes["actions_per_roadmap"] * rng.uniform(0.9, 1.1))
            titles = set()
            for number in range(count):
                priority = priorities_by_roadmap[roadmap.pk][number % 3]
                family = spec_by_priority[priority.pk]
                row = self.pick_commune(territory.pk)
                sector = rng.choice(SECTORS)
                values = {"city": row[1], "job": rng.choice(JOBS), "event": rng.choice(EVENTS),
                          "sector_of": sector[0], "sector_adj": sector[1]}  # fmt: skip
                title = rng.choice(family["actions"]).format(**values)
                if title in titles:
                    title = f"{title} ({number // 3 + 1})"
                titles.add(title)
                start = random_date(rng, PERIOD_START, dt.date(2027, 6, 30))
                end = min(start + dt.timedelta(days=rng.choice([180, 270, 365, 540, 730, 1095])), PERIOD_END)
                status, progress = self._status(start, end)
                pilot = rng.choice(members) if members else None
                actions.append(
                    Action(
                        roadmap=roadmap, priority=priority, order=number // 3 + 1, title=title[:255],
                        description=f"{title} sur le territoire {territory.name}, avec les acteurs de l'emploi, de la "
                        "formation et de l'orientation (action générée pour les mesures de performance).",
                        objectives="Toucher les publics visés, mobiliser les entreprises, mesurer les sorties vers "
                        "l'emploi ou la formation.",
                        target_publics=rng.sample(family["publics"], rng.randint(1, min(2, len(family["publics"])))),
                        pilot_organisation=rng.choice(organisations), start_date=start, end_date=end,
                        partners=", ".join(sorted({o.name for o in rng.sample(organisations, min(3, len(organisations)))
                                                   if o})),
                        working_group=rng.choice(groups) if groups and rng.random() < 0.2 else None,
                        status=status, progress=progress, restricted=rng.random() < 0.07, is_demo=True,
                        updated_by=pilot,
                    )
                )  # fmt: skip
                sheet_codes = set(family["sheets"])
                candidates = [r for r in applicable if r.sheet.code in sheet_codes] or applicable
                details.append(
                    {
                        "pilots": [pilot] if pilot else [],
                        "recommendations": rng.sample(candidates, min(len(candidates), rng.randint(1, 3))),
                        "divisions": rng.sample(divisions, rng.randint(0, 2)),
                        "dispositifs": rng.sample(dispositifs, 1) if dispositifs and rng.random() < 0.3 else [],
                    }
                )
        actions = bulk_create_with_history(actions, Action, batch_size=1000)
        through_sets = {
            "pilots": (Action.pilots.through, "user"),
            "recommendations": (Action.recommendations.through, "recommendation"),
            "divisions": (Action.naf_divisions.through, "nafdivision_id"),
            "dispositifs": (Action.dispositifs.through, "dispositif_id"),
        }
        for key, (through, field) in through_sets.items():
            through.objects.bulk_create(
                [
                    through(action=a, **{field: value})
                    for a, d in zip(actions, details, strict=True)
                    for value in d[key]
                ],
                batch_size=5000,
                ignore_conflicts=True,
            )
        rec_romes = defaultdict(list)
        for rec_id, rome_id in Recommendation.rome_codes.through.objects.values_list(
            "recommendation_id", "romecode_id"
        ):
            rec_romes[rec_id].append(rome_id)
        through = Action.rome_codes.through
        through.objects.bulk_create(
            [through(action=a, romecode_id=rome) for a, d in zip(actions, details, strict=True)
             for rome in {x for r in d["recommendations"] for x in rec_romes[r.pk][:2]}],
            batch_size=5000,
        )  # fmt: skip

        subs, budgets, results, notes = [], [], [], []
        for action, detail in zip(actions, details, strict=True):
            steps = ["Réunir le groupe projet", "Mobiliser les partenaires", "Lancer la première session",
                     "Bilan avec les partenaires"][: rng.randint(2, 4)]  # fmt: skip
            for order, title in enumerate(steps, start=1):
                done = action.progress >= 100 or (action.progress > 0 and order <= len(steps) * action.progress // 100)
                subs.append(SubAction(action=action, title=title, done=done, order=order))
            for year in sorted({action.start_date.year, min(action.end_date.year, 2028)}):
                planned = Decimal(rng.choice([5000, 12000, 25000, 40000, 80000]))
                spent = planned * Decimal(action.progress) / 100 if action.start_date <= PIVOT else Decimal(0)
                budgets.append(BudgetLine(action=action, year=year, planned=planned, spent=spent.quantize(Decimal("1")),
                                          funder=rng.choice(FUNDERS)))  # fmt: skip
            target = rng.choice([20, 50, 120, 300])
            results.append(ResultIndicator(action=action, label="Personnes accompagnées", unit="personnes",
                                           target=target, achieved=round(target * action.progress / 100)))  # fmt: skip
            if action.status != ActionStatus.PLANNED and action.start_date < PIVOT:
                author = (detail["pilots"] or [animateur])[0]
                last = min(PIVOT, action.end_date)
                count = rng.randint(1, 4)
                for k in range(count):
                    day = action.start_date + (last - action.start_date) * (k + 1) // count
                    final = k == count - 1
                    notes.append(ProgressNote(
                        action=action, date=day, author=author,
                        status=action.status if final else ActionStatus.IN_PROGRESS,
                        progress=action.progress if final else max(5, action.progress * (k + 1) // (count + 1)),
                        comment="Point de suivi trimestriel avec les partenaires." if not final else
                        "Point de suivi : avancement partagé en comité technique.",
                    ))  # fmt: skip
        SubAction.objects.bulk_create(subs, batch_size=5000)
        BudgetLine.objects.bulk_create(budgets, batch_size=5000)
        ResultIndicator.objects.bulk_create(results, batch_size=5000)
        ProgressNote.objects.bulk_create(notes, batch_size=5000)

        reviews, assessments = [], []
        for territory, body, animateur, _cochair in plans:
            roadmap = by_body[body.pk]
            reviews.append(AnnualReview(
                roadmap=roadmap, date=dt.date(2025, 3, 10 + territory.pk % 15), created_by=animateur,
                attendance="Co-présidents, animatrice, France Travail, mission locale, Région, chambres consulaires.",
                summary="Première année de mise en œuvre : la plupart des actions sont engagées ; quelques actions ont "
                "pris du retard faute de financement confirmé.",
                decisions="Prolonger les actions en retard de six mois ; solliciter l'OPCO pour le cofinancement.",
            ))  # fmt: skip
        AnnualReview.objects.bulk_create(reviews)
        for review in reviews:
            for priority in priorities_by_roadmap[review.roadmap_id]:
                assessments.append(PriorityAssessment(review=review, priority=priority,
                                                      rating=rng.choice(list(Assessment)),
                                                      comment="Appréciation partagée en plénière."))  # fmt: skip
        PriorityAssessment.objects.bulk_create(assessments)
        Roadmap.objects.filter(pk__in=[r.pk for r in roadmaps]).update(updated_at=timezone.now())
        self.counts |= {
            "roadmaps": len(roadmaps),
            "priorities": len(priorities),
            "actions": len(actions),
            "actions_per_roadmap": round(len(actions) / max(len(roadmaps), 1), 1),
            "progress_notes": len(notes),
            "sub_actions": len(subs),
        }
        statuses = defaultdict(int)
        for action in actions:
            statuses[action.status] += 1
        self.counts["action_statuses"] = dict(sorted(statuses.items()))

    def _status(self, start: dt.date, end: dt.date) -> tuple[str, int]:
        from roadmaps.models import ActionStatus as S

        rng = self.rng
        if start > PIVOT:
            return S.PLANNED, 0
        if end < PIVOT:
            status = rng.choices([S.DONE, S.ABANDONED, S.IN_PROGRESS, S.BLOCKED], weights=[70, 8, 15, 7])[0]
        else:
            status = rng.choices([S.IN_PROGRESS, S.PAUSED, S.BLOCKED, S.PLANNED, S.DONE], weights=[65, 10, 8, 7, 10])[0]
        progress = {S.DONE: 100, S.PLANNED: 0}.get(status)
        if progress is None:
            elapsed = (PIVOT - start).days / max((end - start).days, 1)
            progress = max(5, min(95, int(100 * min(elapsed, 1) * rng.uniform(0.5, 1.0)) // 5 * 5))
            if status == S.ABANDONED:  # given up early, as a rule
                progress = min(progress, rng.choice([5, 10, 20, 30]))
        return status, progress

    # -- repères ----------------------------------------------------------------------------------------------
    def indicators(self):
        from reperes.demo import DEMO_SOURCE, indicator_definitions
        from reperes.models import Indicator, Rule, Theme

        base = indicator_definitions() + [
            {"code": "entrees_formation", "label": "Entrées en formation des demandeurs d’emploi",
             "short_label": "Entrées en formation", "theme": Theme.FORMATION, "unit": "entrées", "order": 41,
             "method": "Entrées en formation dans l’année ; somme des communes."},
            {"code": "jeunes_accompagnes", "label": "Jeunes accompagnés par les missions locales",
             "short_label": "Jeunes accompagnés", "theme": Theme.MARCHE, "unit": "jeunes", "order": 42,
             "method": "Jeunes en contact dans l’année ; somme des communes."},
            {"code": "etablissements", "label": "Établissements employeurs", "short_label": "Établissements",
             "theme": Theme.ECONOMIE, "unit": "établissements", "order": 51,
             "method": "Établissements ayant au moins un salarié au 31 décembre ; somme des communes."},
        ]  # fmt: skip
        self.indicator_definitions = base
        series = INDICATOR_SERIES[: self.scale] if self.scale <= len(INDICATOR_SERIES) else [
            INDICATOR_SERIES[i % len(INDICATOR_SERIES)][:1] + (f"série {i + 1}",) for i in range(self.scale)
        ]  # fmt: skip
        if self.scale > len(INDICATOR_SERIES):
            series = [("", "")] + [(f"s{i}", label) for i, (_c, label) in enumerate(series[1:], start=1)]
        self.series = series
        created = {}
        for position, (suffix, label) in enumerate(series):
            ordered = sorted(base, key=lambda d: d.get("rule", Rule.SUM) != Rule.SUM)
            for definition in ordered:
                values = dict(definition)
                code = values.pop("code") + (f"_{suffix}" if suffix else "")
                for key in ("numerator", "denominator", "weight"):
                    if key in values:
                        values[key] = created[values[key] + (f"_{suffix}" if suffix else "")]
                values.setdefault("rule", Rule.SUM)
                if suffix:
                    values["label"] = f"{values['label']} — {label}"[:200]
                    values["short_label"] = f"{values.get('short_label', '')} ({label})"[:60]
                    values |= {"is_key": False, "chart": "", "chart_group": "", "order": 100 + position}
                indicator, _ = Indicator.objects.update_or_create(
                    code=code[:60], defaults={**DEMO_SOURCE, **values, "is_demo": True}
                )
                created[code] = indicator
        self.indicators_by_code = created
        self.counts["indicators"] = len(created)

    def observations(self):
        """Commune values: the base trends computed here (one value per commune, year and base indicator), then
        expanded to every series in PostgreSQL with a deterministic noise (md5 of commune, indicator, period)."""
        from django.db import connection

        from reperes.demo import CommuneProfile
        from reperes.models import Rule

        rng = random.Random(f"{self.seed}-reperes")

        def base_rows():
            # The demo's distributions (reperes/demo.py), without noise nor rounding: smooth trends, the noise is
            # added per series below.
            for position, (code, _name, population, *_rest) in enumerate(self.communes):
                commune = CommuneProfile.draw(rng, population)
                for index, year in enumerate(YEARS):
                    values = commune.year_values(index, whole=False)
                    values |= {
                        "entrees_formation": values["defm_abc"] * 0.18,
                        "jeunes_accompagnes": commune.size(index) * 0.012,
                        "etablissements": values["emploi_salarie"] / 9.5,
                        **commune.age_values(index, whole=False),
                    }
                    for base_code, value in values.items():
                        yield (code, position, year, base_code, value)

        # Series: base indicator code → (indicator id, code, factor, decimals). The first series is the whole
        # population (factor 1), the others a share of it (a public), the mean wage a little lower or higher.
        factors = {suffix: (1.0 if not suffix else rng.uniform(0.08, 0.55)) for suffix, _l in self.series}
        series_rows = []
        for definition in self.indicator_definitions:
            if definition.get("rule", Rule.SUM) == Rule.RATIO:
                continue
            for suffix, _label in self.series:
                code = definition["code"] + (f"_{suffix}" if suffix else "")
                indicator = self.indicators_by_code[code]
                money = definition["code"] == "salaire_horaire"
                factor = (0.9 + factors[suffix] / 5 if suffix else 1.0) if money else factors[suffix]
                series_rows.append((definition["code"], indicator.pk, len(series_rows), factor, 2 if money else 0))
        with connection.cursor() as cursor:
            # Memory for the sort and the index builds of this bulk write (this transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute(
                "CREATE TEMP TABLE bench_base (code text, ordinal bigint, period text, base_code text, value float8) "
                "ON COMMIT DROP; CREATE TEMP TABLE bench_series (base_code text, indicator_id bigint, ordinal bigint, "
                "factor float8, decimals int) ON COMMIT DROP"
            )
        base = copy_rows("bench_base", ["code", "ordinal", "period", "base_code", "value"], base_rows())
        copy_rows("bench_series", ["base_code", "indicator_id", "ordinal", "factor", "decimals"], series_rows)
        # Noise of ±3 % from a multiplicative hash of (commune, series, year): cheap integer arithmetic.
        with dropped_indexes("reperes_observation"), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO reperes_observation (indicator_id, level, code, period, period_date, value, is_computed)
                SELECT s.indicator_id, 'commune', b.code, b.period, make_date(b.period::int, 1, 1),
                       round((b.value * s.factor * (0.97 + 0.06 * (((b.ordinal * 2654435761 + s.ordinal * 40503
                       + b.period::int * 97) % 1000003) / 1000003.0)))::numeric, s.decimals),
                       false
                FROM bench_base b JOIN bench_series s ON s.base_code = b.base_code
                """
            )
            self.counts["commune_values"] = cursor.rowcount
        self.counts["base_values_computed_in_python"] = base

    def aggregate_and_sheets(self):
        from reperes import aggregation
        from reperes.sheets import build_sheets

        with self.timer.step("repères : agrégation complète (reperes.aggregation.rebuild)"):
            summary = aggregation.rebuild()
        self.counts["aggregated_values"] = summary["written"]
        self.counts["aggregation_seconds"] = summary["seconds"]
        # Every sheet at scale 1 (the soak visits them all); above, the sheets of the measured pages only (the
        # others are built on a first visit, as after an import).
        codes = None if self.scale == 1 else SHEET_TERRITORIES
        with self.timer.step(f"repères : fiches ({'toutes' if codes is None else ', '.join(codes)}, 2 publics)"):
            self.counts["sheets"] = build_sheets(territory_codes=codes)["count"]

    # -- veille -----------------------------------------------------------------------------------------------
    def veille(self):
        from django.db import connection
        from django.utils import timezone

        from accounts.models import User
        from veille.models import NewsItem, Source, Subscription, Theme
        from veille.search import update_search_vectors
        from veille.tagging import ThemeMatcher, ensure_default_themes, item_text
        from veille.text import canonical_url, title_key

        rng = random.Random(f"{self.seed}-veille-{self.scale}")
        ensure_default_themes()
        sources = []
        for name in NEWS_SOURCES:
            source, _ = Source.objects.get_or_create(
                name=f"{name} (banc d'essai)",
                defaults={"kind": Source.Kind.MANUAL, "is_demo": True,
                          "last_fetch_message": "Source générée pour les mesures de performance."},
            )  # fmt: skip
            sources.append(source)
        matcher = ThemeMatcher(Theme.objects.all())
        towns = {tid: [r for r in rows if r[2] >= 1500] or rows[:3] for tid, rows in self.communes_by_territory.items()}
        territory_ids = sorted(towns)
        first = next_id(NewsItem)
        now = timezone.now()
        start = aware(dt.date(2023, 1, 1))
        span = (aware(PIVOT) - start).total_seconds()
        count = self.volumes["news_items"]
        items, tags, theme_links = [], [], []
        for index in range(count):
            pk = first + index
            sector = rng.choice(SECTORS)
            values = {"n": rng.randint(8, 400), "p": rng.randint(2, 15), "job": rng.choice(JOBS),
                      "event": rng.choice(EVENTS), "sector_of": sector[0], "sector_adj": sector[1]}  # fmt: skip
            found = []
            if rng.random() < 0.1:
                title = rng.choice(REGIONAL_HEADLINES).format(**values)
                values |= {"e": "la Région"}
            else:
                territory_id = rng.choice(territory_ids)
                row = towns[territory_id][min(int(rng.expovariate(1 / 4)), len(towns[territory_id]) - 1)]
                other_id = rng.choice(territory_ids)
                row2 = towns[other_id][min(int(rng.expovariate(1 / 4)), len(towns[other_id]) - 1)]
                values |= {"c": row[1], "c2": row2[1], "e": row[5] or row[1]}
                template = rng.choice(NEWS_HEADLINES)
                title = template.format(**values)
                found.append((territory_id, row[1]))
                if "{c2}" in template and other_id != territory_id:
                    found.append((other_id, row2[1]))
            title = title[0].upper() + title[1:]
            summary = " ".join(s.format(**values) for s in rng.sample(NEWS_SENTENCES, rng.randint(2, 4)))
            published = start + dt.timedelta(seconds=rng.random() * span)
            status = rng.choices(["published", "hidden", "draft"], weights=[96, 3, 1])[0]
            link = f"https://presse.{DOMAIN}/articles/{pk}"
            items.append((pk, rng.choice(sources).pk, title[:500], title_key(title)[:500], summary, link,
                          canonical_url(link)[:1000], published, now, published, status, rng.random() < 0.002,
                          True, now))  # fmt: skip
            for territory_id, term in found:
                tags.append((pk, territory_id, json.dumps([term]), 0.9, False))
            for theme_id in matcher.match(item_text(title, summary)):
                theme_links.append((pk, theme_id))
        columns = ["id", "source_id", "title", "title_key", "summary", "link", "canonical_url", "published_at",
                   "created_at", "listed_at", "status", "featured", "is_demo", "tagged_at"]  # fmt: skip
        # Items, tags and themes written without their indexes; the vectors (computed from the tag tables) once
        # the tag tables are indexed again, before the items' own indexes (GIN included) are rebuilt.
        with dropped_indexes("veille_newsitem"):
            with self.timer.step("veille : articles, étiquettes et thèmes (COPY)"):
                with dropped_indexes("veille_territorytag", "veille_newsitem_themes"):
                    copy_rows("veille_newsitem", columns, items)
                    reset_sequence(NewsItem)
                    tag_columns = ["item_id", "territory_id", "matched_terms", "confidence", "is_manual"]
                    copy_rows("veille_territorytag", tag_columns, sorted(set(tags), key=lambda t: (t[0], t[1])))
                    copy_rows("veille_newsitem_themes", ["newsitem_id", "theme_id"], theme_links)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE veille_territorytag; ANALYZE veille_newsitem_themes")
            with self.timer.step("veille : vecteurs de recherche plein texte (update_search_vectors)"):
                update_search_vectors(NewsItem.objects.filter(pk__gte=first))
            self.timer.log("  · veille : index de la table des articles…")
        latest = list(
            NewsItem.objects.filter(status="published").order_by("-published_at").values_list("pk", flat=True)[:3]
        )
        NewsItem.objects.filter(pk__in=latest).update(featured=True)
        # 5 % of the actors subscribe to the digest of one to three territories and one or two themes.
        users = list(User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("pk").values_list("pk", flat=True))
        themes = list(Theme.objects.values_list("pk", flat=True))
        chosen = rng.sample(users, len(users) // 20)
        subscriptions = Subscription.objects.bulk_create(
            [Subscription(user_id=u, frequency=rng.choice(["daily", "weekly", "weekly"])) for u in chosen]
        )
        through_t, through_th = Subscription.territories.through, Subscription.themes.through
        through_t.objects.bulk_create(
            [through_t(subscription=s, territory_id=t) for s in subscriptions
             for t in rng.sample(territory_ids, rng.randint(1, 3))]
        )  # fmt: skip
        through_th.objects.bulk_create(
            [
                through_th(subscription=s, theme_id=t)
                for s in subscriptions
                for t in rng.sample(themes, rng.randint(1, 2))
            ]
        )
        self.counts |= {
            "news_items": NewsItem.objects.count(),
            "news_territory_tags": len(set(tags)),
            "news_theme_links": len(theme_links),
            "news_sources": Source.objects.count(),
            "subscriptions": len(subscriptions),
        }

    # -- all --------------------------------------------------------------------------------------------------
    def run(self) -> dict:
        from django.db import connection, transaction

        if connection.vendor != "postgresql":
            raise SystemExit(
                "Le générateur du banc d'essai ne fonctionne que sur PostgreSQL (DATABASE_URL=postgres://…)."
            )
        started = time.perf_counter()
        step = self.timer.step
        self.load_geography()
        with transaction.atomic():
            with step(f"acteurs ({self.volumes['actors']} structures, contacts, appartenances)"):
                self.actors()
            with step("réunions"):
                self.meetings()
            with step("préconisations (311, fictives)"):
                self.recommendations()
            with step(f"feuilles de route (~{self.volumes['actions_per_roadmap']} actions chacune)"):
                self.roadmaps()
            with step(f"repères : {30 * self.scale} indicateurs"):
                self.indicators()
            with step(f"repères : valeurs des 1 228 communes × {len(YEARS)} périodes"):
                self.observations()
        self.aggregate_and_sheets()
        with transaction.atomic(), step(f"veille : {self.volumes['news_items']} articles"):
            self.veille()
        with step("VACUUM ANALYZE"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return {
            "version": VERSION,
            "scale": self.scale,
            "seed": self.seed,
            "pivot": PIVOT.isoformat(),
            "volumes": self.volumes,
            "counts": self.counts,
            "steps_seconds": self.timer.steps,
            "seconds": round(time.perf_counter() - started, 1),
            "note": NOTE,
        }


NOTE = (
    "18 territoires EFOP réels (COG 2026) et 311 préconisations (nombre réel, contenu fictif) identiques à toutes "
    "les échelles ; acteurs, actions par feuille de route, indicateurs × périodes et articles de veille × échelle."
)


def generate_base(log=print) -> dict:
    """What every scale shares (Django set up, database migrated): the real reference data and the
    demonstration accounts and bodies, so that pages can be read as a Clefop, Cdefop or Crefop member or staff."""
    from django.core.management import call_command

    from accounts.demo import load_demo as accounts_demo
    from clefop.demo import load_demo as clefop_demo
    from offer.demo import load_offer_demo

    timer = Timer(log)
    with timer.step("données de référence (load_reference_data)"):
        call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with timer.step("comptes et instances de démonstration (accounts, clefop)"):
        accounts = accounts_demo()["accounts"] + clefop_demo()["accounts"]
    with timer.step("offre de services de démonstration (dispositifs, sessions, inscriptions)"):
        load_offer_demo()
    return {"steps_seconds": timer.steps, "accounts": accounts}


def generate(scale: int, *, seed: int = SEED, log=print) -> dict:
    """Fill the current database (a copy of the base) at ``scale``; Django must be set up."""
    return Generator(scale, seed, log).run()


BASE = f"{os.environ.get('BENCH_DB_PREFIX', 'srefop_bench')}_base"  # see bench/harness.py DB_PREFIX


def schema_fingerprint() -> str:
    """Hash of the project's migration files: a database generated under other migrations is not reused."""
    import hashlib

    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(ROOT.glob("*/migrations/0*.py")) + sorted(ROOT.glob("srefop_portal/*/migrations/0*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _child(scale: int, *args: str, output: Path, database: str | None = None) -> dict:
    import subprocess

    from bench import harness

    command = [sys.executable, "-m", "bench.generate", *args, "--output", str(output)]
    subprocess.run(command, cwd=ROOT, env=harness.environment(scale, database), check=True)
    return json.loads(output.read_text(encoding="utf-8"))


def prepare_base(log=print) -> dict:
    """``srefop_bench_base``: migrated, reference data, demonstration accounts (copied for every scale)."""
    from bench import harness

    started = time.perf_counter()
    log(f"Base commune {BASE} : création, migrations, données de référence, comptes de démonstration…")
    harness.recreate_database(BASE)
    harness.manage(0, "migrate", "--noinput", database=BASE)
    harness.VAR_DIR.mkdir(parents=True, exist_ok=True)
    result = _child(0, "--base", output=harness.VAR_DIR / "base.json", database=BASE)
    result["seconds"] = round(time.perf_counter() - started, 1)
    harness.label_database(BASE, {"version": VERSION, "schema": schema_fingerprint()})
    log(f"  base prête en {result['seconds']} s")
    return result


def prepare(scale: int, *, seed: int = SEED, reuse: bool = False, base: bool = True, log=print) -> dict:
    """``srefop_bench_s<scale>`` afresh as a copy of the base database, then generated in a child process; with
    ``reuse``, kept if it already holds the data of this generator, seed and migrations. The base is made first
    (``base``), or when missing or made under other migrations."""
    from bench import harness

    name = harness.database_name(scale)
    if reuse and harness.database_exists(name):
        label = harness.database_label(name)
        wanted = {"version": VERSION, "scale": scale, "seed": seed, "schema": schema_fingerprint()}
        if all(label.get(key) == value for key, value in wanted.items()):
            log(f"Base {name} réutilisée (générée le {label.get('generated_at')}, --reuse).")
            return label | {"reused": True}
    current = harness.database_exists(BASE) and harness.database_label(BASE) == {
        "version": VERSION,
        "schema": schema_fingerprint(),
    }
    base_seconds = prepare_base(log)["seconds"] if base or not current else 0
    harness.recreate_database(name, template=BASE)
    log(f"Base {name} : génération à l'échelle {scale}…")
    result = _child(scale, "--scale", str(scale), "--seed", str(seed), "--child",
                    output=harness.VAR_DIR / f"generate-s{scale}.json")  # fmt: skip
    result["generated_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    result["schema"] = schema_fingerprint()
    result["base_seconds"] = base_seconds
    keys = ("version", "scale", "seed", "schema", "generated_at", "counts", "seconds")
    harness.label_database(name, {k: result[k] for k in keys})
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reuse", action="store_true", help="garder la base si elle contient déjà ces données")
    parser.add_argument("--base", action="store_true", help=argparse.SUPPRESS)  # child: fill the base database
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # child: fill a scale database
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (args.base or args.child):
        result = prepare(args.scale, seed=args.seed, reuse=args.reuse)
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    import django

    django.setup()

    def log(message):
        print(message, flush=True)

    if args.base:
        result = generate_base(log=log)
    else:
        log(f"Génération à l'échelle {args.scale} (graine {args.seed}) :")
        result = generate(args.scale, seed=args.seed, log=log)
        log(f"Échelle {args.scale} générée en {result['seconds']} s.")
    if args.output:
        args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
