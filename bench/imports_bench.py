"""Imports benchmark (not a test): time and peak memory of the check step (issue 14) on the hostile corpus' two
costly files — 100,000 valid rows, and a decompression bomb (a 190 KB XLSX whose sheet expands to 130 MB).

    python -m bench.imports_bench [--database-url postgres://…/srefop_files] [--write]

or from bench/run.py (step ``imports``, on the scale-1 bench database). Each case runs in a fresh child process, so
that its peak resident memory (``ru_maxrss``) is its own: the child sets Django up, reads the file, notes its memory,
then times the import's checker (the same function the check page calls) and notes the peak.
Targets: 100,000 valid rows checked in ≤ 10 s; the bomb refused in ≤ 2 s and ≤ 200 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGETS = {"valid_s": 10.0, "bomb_s": 2.0, "bomb_peak_mb": 200.0}
ROWS = 100_000

# case → (checker path, file kind, checker keyword arguments)
CASES = {
    "reperes-100k": ("reperes.importers.validate_file", "reperes-valid", {"format": "long"}),
    "membres-100k": ("clefop.importers.validate_members_file", "members-valid", {}),
    "reperes-bombe": ("reperes.importers.validate_file", "bomb", {"format": "long"}),
    "membres-bombe": ("clefop.importers.validate_members_file", "bomb", {}),
    "composition-bombe": ("territories.importers.validate_composition_file", "bomb", {}),
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def build_file(kind: str) -> tuple[str, bytes]:
    """The file of a case (Django set up: the valid rows use real commune codes)."""
    from bench.hostile_files import bomb_xlsx, csv_bytes

    if kind == "bomb":
        return "bombe.xlsx", bomb_xlsx()
    if kind == "members-valid":
        rows = [["email", "instance", "fonction"]] + [
            [f"m{i}@exemple.fr", "clefop-44-nan", "membre"] for i in range(ROWS)
        ]
        return "membres.csv", csv_bytes(rows)
    from territories.models import Commune

    communes = list(Commune.objects.order_by("code").values_list("code", flat=True)[:500])
    rows = [["indicateur", "niveau", "code_geo", "periode", "valeur"]]
    for year in range(2000, 2030):
        for month in range(1, 13):
            for code in communes:
                rows.append(["emp", "commune", code, f"{year}-{month:02d}", "1 234,5"])
                if len(rows) > ROWS:
                    return "reperes.csv", csv_bytes(rows)
    return "reperes.csv", csv_bytes(rows)


def child(case: str, out: str) -> None:
    import django

    django.setup()
    from importlib import import_module

    from reperes.models import Indicator, Theme

    Indicator.objects.get_or_create(
        code="emp", defaults={"label": "Emplois", "theme": Theme.EMPLOI, "unit": "emplois", "is_key": True}
    )
    path, kind, kwargs = CASES[case]
    module, name = path.rsplit(".", 1)
    checker = getattr(import_module(module), name)
    import openpyxl  # noqa: F401  (imported before measuring, as in a running server)

    filename, data = build_file(kind)
    before = _peak_mb()
    began = time.perf_counter()
    result = checker(data, filename, **kwargs)
    seconds = time.perf_counter() - began
    first = str(result.errors[0]) if result.errors else ""
    Path(out).write_text(
        json.dumps(
            {
                "case": case,
                "bytes": len(data),
                "seconds": round(seconds, 2),
                "peak_mb": round(_peak_mb(), 1),
                "peak_before_mb": round(before, 1),
                "growth_mb": round(_peak_mb() - before, 1),
                "valid": result.is_valid,
                "errors": len(result.errors),
                "first_error": first[:200],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )


def run(database_url: str = "", env: dict | None = None) -> dict:
    env = dict(env or os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "srefop_portal.settings.test")
    if database_url:
        env["DATABASE_URL"] = database_url
    results = {}
    for case in CASES:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
            pass
        subprocess.run(
            [sys.executable, "-m", "bench.imports_bench", "--child", case, "--out", out.name],
            cwd=ROOT,
            env=env,
            check=True,
        )
        results[case] = json.loads(Path(out.name).read_text(encoding="utf-8"))
        Path(out.name).unlink()
        print(json.dumps(results[case], ensure_ascii=False), flush=True)
    valid = [r for r in results.values() if "100k" in r["case"]]
    bombs = [r for r in results.values() if "bombe" in r["case"]]
    return {
        "cases": results,
        "targets": TARGETS,
        "valid_ok": all(r["valid"] and r["seconds"] <= TARGETS["valid_s"] for r in valid),
        "bomb_ok": all(
            not r["valid"] and r["seconds"] <= TARGETS["bomb_s"] and r["peak_mb"] <= TARGETS["bomb_peak_mb"]
            for r in bombs
        ),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def markdown(data: dict) -> str:
    lines = [
        "# Imports : coût de l’étape de vérification (ticket 14)",
        "",
        f"Charge de la machine à la fin (1, 5, 15 min) : {data['load_average']}. Objectifs : 100 000 lignes valides "
        f"vérifiées en ≤ {TARGETS['valid_s']:g} s ; bombe refusée en ≤ {TARGETS['bomb_s']:g} s et "
        f"≤ {TARGETS['bomb_peak_mb']:g} Mo de pic (mémoire résidente du processus, Django compris).",
        "",
        "| Cas | Fichier | Durée | Pic mémoire (avant la vérification) | Résultat |",
        "|---|---|---|---|---|",
    ]
    for r in data["cases"].values():
        outcome = "valide" if r["valid"] else f"refusé : {r['first_error']}"
        lines.append(
            f"| {r['case']} | {r['bytes'] // 1024} Ko | {r['seconds']} s "
            f"| {r['peak_mb']} Mo ({r['peak_before_mb']} Mo) | {outcome.replace('|', '/')} |"
        )
    lines += [
        "",
        f"Verdict : lignes valides {'✅' if data['valid_ok'] else '❌'}, bombe {'✅' if data['bomb_ok'] else '❌'}.",
    ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--write", action="store_true", help="write bench/results/imports.json and imports.md")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.out)
        return
    data = run(args.database_url)
    text = markdown(data)
    print(text)
    if args.write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "imports.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        (RESULTS / "imports.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
