"""Demonstration data for the repères: a generated, plausible data set for every commune over 2016-2025.

Values are derived from the real municipal population with a fixed random seed (same data at every run), written as
CSV files in a temporary folder and loaded through the same importer as staff files. Every indicator is flagged
``is_demo`` and every page and PDF showing one says « données de démonstration ». Idempotent.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from territories.models import Commune

from .models import ChartKind, ImportBatch, Indicator, Rule, Theme
from .services import apply_import, create_batch
from .sheets import build_sheets

YEARS = list(range(2016, 2026))
SEED = 2026
DEMO_SOURCE = {
    "source_producer": "Portail Srefop (démonstration)",
    "source_dataset": "Jeu de données généré pour la démonstration — ne décrit pas la réalité",
    "source_licence": "Licence Ouverte / Etalab 2.0",
    "source_vintage": "Démonstration 2016-2025",
}
# Demandeurs d'emploi: regional trend of the rate (index), as a business cycle would draw it.
CYCLE = {2016: 1.10, 2017: 1.07, 2018: 1.03, 2019: 0.98, 2020: 1.04, 2021: 0.99, 2022: 0.93, 2023: 0.92, 2024: 0.95,
         2025: 0.98}  # fmt: skip
SECTORS = [
    ("emploi_agriculture", "Agriculture", 0.04),
    ("emploi_industrie", "Industrie", 0.17),
    ("emploi_construction", "Construction", 0.075),
    ("emploi_commerce_services", "Commerce et services", 0.45),
    ("emploi_administration", "Administration, santé", 0.265),
]
AGE_BANDS = [("0014", "0-14 ans", 0.175), ("1529", "15-29 ans", 0.165), ("3044", "30-44 ans", 0.18),
             ("4559", "45-59 ans", 0.195), ("6074", "60-74 ans", 0.175), ("75p", "75 ans et plus", 0.11)]  # fmt: skip


def indicator_definitions() -> list[dict]:
    defs = [
        {
            "code": "defm_abc",
            "label": "Demandeurs d’emploi inscrits en catégories A, B, C",
            "short_label": "DEFM ABC",
            "theme": Theme.DEMANDEURS,
            "unit": "personnes",
            "is_key": True,
            "chart": ChartKind.EVOLUTION,
            "order": 10,
            "method": "Demandeurs d’emploi en fin de mois, moyenne annuelle ; somme des communes.",
        },
        {
            "code": "defm_a",
            "label": "Demandeurs d’emploi inscrits en catégorie A",
            "short_label": "DEFM A",
            "theme": Theme.DEMANDEURS,
            "unit": "personnes",
            "is_key": True,
            "chart": ChartKind.EVOLUTION,
            "order": 11,
            "method": "Sans emploi, tenus de rechercher un emploi ; moyenne annuelle ; somme des communes.",
        },
        {
            "code": "pop_active",
            "label": "Population active",
            "short_label": "Actifs",
            "theme": Theme.EMPLOI,
            "unit": "personnes",
            "order": 20,
            "method": "Actifs de 15 à 64 ans ; somme des communes.",
        },
        {
            "code": "taux_chomage",
            "label": "Taux de chômage (approché)",
            "short_label": "Taux de chômage",
            "theme": Theme.DEMANDEURS,
            "unit": "%",
            "decimals": 1,
            "rule": Rule.RATIO,
            "numerator": "defm_abc",
            "denominator": "pop_active",
            "factor": 100,
            "is_key": True,
            "chart": ChartKind.EVOLUTION,
            "order": 12,
            "method": "Demandeurs d’emploi ABC rapportés à la population active × 100, calculé à chaque niveau à "
            "partir des sommes (démonstration, pas le taux localisé de l’Insee).",
        },
        {
            "code": "offres_emploi",
            "label": "Offres d’emploi déposées",
            "short_label": "Offres",
            "theme": Theme.MARCHE,
            "unit": "offres",
            "chart": ChartKind.EVOLUTION,
            "order": 30,
            "method": "Offres déposées dans l’année ; somme.",
        },
        {
            "code": "apprentis",
            "label": "Apprentis",
            "short_label": "Apprentis",
            "theme": Theme.FORMATION,
            "unit": "apprentis",
            "chart": ChartKind.EVOLUTION,
            "order": 40,
            "method": "Contrats d’apprentissage en cours au 31 décembre ; somme.",
        },
        {
            "code": "emploi_salarie",
            "label": "Emploi salarié total",
            "short_label": "Emploi salarié",
            "theme": Theme.EMPLOI,
            "unit": "emplois",
            "is_key": True,
            "order": 21,
            "method": "Postes salariés au lieu de travail ; somme.",
        },
        {
            "code": "emploi_55_plus",
            "label": "Emploi salarié des 55 ans et plus",
            "short_label": "Salariés 55 ans et +",
            "theme": Theme.EMPLOI,
            "unit": "emplois",
            "is_public": False,
            "order": 27,
            "method": "Somme des communes.",
        },
        {
            "code": "part_55_plus",
            "label": "Part des 55 ans et plus dans l’emploi salarié",
            "short_label": "Part 55 ans et +",
            "theme": Theme.EMPLOI,
            "unit": "%",
            "decimals": 1,
            "rule": Rule.RATIO,
            "numerator": "emploi_55_plus",
            "denominator": "emploi_salarie",
            "factor": 100,
            "is_public": False,
            "chart": ChartKind.EVOLUTION,
            "order": 28,
            "method": "Salariés de 55 ans et plus / emploi salarié total × 100 (réservé aux membres).",
        },
        {
            "code": "salaire_horaire",
            "label": "Salaire net horaire moyen",
            "short_label": "Salaire horaire",
            "theme": Theme.ECONOMIE,
            "unit": "€",
            "decimals": 2,
            "rule": Rule.WEIGHTED_MEAN,
            "weight": "emploi_salarie",
            "is_public": False,
            "chart": ChartKind.EVOLUTION,
            "order": 50,
            "method": "Moyenne des communes pondérée par l’emploi salarié (réservé aux membres).",
        },
    ]
    for position, (code, label, _share) in enumerate(SECTORS):
        defs.append(
            {
                "code": code,
                "label": f"Emploi salarié — {label.lower()}",
                "short_label": label,
                "theme": Theme.EMPLOI,
                "unit": "emplois",
                "chart": ChartKind.BREAKDOWN,
                "chart_group": "Emploi salarié par grand secteur",
                "order": 22 + position,
                "method": "Postes salariés du secteur ; somme des communes.",
            }
        )
    for sex, kind, offset in (("h", ChartKind.PYRAMID_MEN, 60), ("f", ChartKind.PYRAMID_WOMEN, 70)):
        for position, (band, label, _share) in enumerate(AGE_BANDS):
            defs.append(
                {
                    "code": f"pop_{sex}_{band}",
                    "label": f"{'Hommes' if sex == 'h' else 'Femmes'} de {label}",
                    "short_label": label,
                    "theme": Theme.DEMOGRAPHIE,
                    "unit": "habitants",
                    "chart": kind,
                    "order": offset + position,
                    "method": "Population par sexe et âge ; somme des communes.",
                }
            )
    return defs


@transaction.atomic
def ensure_indicators() -> dict[str, Indicator]:
    indicators = {}
    definitions = indicator_definitions()
    # Plain indicators first, then those computed from them.
    for definition in sorted(definitions, key=lambda d: d.get("rule", Rule.SUM) != Rule.SUM):
        values = dict(definition)
        code = values.pop("code")
        for key in ("numerator", "denominator", "weight"):
            if key in values:
                values[key] = indicators[values[key]]
        values.setdefault("rule", Rule.SUM)
        indicator, _ = Indicator.objects.update_or_create(
            code=code, defaults={**DEMO_SOURCE, **values, "is_demo": True}
        )
        indicators[code] = indicator
    return indicators


def _csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _fr(value: float, decimals: int = 0) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def midpoint(low: float, high: float) -> float:
    """A draw without noise: the middle of the range (smooth trends, as the bench generator wants them)."""
    return (low + high) / 2


# The columns of the demo files, in the order written.
LONG_FILE_CODES = ("defm_abc", "defm_a", "pop_active", "offres_emploi", "apprentis")
WIDE_FILE_CODES = (*(name for name, _label, _share in SECTORS), "emploi_salarie", "emploi_55_plus")


@dataclass(frozen=True)
class CommuneProfile:
    """What is drawn once for a commune; each of its values, year after year, follows from it.

    Shared by the demo files (noise drawn from the same generator, counts rounded) and the bench generator
    (``bench/generate.py``: no noise, unrounded). The order of the draws is part of the seeded output: changing it
    changes every demo value after it.
    """

    population: int
    activity: float
    rate: float
    attractiveness: float
    growth: float
    wage: float
    sector_shares: tuple[float, ...]
    share_55: float

    @classmethod
    def draw(cls, rng: random.Random, population: int) -> CommuneProfile:
        population = max(population, 30)
        activity = rng.uniform(0.43, 0.49)
        rate = rng.uniform(0.065, 0.125) * (1.15 if population > 20000 else 1.0)
        attractiveness = rng.lognormvariate(0, 0.35) * (1.25 if population > 10000 else 0.85)
        growth = rng.uniform(-0.004, 0.012)
        wage = rng.uniform(13.6, 15.4) + (0.9 if population > 20000 else 0.0)
        shares = [share * rng.uniform(0.6, 1.5) * (2.2 if name == "emploi_agriculture" and population < 2000 else 1)
                  for name, _label, share in SECTORS]  # fmt: skip
        share_55 = rng.uniform(0.17, 0.22)
        return cls(population, activity, rate, attractiveness, growth, wage, tuple(shares), share_55)

    def size(self, index: int) -> float:
        """Population of year ``YEARS[index]``: the real population in the last year, a steady trend before."""
        return self.population * (1 + self.growth) ** (index - (len(YEARS) - 1))

    def year_values(self, index: int, *, draw: Callable[[float, float], float] = midpoint, whole: bool = True):
        """Every yearly value of year ``YEARS[index]``, by indicator code.

        ``draw(low, high)`` gives the noise factors (``rng.uniform`` for the demo files); with ``whole`` counts are
        rounded to units, and the rounded counts are the ones the next values derive from (as in the files).
        """
        year = YEARS[index]
        count = round if whole else float
        size = self.size(index)
        active = count(size * self.activity)
        defm_abc = count(active * self.rate * CYCLE[year] * draw(0.97, 1.03))
        defm_a = count(defm_abc * draw(0.52, 0.6))
        jobs = size * 0.33 * self.attractiveness * (1 + 0.006 * index)
        total_share = sum(self.sector_shares)
        sector_jobs = [count(jobs * share / total_share) for share in self.sector_shares]
        employment = sum(sector_jobs)
        offers = count(employment * draw(0.045, 0.075) * (2 - CYCLE[year]))
        apprentices = count(employment * draw(0.025, 0.045))
        over_55 = count(employment * (self.share_55 + 0.004 * index))
        hourly = self.wage * (1 + 0.018 * index) * draw(0.99, 1.01)
        return {
            "defm_abc": defm_abc,
            "defm_a": defm_a,
            "pop_active": active,
            "offres_emploi": offers,
            "apprentis": apprentices,
            **{name: jobs for (name, _label, _share), jobs in zip(SECTORS, sector_jobs, strict=True)},
            "emploi_salarie": employment,
            "emploi_55_plus": over_55,
            "salaire_horaire": hourly,
        }

    def age_values(self, index: int, *, draw: Callable[[float, float], float] = midpoint, whole: bool = True):
        """Population by sex and age band in year ``YEARS[index]``: men (``pop_h_...``) first, then women."""
        count = round if whole else float
        size = self.size(index)
        men, women = {}, {}
        for band, _label, share in AGE_BANDS:
            part = size * share * draw(0.9, 1.1)
            women_share = 0.51 if band != "75p" else 0.6
            men[f"pop_h_{band}"] = count(part * (1 - women_share))
            women[f"pop_f_{band}"] = count(part * women_share)
        return men | women


def generate_files(directory: Path) -> list[tuple[Path, str, dict]]:
    """The three demo files: (path, format, options)."""
    rng = random.Random(SEED)
    communes = list(Commune.objects.order_by("code").values_list("code", "population"))
    long_rows, wide_rows, age_rows = [], [], []
    for code, population in communes:
        commune = CommuneProfile.draw(rng, population)
        for index, year in enumerate(YEARS):
            values = commune.year_values(index, draw=rng.uniform)
            long_rows += [[name, "commune", code, str(year), str(values[name])] for name in LONG_FILE_CODES]
            wide = [str(values[name]) for name in WIDE_FILE_CODES]
            wide_rows.append([code, str(year), *wide, _fr(values["salaire_horaire"], 2)])
        ages = commune.age_values(len(YEARS) - 1, draw=rng.uniform)
        age_rows.append([code, *map(str, ages.values())])
    files = []
    path = directory / "demo-demandeurs-emploi-offres-apprentis.csv"
    path.write_bytes(_csv(["indicateur", "niveau", "code_geo", "periode", "valeur"], long_rows))
    files.append((path, ImportBatch.Format.LONG, {}))
    path = directory / "demo-emploi-salarie.csv"
    headers = ["code_geo", "periode", *[name for name, _l, _s in SECTORS], "emploi_total", "emploi_55_plus", "salaire"]
    path.write_bytes(_csv(headers, wide_rows))
    files.append(
        (
            path,
            ImportBatch.Format.WIDE_INDICATORS,
            {"level": "commune", "columns": "emploi_total = emploi_salarie\nsalaire = salaire_horaire"},
        )
    )
    path = directory / "demo-population-par-age-2025.csv"
    headers = ["code_geo", *[f"pop_h_{b}" for b, _l, _s in AGE_BANDS], *[f"pop_f_{b}" for b, _l, _s in AGE_BANDS]]
    path.write_bytes(_csv(headers, age_rows))
    files.append((path, ImportBatch.Format.WIDE_INDICATORS, {"level": "commune", "period": "2025"}))
    return files


def load_demo() -> dict:
    started = time.perf_counter()
    ensure_indicators()
    loaded = []
    with tempfile.TemporaryDirectory(prefix="srefop-reperes-demo-") as tmp:
        for path, format, options in generate_files(Path(tmp)):
            already = ImportBatch.objects.filter(
                is_demo=True, filename=path.name, status=ImportBatch.Status.APPLIED
            ).exists()
            if already:
                continue
            batch = create_batch(
                user=None, data=path.read_bytes(), filename=path.name, format=format, options=options, is_demo=True
            )
            apply_import(batch=batch, queue_sheets=False)
            loaded.append(path.name)
    summary = build_sheets()
    seconds = time.perf_counter() - started
    files = f"{len(loaded)} fichier(s) importé(s)" if loaded else "fichiers déjà importés"
    return {
        "message": f"indicateurs de démonstration ({files}), {summary['count']} fiches repères construites "
        f"en {seconds:.0f} s",
        "accounts": [],
    }
