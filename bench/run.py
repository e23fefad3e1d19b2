"""`make bench` (BENCH_ARGS="--scales 1 10 --quick"): every measure of the portal, each beside its target.

    python -m bench.run [--scales 1 10] [--quick] [--reuse] [--clients 20] [--only pages,reperes,veille,reports,imports]

From a fresh clone, on a machine with PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432)
and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/9):

1. data — for each scale, the database ``srefop_bench_s<scale>`` is made afresh (``--reuse`` keeps one that already
   holds the data of this generator) by bench/generate.py: the real region at scale 1 (18 territories, 2,000 actors,
   ~50 actions per roadmap, 311 préconisations, 30 indicators × 10 periods, 20,000 news items), ten times each
   volume at scale 10 (territories and préconisations stay the same);
2. pages — the key pages (home, territory, roadmap, regional dashboard, coverage, repères sheet, veille search)
   served by gunicorn on 127.0.0.1 under ``--clients`` concurrent clients: p50/p95 beside a baseline view returning
   the same bytes pre-rendered in the same run (their ratio), and the SQL queries of each page (which must not grow
   with the data);
3. the per-app benches, through their entry points: repères full rebuild and sheets (bench/reperes_bench.py),
   veille search over 200,000 items and ingestion (bench/veille_bench.py, on the scale-10 database), territory
   report beside WeasyPrint alone and the regional bundle with 2 Celery workers (bench/report_bench.py, scale 1);
   the check step of the imports on 100,000 valid rows and on a decompression bomb (bench/imports_bench.py, scale 1);
4. writes bench/results/latest.json and latest.md (one table: every figure beside its target) and prints the table.
The last soak (`make soak`, bench/results/soak.json) is shown in the table too.

Bounded: each page is measured for at most ``--page-seconds``; the whole run takes about 20-25 minutes at scales
1 and 10 on 2 loaded cores (``--quick``: about half, fewer samples). Timings depend on the machine's load: the load
averages (what `uptime` prints) are recorded at each step and shown in the table's header.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import harness
from bench.harness import RESULTS, ROOT

MEMBER_EMAIL = "membre.nantes@demo.srefop.fr"  # a member of the Clefop of 44-NAN (clefop/demo.py)
CREFOP_EMAIL = "crefop@demo.srefop.fr"  # a member of the Crefop: reads every Clefop
PAGE_NAMES = {
    "home": "Accueil",
    "territory": "Territoire (44-NAN)",
    "roadmap": "Feuille de route (membre)",
    "dashboard": "Tableau de bord régional (Crefop)",
    "coverage": "Couverture des préconisations (Crefop)",
    "sheet": "Fiche repères (44-NAN)",
    "veille": "Veille : recherche « formation »",
    "action": "Fiche action (membre)",
    "roadmap_history": "Historique de la feuille de route (membre)",
    "priority_more": "Feuille de route : actions suivantes d’une priorité (HTMX, membre)",
    "compare": "Repères : comparaison des territoires",
    "offer": "Offre de services : catalogue des dispositifs",
    "sessions": "Offre de services : sessions de professionnalisation",
    "veille_member": "Veille d’un membre (son territoire)",
    "job": "Suivi d’une tâche (fragment HTMX interrogé par le navigateur)",
}
# Issue 18: every key page within 5× the pre-rendered baseline at scale 1 (p50); the member's roadmap page within
# 5× at scale 1 and 10× at scale 10, weighing at most 150 KB at scale 10.
RATIO_TARGETS = {"roadmap": {1: 5.0, 10: 10.0}}
RATIO_DEFAULT = {1: 5.0}
ROADMAP_MAX_BYTES = 150_000
TARGETS = {
    "generation": "quelques minutes au plus (échelle 10)",
    "page_ratio": "p50 ≤ 5× le témoin à l’échelle 1 (feuille de route : aussi ≤ 10× à l’échelle 10)",
    "page_sql": "identiques à toutes les échelles",
    "reperes_rebuild_s": 10.0,
    "territory_report_s": 2.0,
    "bundle_s": 40.0,
    "veille_search_p95_ms": 50.0,
    "veille_ingestion_per_min": 10_000,
    "soak_errors": 0,
    "imports_valid_s": 10.0,
    "imports_bomb_s": 2.0,
    "imports_bomb_peak_mb": 200.0,
    "soak_p95_ms": 1000,
}


# ---------------------------------------------------------------------------------------------- pages (child)


def with_latest_soak(data: dict) -> bool:
    """Put the last `make soak` (bench/results/soak.json) in ``data``, if there is one."""
    soak = RESULTS / "soak.json"
    if not soak.exists():
        return False
    data["soak"] = json.loads(soak.read_text(encoding="utf-8"))
    return True


def page_plan() -> list[dict]:
    """The key pages with the account that reads them (Django set up on a generated database)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from bench.generate import PAGE_TERRITORY
    from clefop.models import Body
    from roadmaps.fragments import COLLAPSE_AFTER
    from roadmaps.jobs import TERRITORY_KIND
    from roadmaps.models import Action, Priority, Roadmap, RoadmapStatus
    from srefop_portal.common.models import Job

    clefop = Body.objects.get(territory__code=PAGE_TERRITORY)
    roadmap = Roadmap.objects.filter(body=clefop, status=RoadmapStatus.ADOPTED).order_by("-pk").first()
    action = Action.objects.filter(roadmap=roadmap).order_by("priority__order", "order", "pk").first()
    priority = Priority.objects.filter(roadmap=roadmap).order_by("order", "pk").first()
    member = get_user_model().objects.get(email=MEMBER_EMAIL)
    # A territory report being built, as the member's browser polls it (its progress fragment, every 2 s). Made once
    # per database, marked as the bench's; no worker runs here, so it stays « en cours ».
    job = Job.objects.filter(kind=TERRITORY_KIND, params__bench=True).first() or Job.objects.create(
        kind=TERRITORY_KIND,
        params={"body": clefop.pk, "bench": True},
        requester=member,
        status=Job.Status.RUNNING,
        progress=40,
        message="Mise en page du PDF",
    )
    htmx = {"HX-Request": "true"}
    plan = [
        ("home", reverse("home"), None, None),
        ("territory", reverse("territories:detail", args=[PAGE_TERRITORY]), None, None),
        ("roadmap", reverse("roadmaps:roadmap_detail", args=[clefop.slug, roadmap.pk]), MEMBER_EMAIL, None),
        ("dashboard", reverse("roadmaps:dashboard_region"), CREFOP_EMAIL, None),
        ("coverage", reverse("roadmaps:coverage"), CREFOP_EMAIL, None),
        ("sheet", reverse("reperes:sheet", args=[PAGE_TERRITORY]), None, None),
        ("veille", reverse("veille:list") + "?q=formation", None, None),
        ("action", reverse("roadmaps:action_detail", args=[clefop.slug, action.pk]), MEMBER_EMAIL, None),
        ("roadmap_history", reverse("roadmaps:roadmap_history", args=[clefop.slug, roadmap.pk]), MEMBER_EMAIL, None),
        (
            "priority_more",
            reverse("roadmaps:priority_actions", args=[clefop.slug, roadmap.pk, priority.pk])
            + f"?debut={COLLAPSE_AFTER}",
            MEMBER_EMAIL,
            htmx,
        ),
        ("compare", reverse("reperes:compare"), None, None),
        ("offer", _url("offer:dispositif_list", "clefop:dispositif_list"), MEMBER_EMAIL, None),
        ("sessions", _url("offer:session_list", "clefop:session_list"), MEMBER_EMAIL, None),
        ("veille_member", reverse("veille:list") + f"?territoire={PAGE_TERRITORY}", MEMBER_EMAIL, None),
        ("job", reverse("common:job_detail", args=[job.uuid]), MEMBER_EMAIL, htmx),
    ]
    return [
        {"key": key, "name": PAGE_NAMES[key], "path": path, "email": email, "headers": headers or {}}
        for key, path, email, headers in plan
    ]


def _url(*names: str) -> str:
    """The first of ``names`` that exists (the offre de services moved from clefop to its own app)."""
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"aucune de ces URL : {', '.join(names)}")


def session_cookie(email: str | None) -> str:
    """A session of ``email`` stored in the bench database (the server reads it from there)."""
    if not email:
        return ""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    return f"sessionid={client.cookies['sessionid'].value}"


def render_and_count(path: str, email: str | None, headers: dict | None = None) -> tuple[int, int, bytes]:
    """(status, SQL queries, bytes) of a page through the test client, after one warming request."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)  # a failing page is reported (status 500), not fatal
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    client.get(path, headers=headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    return response.status_code, len(queries), response.content


def pages_child(scale: int, clients: int, requests: int, seconds: float, workers: int) -> dict:
    """Runs with the environment of ``scale`` (Django set up here)."""
    import django

    django.setup()
    from django.conf import settings

    baseline_dir = Path(settings.VAR_DIR) / "bench"
    baseline_dir.mkdir(parents=True, exist_ok=True)
    pages = page_plan()
    for page in pages:
        page["status"], page["sql_queries"], content = render_and_count(page["path"], page["email"], page["headers"])
        page["bytes"] = len(content)
        page["baseline_key"] = f"page_{page['key']}"
        (baseline_dir / f"{page['baseline_key']}.html").write_bytes(content)
        page["cookie"] = session_cookie(page["email"])
    rows = []
    with harness.gunicorn(harness.environment(scale), workers=workers) as (_url, port):
        # Every worker's first requests (imports, URL resolver, template loading) are not part of any measure.
        everything = [(p["path"], p["cookie"]) for p in pages if not p["headers"]]
        everything += [(f"/__bench__/baseline/{p['baseline_key']}/", "") for p in pages]
        harness.load(port, everything, clients=2 * workers, requests=3 * workers * len(everything), seconds=120)
        for page in pages:
            # Warm every worker on this page (first renders fill caches), then measure it and its baseline.
            harness.load(
                port,
                [page["path"]],
                clients=workers,
                requests=2 * workers,
                cookie=page["cookie"],
                headers=page["headers"],
            )
            # The baseline before and after the page, pooled: a change of the machine's load during the page's
            # measurement weighs on both sides of the ratio alike.
            baseline_path = [f"/__bench__/baseline/{page['baseline_key']}/"]
            before = harness.load(port, baseline_path, clients=clients, requests=requests // 2, seconds=seconds / 4)
            measured = harness.load(
                port,
                [page["path"]],
                clients=clients,
                requests=requests,
                seconds=seconds,
                cookie=page["cookie"],
                headers=page["headers"],
            )
            baseline = harness.load(port, baseline_path, clients=clients, requests=requests // 2, seconds=seconds / 4)
            baseline.merge(before)
            row = {
                "key": page["key"],
                "page": page["name"],
                "path": page["path"],
                "role": page["email"] or "anonyme",
                "status_test_client": page["status"],
                "sql_queries": page["sql_queries"],
                "bytes": page["bytes"],
                **measured.summary(),
                "baseline": baseline.summary(),
                "ratio_p95": round(measured.p95 / baseline.p95, 2) if baseline.p95 else None,
                "ratio_p50": round(measured.p50 / baseline.p50, 2) if baseline.p50 else None,
                "error_samples": measured.error_samples,
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
            rows.append(row)
            print(
                f"  s{scale} {page['name']:<42} p50 {measured.p50:7.0f} ms  p95 {measured.p95:7.0f} ms  "
                f"(témoin p95 {baseline.p95:5.0f} ms, ×{row['ratio_p95']})  {page['sql_queries']:3d} SQL  "
                f"{len(measured.latencies_ms)} req.  statuts {row['statuses']}",
                flush=True,
            )
    return {"scale": scale, "clients": clients, "gunicorn_workers": workers, "pages": rows}


def measure_pages(scale: int, args) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable, "-m", "bench.run", "--pages-child", str(scale), "--clients", str(args.clients),
            "--requests", str(args.requests), "--page-seconds", str(args.page_seconds),
            "--workers", str(args.workers), "--out", out.name,
        ]  # fmt: skip
        subprocess.run(command, cwd=ROOT, env=harness.environment(scale), check=True)
        return json.loads(Path(out.name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- per-app benches


def run_reperes(scale: int, runs: int) -> dict:
    from bench import reperes_bench

    return reperes_bench.run(scale, runs=runs, sheets=True, reuse=True)


def run_veille(scale: int, quick: bool) -> dict:
    """bench/veille_bench.py (another module's entry point) on the generated database of ``scale``."""
    from bench import veille_bench
    from bench.generate import volumes

    return veille_bench.run(
        scale=scale,
        items=volumes(scale)["news_items"],
        database_url=harness.database_url(scale),
        cases=10 if quick else 30,
        ingestion=True,
        write=False,  # bench/results/veille.json is that bench's own record: this run's figures go to latest.json
    )


def run_imports(scale: int) -> dict:
    """bench/imports_bench.py (each case in a child process) on the generated database of ``scale``."""
    from bench import imports_bench

    return imports_bench.run(env=harness.environment(scale))


def run_reports(scale: int, quick: bool) -> dict:
    """bench/report_bench.py on the generated database of ``scale`` (never its own set-up: it would drop it)."""
    os.environ["BENCH_REPORTS_DATABASE_URL"] = harness.database_url(scale)
    os.environ["BENCH_REPORTS_REDIS_URL"] = harness.REDIS_URL
    os.environ["BENCH_REPORTS_VAR_DIR"] = str(harness.VAR_DIR / "reports")
    os.environ.setdefault("MEDIA_ROOT", str(harness.VAR_DIR / "media"))
    from bench import report_bench

    # Six territories (the largest roadmaps first would be ideal; they are in code order) and one run each keep
    # the step within a few minutes on 2 cores; the regional bundle renders all 18.
    return report_bench.run(scale=scale, territories=3 if quick else 6, runs=1, setup=False, write=False)


# ---------------------------------------------------------------------------------------------- table


def _num(value, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float):
        text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
        return f"{text}{unit}"
    return str(value)


def _verdict(ok) -> str:
    return "—" if ok is None else ("atteint" if ok else "**non atteint**")


def table_rows(data: dict) -> list[list[str]]:
    scales = data["scales"]
    rows: list[list[str]] = []

    def add(ticket, measure, values: dict, target, ok=None):
        rows.append([ticket, measure, *[values.get(s, "—") for s in scales], target, _verdict(ok)])

    generation = data.get("generation", {})
    gen_values = {}
    for s in scales:
        g = generation.get(str(s), {})
        if g.get("reused"):
            gen_values[s] = "réutilisée"
        elif g.get("seconds") is not None:
            base = f" + base {_num(g['base_seconds'], 0, ' s')}" if g.get("base_seconds") else ""
            gen_values[s] = _num(g["seconds"], 0, " s") + base
    big = generation.get(str(max(scales)), {})
    gen_ok = None if big.get("reused") or big.get("seconds") is None or max(scales) < 10 else big["seconds"] <= 300
    add("8", "Génération des données (base commune : migrations, référence, comptes)", gen_values,
        "≤ 5 min à l’échelle 10", gen_ok)  # fmt: skip

    pages = data.get("pages", {})
    keys = [p["key"] for s in scales for p in pages.get(str(s), {}).get("pages", [])]
    for key in dict.fromkeys(keys):
        by_scale = {s: next((p for p in pages.get(str(s), {}).get("pages", []) if p["key"] == key), None)
                    for s in scales}  # fmt: skip
        name = next(p["page"] for p in by_scale.values() if p)
        latency = {
            s: f"{_num(p['p50_ms'], 0)} / {_num(p['p95_ms'], 0)} ms (témoin p95 {_num(p['baseline']['p95_ms'], 0)})"
            + (f", charge {_num(p['load_average'][0], 1)}" if p.get("load_average") else "")
            + (f", {p['server_errors']} erreur(s)" if p["server_errors"] else "")
            for s, p in by_scale.items()
            if p
        }
        add("8", f"{name} : p50 / p95", latency, f"{data['clients']} clients simultanés, gunicorn")
        ratios = {
            s: f"×{_num(p['ratio_p95'], 1)} (p50 : ×{_num(p.get('ratio_p50'), 1)})" for s, p in by_scale.items() if p
        }
        limits = RATIO_TARGETS.get(key, RATIO_DEFAULT)
        checked = [p["ratio_p50"] <= limits[s] for s, p in by_scale.items() if p and s in limits and p.get("ratio_p50")]
        target = " ; ".join(f"p50 ≤ ×{_num(limit, 0)} à l’échelle {s}" for s, limit in limits.items())
        add("18", f"{name} : p95 ÷ témoin p95 (p50 ÷ témoin p50)", ratios, target, all(checked) if checked else None)
        if key == "roadmap":
            weight = {s: f"{_num(p['bytes'] / 1000, 0)} ko" for s, p in by_scale.items() if p}
            big = by_scale.get(10)
            add("18", f"{name} : poids de la page", weight, f"≤ {ROADMAP_MAX_BYTES // 1000} ko à l’échelle 10",
                big["bytes"] <= ROADMAP_MAX_BYTES if big else None)  # fmt: skip
        counts = {s: p["sql_queries"] for s, p in by_scale.items() if p}
        ok = len(set(counts.values())) == 1 if len(counts) > 1 else None
        statuses_ok = all(p["status_test_client"] == 200 and not p["server_errors"] for p in by_scale.values() if p)
        add("8", f"{name} : requêtes SQL", {s: str(c) for s, c in counts.items()}, TARGETS["page_sql"],
            ok if statuses_ok else False)  # fmt: skip

    reperes = data.get("reperes", {})
    rebuild = {}
    for s in scales:
        r = reperes.get(str(s))
        if r and "rebuild_s_best" in r:
            rebuild[s] = f"{_num(r['rebuild_s_best'], 1, ' s')} ({r['indicators']} ind., {r['communes']} communes)"
        elif generation.get(str(s), {}).get("counts", {}).get("aggregation_seconds") is not None:
            rebuild[s] = f"{_num(generation[str(s)]['counts']['aggregation_seconds'], 1, ' s')} (à la génération)"
    r1 = reperes.get("1", {})
    add("5", "Repères : reconstruction complète de l’agrégation", rebuild, "≤ 10 s (échelle 1)",
        r1["rebuild_s_best"] <= TARGETS["reperes_rebuild_s"] if "rebuild_s_best" in r1 else None)  # fmt: skip
    sheets = {s: f"{_num(r['sheets_s'], 1, ' s')} ({r['sheets_built']} fiches)" for s in scales
              if (r := reperes.get(str(s))) and "sheets_s" in r}  # fmt: skip
    add("5", "Repères : construction des fiches", sheets, "— (mesure)")

    reports = data.get("reports", {})
    for s in scales:
        rep = reports.get(str(s))
        if not rep or "error" in rep:
            continue
        longest = rep.get("report_max_s")
        ok = longest is not None and longest <= TARGETS["territory_report_s"]
        add("6", f"Rapport d’un territoire (PDF), le plus long des {len(rep.get('territories', []))}",
            {s: _num(longest, 2, " s") + (f" (CPU : {_num(rep['report_cpu_max_s'], 2, ' s')})"
                 if rep.get("report_cpu_max_s") is not None else "")}, "≤ 2 s", ok)  # fmt: skip
        alone = _num(rep.get("weasyprint_alone_median_s"), 2, " s")
        ratio = {s: f"×{_num(rep.get('ratio_median'), 2)} (WeasyPrint seul : {alone})"}
        add("6", "Rapport ÷ WeasyPrint seul sur le même HTML, médiane", ratio, "rapport indiqué (pas de seuil)")
        if "bundle_s" in rep:
            ok = rep["bundle_s"] <= TARGETS["bundle_s"] and rep.get("bundle_status") == "done"
            cpu = rep.get("bundle_worker_cpu_s")
            cpu = f", CPU des workers {_num(cpu, 1, ' s')}" if cpu is not None else ""
            value = {s: f"{_num(rep['bundle_s'], 1, ' s')} ({rep.get('bundle_status')}{cpu})"}
            add("6", f"Recueil régional, {rep.get('bundle_workers', 2)} workers Celery", value, "≤ 40 s", ok)

    veille = data.get("veille", {})
    for s in scales:
        v = veille.get(str(s))
        if not v or "error" in v:
            continue
        worst, articles = v.get("recherche_p95_ms_pire_forme"), v.get("articles") or 0
        ok = worst <= TARGETS["veille_search_p95_ms"] if worst is not None and articles >= 200_000 else None
        add("7", f"Veille : recherche, p95 de la pire forme de requête ({_num(articles, 0)} articles)",
            {s: _num(worst, 1, " ms")}, "≤ 50 ms sur 200 000 articles", ok)  # fmt: skip
        mix = v.get("melange_200_recherches", {})
        if mix:
            value = {s: f"{_num(mix['requetes']['p95_ms'], 1)} / {_num(mix['page_complete']['p95_ms'], 1)} ms"}
            add("7", "Veille : 200 recherches mêlées, p95 requêtes / page complète", value, "— (mesure)")
        ingest = v.get("ingestion")
        if ingest:
            rate = ingest.get("articles_par_minute")
            ok = rate is not None and rate >= TARGETS["veille_ingestion_per_min"]
            add("7", "Veille : collecte d’un flux (HTTP, analyse, dédoublonnage, étiquetage)",
                {s: _num(rate, 0, " articles/min")}, "≥ 10 000 articles/min", ok)  # fmt: skip

    imports = data.get("imports", {}).get(str(min(scales)), {})
    for case in (imports.get("cases") or {}).values():
        bomb = "bombe" in case["case"]
        target = (
            f"refus ≤ {TARGETS['imports_bomb_s']:g} s, ≤ {TARGETS['imports_bomb_peak_mb']:g} Mo"
            if bomb
            else f"≤ {TARGETS['imports_valid_s']:g} s"
        )
        ok = (
            not case["valid"]
            and case["seconds"] <= TARGETS["imports_bomb_s"]
            and case["peak_mb"] <= TARGETS["imports_bomb_peak_mb"]
            if bomb
            else case["valid"] and case["seconds"] <= TARGETS["imports_valid_s"]
        )
        figure = f"{_num(case['seconds'], 2, ' s')}, pic {_num(case['peak_mb'], 0, ' Mo')}"
        add("14", f"Import, vérification : {case['case']}", {min(scales): figure}, target, ok)

    soak = data.get("soak")
    if soak:
        add("8", f"Charge soutenue (`make soak`, {soak.get('date', '?')}) : {soak['clients']} clients, "
            f"{_num(soak['seconds'], 0)} s, {_num(soak['requests'], 0)} requêtes",
            {1: f"{soak['server_errors']} erreur(s) serveur, p95 {_num(soak['p95_ms'], 0)} ms"
                + (f" (charge {soak['load_average_end'][0]} à la fin)" if soak.get("load_average_end") else "")},
            "0 erreur serveur, p95 ≤ 1 s",
            soak["server_errors"] == 0 and soak["p95_ms"] <= TARGETS["soak_p95_ms"])  # fmt: skip
    return rows


def markdown(data: dict) -> str:
    scales = data["scales"]
    m = data["machine"]
    load_start, load_end = data.get("load_start"), data.get("load_end")
    busy = max((load_start or [0])[0], (load_end or [0])[0]) > (m.get("cpus") or 1)
    lines = [
        "# Mesures de performance — dernière exécution de `make bench`",
        "",
        f"{m['date']} — {m['cpus']} cœurs, Python {m['python']}, PostgreSQL et Redis locaux ; durée totale "
        f"{_num(data.get('seconds'), 0)} s ; arguments : `{' '.join(data.get('argv', [])) or '(aucun)'}`.",
        f"Charge de la machine (1, 5, 15 min, comme `uptime`) : au début {load_start}, à la fin {load_end}"
        + (
            " — **machine chargée par d’autres travaux pendant la mesure : les durées sont pessimistes et "
            "bruitées ; les nombres de requêtes SQL et les rapports au témoin le sont moins.**"
            if busy
            else "."
        ),
        f"Données : {data.get('data_note', '')}",
        *(
            [f"Reprises de l’exécution du {data['kept_from']} (non remesurées) : {', '.join(data['kept_sections'])}."]
            if data.get("kept_sections")
            else []
        ),
        "",
        "| Ticket | Mesure | " + " | ".join(f"Échelle {s}" for s in scales) + " | Objectif | Verdict |",
        "|---|---|" + "---|" * len(scales) + "---|---|",
    ]
    for row in table_rows(data):
        lines.append("| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |")
    steps = data.get("load_by_step") or {}
    if steps:
        lines += [
            "",
            "Durée et charge (1 min) à la fin de chaque étape : "
            + " ; ".join(
                f"{name} {_num(v['seconds'], 0, ' s')}, charge {v['load_average_after'][0]}"
                for name, v in steps.items()
            )  # fmt: skip
            + ".",
        ]
    if data.get("errors"):
        lines += ["", "Étapes en échec :", ""] + [f"- {step} : {error}" for step, error in data["errors"].items()]
    lines += [
        "",
        "Pages : p50/p95 sous charge concurrente sur la boucle locale, à côté d’une vue témoin qui renvoie les mêmes "
        "octets pré-rendus par la même pile (intergiciels compris) dans la même exécution ; les requêtes SQL sont "
        "comptées par le client de test. Détails (débits, statuts, charge à chaque étape) : "
        "`bench/results/latest.json`.",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- main

ALL_STEPS = {
    "data": "generation",
    "pages": "pages",
    "reperes": "reperes",
    "veille": "veille",
    "reports": "reports",
    "imports": "imports",
}


def keep_previous(data: dict, steps: set[str]) -> None:
    """With ``--only``, the sections of the steps not run now are taken from the previous latest.json (same scales),
    and the header says so: a figure is never dropped from the table because another one was re-measured."""
    previous_path = RESULTS / "latest.json"
    if steps >= set(ALL_STEPS) or not previous_path.exists():
        return
    previous = json.loads(previous_path.read_text(encoding="utf-8"))
    if previous.get("scales") != data["scales"]:
        return
    kept = []
    for step, section in ALL_STEPS.items():
        if step in steps:
            continue
        for scale, value in (previous.get(section) or {}).items():
            if scale not in data[section] and not (isinstance(value, dict) and "error" in value):
                data[section][scale] = value
                kept.append(f"{section} (échelle {scale})")
    if kept:
        when = previous.get("kept_from") or previous["machine"]["date"]
        data["kept_from"] = when
        data["kept_sections"] = kept


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--quick", action="store_true", help="fewer samples: about half the time")
    parser.add_argument("--reuse", action="store_true", help="keep the databases that already hold the data")
    parser.add_argument("--only", default="data,pages,reperes,veille,reports,imports", help="steps, comma-separated")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=0, help="requests per page (default 200, quick 80)")
    parser.add_argument("--page-seconds", type=float, default=0, help="cap per page (default 25 s, quick 10 s)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--table-only", action="store_true", help="rewrite latest.md from latest.json, no measure")
    parser.add_argument("--pages-child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.requests = args.requests or (80 if args.quick else 200)
    args.page_seconds = args.page_seconds or (10 if args.quick else 25)
    if args.table_only:
        data = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
        if with_latest_soak(data):  # a `make soak` run after `make bench` shows in the table too
            (RESULTS / "latest.json").write_text(
                json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        text = markdown(data)
        (RESULTS / "latest.md").write_text(text, encoding="utf-8")
        print(text)
        return
    if args.pages_child:
        result = pages_child(args.pages_child, args.clients, args.requests, args.page_seconds, args.workers)
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return

    from bench.generate import NOTE, prepare, volumes

    steps = set(args.only.split(","))
    started = time.perf_counter()
    data: dict = {
        "machine": harness.machine(),
        "argv": sys.argv[1:],
        "scales": args.scales,
        "quick": args.quick,
        "clients": args.clients,
        "load_start": [round(x, 2) for x in os.getloadavg()],
        "targets": TARGETS,
        "data_note": NOTE,
        "volumes": {str(s): volumes(s) for s in args.scales},
        "generation": {},
        "pages": {},
        "reperes": {},
        "veille": {},
        "reports": {},
        "imports": {},
        "errors": {},
        "load_by_step": {},
    }

    def step(name: str, function):
        print(f"\n== {name} (charge {tuple(round(x, 2) for x in os.getloadavg())})", flush=True)
        began = time.perf_counter()
        try:
            return function()
        except Exception as error:  # one failing bench must not hide the others' figures
            traceback.print_exc()
            data["errors"][name] = f"{type(error).__name__}: {error}"[:500]
            return {"error": str(error)[:500]}
        finally:
            data["load_by_step"][name] = {
                "seconds": round(time.perf_counter() - began, 1),
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
            }

    for index, scale in enumerate(args.scales):
        if "data" in steps or not harness.database_exists(harness.database_name(scale)):
            fresh_base = index == 0 and not args.reuse  # one base per run, copied for every scale

            def data_step(scale=scale, fresh_base=fresh_base):
                return prepare(scale, reuse=args.reuse, base=fresh_base)

            result = step(f"données, échelle {scale}", data_step)
            if isinstance(result, dict):
                data["generation"][str(scale)] = {k: v for k, v in result.items() if k != "accounts"}
        if "pages" in steps:
            data["pages"][str(scale)] = step(f"pages, échelle {scale}", lambda s=scale: measure_pages(s, args))
        # The repères rebuild at scale 1 (issue 5's volume); above, the one timed by the generator is reported.
        if "reperes" in steps and scale == min(args.scales):
            runs = 1 if args.quick else 3
            data["reperes"][str(scale)] = step(f"repères, échelle {scale}", lambda s=scale, r=runs: run_reperes(s, r))
        if "veille" in steps and scale == max(args.scales):
            data["veille"][str(scale)] = step(f"veille, échelle {scale}", lambda s=scale: run_veille(s, args.quick))
        if "reports" in steps and scale == min(args.scales):
            data["reports"][str(scale)] = step(
                f"rapports PDF, échelle {scale}", lambda s=scale: run_reports(s, args.quick)
            )
        if "imports" in steps and scale == min(args.scales):
            data["imports"][str(scale)] = step(f"imports, échelle {scale}", lambda s=scale: run_imports(s))
    with_latest_soak(data)
    keep_previous(data, steps)
    data["load_end"] = [round(x, 2) for x in os.getloadavg()]
    data["seconds"] = round(time.perf_counter() - started, 1)
    text = markdown(data)
    json_path, md_path = harness.write_results(data, text)
    print("\n" + text)
    print(f"Résultats : {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)}")
    sys.exit(1 if data["errors"] else 0)


if __name__ == "__main__":
    main()
