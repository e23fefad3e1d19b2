"""Loading the COG 2026 geography and the indicative composition of the 18 territoires EFOP.

Idempotent: running it again updates names and populations and leaves the composition as it is
(a composition changed by staff or imported from the official file is never overwritten).
"""

from __future__ import annotations

import csv
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Commune, CompositionChange, CompositionStatus, Departement, Epci, Region, Territory

DATA_DIR = Path(__file__).resolve().parent / "data"
COG_DIR = DATA_DIR / "cog-2026"
INDICATIVE_CSV = DATA_DIR / "territoires-efop-indicatifs.csv"
REGION_CODE = "52"


@dataclass
class LoadReport:
    regions: int = 0
    departements: int = 0
    epci: int = 0
    communes: int = 0
    territories: int = 0
    assigned: int = 0

    def __str__(self):
        return (
            f"{self.regions} région, {self.departements} départements, {self.epci} EPCI, "
            f"{self.communes} communes, {self.territories} territoires ({self.assigned} communes rattachées)"
        )


def _read_json(directory: Path, name: str):
    with open(directory / name, encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_geography(cog_dir: Path | None = None, territories_csv: Path | None = None) -> LoadReport:
    cog_dir = Path(cog_dir or COG_DIR)
    report = LoadReport()

    regions = [r for r in _read_json(cog_dir, "regions.json") if r["code"] == REGION_CODE]
    for record in regions:
        Region.objects.update_or_create(code=record["code"], defaults={"name": record["nom"]})
    region = Region.objects.get(code=REGION_CODE)
    report.regions = 1

    departements = {}
    for record in _read_json(cog_dir, "departements.json"):
        if record.get("region") != REGION_CODE:
            continue
        dep, _ = Departement.objects.update_or_create(
            code=record["code"],
            defaults={"name": record["nom"], "region": region, "chef_lieu": record.get("chefLieu", "")},
        )
        departements[dep.code] = dep
    report.departements = len(departements)

    communes_data = [
        c
        for c in _read_json(cog_dir, "communes.json")
        if c.get("region") == REGION_CODE and c.get("type", "commune-actuelle") == "commune-actuelle"
    ]
    region_codes = {c["code"] for c in communes_data}

    epci_of_commune: dict[str, str] = {}
    epci_by_siren = {}
    for record in _read_json(cog_dir, "epci.json"):
        members = [m["code"] for m in record.get("membres", []) if m["code"] in region_codes]
        if not members:
            continue
        epci, _ = Epci.objects.update_or_create(
            siren=record["code"],
            defaults={
                "name": record["nom"],
                "kind": record.get("type", ""),
                "financing": record.get("modeFinancement", ""),
            },
        )
        epci_by_siren[epci.siren] = epci
        for code in members:
            epci_of_commune[code] = epci.siren
    report.epci = len(epci_by_siren)

    existing = {c.code: c for c in Commune.objects.all()}
    to_create, to_update = [], []
    for record in communes_data:
        epci = epci_by_siren.get(epci_of_commune.get(record["code"], ""))
        values = {
            "name": record["nom"],
            "siren": record.get("siren", ""),
            "departement": departements[record["departement"]],
            "epci": epci,
            "population": record.get("population") or 0,
            "postal_codes": record.get("codesPostaux", []),
        }
        commune = existing.get(record["code"])
        if commune is None:
            to_create.append(Commune(code=record["code"], **values))
        else:
            for key, value in values.items():
                setattr(commune, key, value)
            to_update.append(commune)
    Commune.objects.bulk_create(to_create, batch_size=500)
    Commune.objects.bulk_update(
        to_update, ["name", "siren", "departement", "epci", "population", "postal_codes"], batch_size=500
    )
    report.communes = len(communes_data)

    report.territories, report.assigned = _load_indicative_territories(
        Path(territories_csv or INDICATIVE_CSV), departements
    )
    return report


def _load_indicative_territories(path: Path, departements) -> tuple[int, int]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    territories = {}
    for row in rows:
        code = row["code_territoire"].strip()
        if code not in territories:
            territory, _ = Territory.objects.get_or_create(
                code=code,
                defaults={"name": row["nom_territoire"].strip(), "departement": departements[row["departement"]]},
            )
            territories[code] = territory
    status = CompositionStatus.current()
    # The composition is set only for communes not yet assigned: staff changes and the
    # official file are never overwritten by a reload.
    unassigned = Commune.objects.filter(territory__isnull=True)
    if not unassigned.exists():
        return len(territories), 0
    batch = uuid.uuid4()
    changes, assigned = [], 0
    for row in rows:
        territory = territories[row["code_territoire"].strip()]
        key = row["siren_epci"].strip()
        if key.startswith("commune:"):
            communes = unassigned.filter(code=key.split(":", 1)[1])
        else:
            communes = unassigned.filter(epci__siren=key)
        for commune in communes:
            changes.append(
                CompositionChange(
                    batch=batch,
                    kind=CompositionChange.Kind.INITIAL,
                    commune=commune,
                    epci=commune.epci,
                    to_territory=territory,
                    reason="Composition indicative chargée avec les données de référence",
                )
            )
        assigned += communes.update(territory=territory)
    CompositionChange.objects.bulk_create(changes, batch_size=500)
    if not status.is_official:
        status.source = "Composition indicative (établie à partir des EPCI)"
        status.save()
    return len(territories), assigned
