"""Benchmark of the repères aggregation (not a test): full rebuild of 1,228 communes × 30 indicators × 10 periods.

Target (issue 5): 10 s or less on PostgreSQL. Run:

    createdb -h 127.0.0.1 -U postgres srefop_bench_reperes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/srefop_bench_reperes python -m bench.reperes_bench

Generates the data once (26 summed indicators, 2 ratios, 2 weighted means, 2016-2025, every commune), then times
``reperes.aggregation.rebuild()`` (best and median of 3 runs) and the build of the 36 sheets.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srefop_portal.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/srefop_bench_reperes")
os.environ.setdefault("SREFOP_VAR_DIR", "/tmp/srefop-bench-reperes-var")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from reperes import aggregation  # noqa: E402
from reperes.models import Indicator, Level, Observation, Rule, Theme, period_date  # noqa: E402
from reperes.sheets import build_sheets  # noqa: E402
from territories.models import Commune  # noqa: E402

YEARS = [str(y) for y in range(2016, 2026)]
PREFIX = "bench_"


def prepare() -> int:
    call_command("migrate", verbosity=0)
    if not Commune.objects.exists():
        call_command("load_reference_data", verbosity=0)
    Indicator.objects.filter(code__startswith=PREFIX, rule__in=[Rule.RATIO, Rule.WEIGHTED_MEAN]).delete()
    Indicator.objects.filter(code__startswith=PREFIX).delete()
    sums = [
        Indicator.objects.create(code=f"{PREFIX}sum_{i:02d}", label=f"Bench somme {i}", theme=Theme.EMPLOI)
        for i in range(26)
    ]
    for i in range(2):
        Indicator.objects.create(
            code=f"{PREFIX}ratio_{i}", label=f"Bench rapport {i}", theme=Theme.EMPLOI, rule=Rule.RATIO,
            numerator=sums[2 * i], denominator=sums[2 * i + 1], factor=100,
        )  # fmt: skip
        Indicator.objects.create(
            code=f"{PREFIX}mean_{i}", label=f"Bench moyenne {i}", theme=Theme.ECONOMIE, rule=Rule.WEIGHTED_MEAN,
            weight=sums[4 + i],
        )  # fmt: skip
    rng = random.Random(1)
    communes = list(Commune.objects.values_list("code", "population"))
    plain = list(Indicator.objects.filter(code__startswith=PREFIX).exclude(rule=Rule.RATIO))
    objects = []
    for indicator in plain:
        for code, population in communes:
            for year in YEARS:
                objects.append(
                    Observation(
                        indicator=indicator, level=Level.COMMUNE, code=code, period=year,
                        period_date=period_date(year), value=Decimal(round(population * rng.uniform(0.01, 0.5), 2)),
                    )
                )  # fmt: skip
    Observation.objects.bulk_create(objects, batch_size=5000)
    return len(objects)


def main():
    commune_values = prepare()
    ratio_values = 2 * Commune.objects.count() * len(YEARS)
    timings, written = [], 0
    for _ in range(3):
        started = time.perf_counter()
        summary = aggregation.rebuild()
        timings.append(time.perf_counter() - started)
        written = summary["written"]
    started = time.perf_counter()
    sheets = build_sheets()
    sheet_seconds = time.perf_counter() - started
    result = {
        "database": connection.vendor,
        "communes": Commune.objects.count(),
        "indicators": Indicator.objects.filter(code__startswith=PREFIX).count(),
        "periods": len(YEARS),
        "commune_values_imported": commune_values,
        "commune_ratio_values_computed": ratio_values,
        "values_written_per_rebuild": written,
        "full_rebuild_seconds_best": round(min(timings), 2),
        "full_rebuild_seconds_median": round(statistics.median(timings), 2),
        "target_seconds": 10,
        "sheets_built": sheets["count"],
        "sheets_seconds": round(sheet_seconds, 2),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = Path(__file__).resolve().parent / "results" / "reperes-aggregation.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
