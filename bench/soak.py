"""`make soak`: 50 concurrent clients for 5 minutes against gunicorn on loopback, over a mix of pages and roles,
on the scale-1 bench database. Any server error (5xx, refused or reset connection, time-out) fails the run.

    python -m bench.soak [--clients 50] [--seconds 300] [--workers 4] [--fresh]

The database ``srefop_bench_s1`` is generated first unless it already holds this generator's data (``--fresh``:
always). Every URL of the mix is checked once through the test client before the load (a URL that does not answer
200 is reported and left out); then gunicorn serves the portal on 127.0.0.1 only and the clients run for
``--seconds`` (at most 15 minutes). Writes bench/results/soak.json and prints a summary table; the next
`make bench` shows it too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench import harness
from bench.harness import RESULTS

ROLES = {
    "anonyme": None,
    "membre d’un Clefop": "membre.nantes@demo.srefop.fr",
    "animateur·rice d’un Clefop": "animateur.nantes@demo.srefop.fr",
    "membre d’un Cdefop": "cdefop44@demo.srefop.fr",
    "membre du Crefop": "crefop@demo.srefop.fr",
    "acteur connecté sans instance": "acteur@demo.srefop.fr",
}


def soak_plan() -> list[tuple[str, str, str | None]]:
    """(role, path, email): public pages for everyone, workspaces and dashboards for the roles that read them."""
    from django.urls import reverse

    from bench.generate import PAGE_TERRITORY
    from clefop.models import Body
    from roadmaps.models import Action, Recommendation, Roadmap, RoadmapStatus
    from territories.models import Territory

    territories = list(Territory.objects.order_by("code").values_list("code", flat=True))
    clefop = Body.objects.get(territory__code=PAGE_TERRITORY)
    roadmap = Roadmap.objects.filter(body=clefop, status=RoadmapStatus.ADOPTED).order_by("-pk").first()
    action = Action.objects.filter(roadmap=roadmap, restricted=False).order_by("pk").first()
    recommendation = Recommendation.objects.order_by("code").first()
    public_roadmap = Roadmap.objects.filter(status=RoadmapStatus.ADOPTED).order_by("pk").first()
    anonymous = [
        reverse("home"),
        reverse("territories:list"),
        *[reverse("territories:detail", args=[code]) for code in territories[::3]],
        reverse("reperes:index"),
        *[reverse("reperes:sheet", args=[code]) for code in territories[::4]],
        reverse("veille:list"),
        reverse("veille:list") + "?q=apprentissage",
        reverse("veille:list") + "?q=forum+emploi&territoire=" + PAGE_TERRITORY,
        reverse("veille:territory", args=[territories[5]]),
        reverse("roadmaps:recommendation_list"),
        reverse("roadmaps:recommendation_detail", args=[recommendation.code]),
        reverse("roadmaps:public_list"),
        reverse("roadmaps:public_detail", args=[public_roadmap.pk]),
        reverse("pages:plan"),
    ]
    member = [
        reverse("clefop:my_bodies"),
        reverse("clefop:body_detail", args=[clefop.slug]),
        reverse("clefop:body_members", args=[clefop.slug]),
        reverse("clefop:meeting_list", args=[clefop.slug]),
        reverse("clefop:document_list", args=[clefop.slug]),
        reverse("roadmaps:body_roadmaps", args=[clefop.slug]),
        reverse("roadmaps:roadmap_detail", args=[clefop.slug, roadmap.pk]),
        reverse("roadmaps:action_detail", args=[clefop.slug, action.pk]),
    ]
    overseer = [
        reverse("roadmaps:dashboard"),
        reverse("roadmaps:dashboard_departement", args=["44"]),
        reverse("clefop:body_detail", args=[clefop.slug]),
    ]
    crefop = [
        reverse("roadmaps:dashboard"),
        reverse("roadmaps:dashboard_region"),
        reverse("roadmaps:coverage"),
        reverse("roadmaps:coverage_detail", args=[recommendation.code]),
        reverse("roadmaps:roadmap_detail", args=[clefop.slug, roadmap.pk]),
    ]
    actor = [reverse("home"), reverse("veille:subscription"), reverse("clefop:my_bodies")]
    plan = [("anonyme", path, None) for path in anonymous]
    plan += [("membre d’un Clefop", path, ROLES["membre d’un Clefop"]) for path in member]
    plan += [("animateur·rice d’un Clefop", path, ROLES["animateur·rice d’un Clefop"]) for path in member[:4]]
    plan += [("membre d’un Cdefop", path, ROLES["membre d’un Cdefop"]) for path in overseer]
    plan += [("membre du Crefop", path, ROLES["membre du Crefop"]) for path in crefop]
    plan += [("acteur connecté sans instance", path, ROLES["acteur connecté sans instance"]) for path in actor]
    return plan


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--fresh", action="store_true", help="regenerate the scale-1 database")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1), 900)

    from bench.generate import prepare

    prepare(1, reuse=not args.fresh, base=False)
    env = harness.environment(1)
    os.environ.update(env)
    import django

    django.setup()
    from bench.run import render_and_count, session_cookie

    plan, excluded, cookies = [], [], {}
    candidates = soak_plan()
    for role, path, email in candidates:
        status, _queries, _content = render_and_count(path, email)
        if status != 200:
            excluded.append({"role": role, "path": path, "status": status})
            continue
        if email not in cookies:
            cookies[email] = session_cookie(email)
        plan.append((path, cookies[email]))
    roles = sorted({role for role, _p, _e in candidates})
    print(
        f"Charge soutenue : {args.clients} clients, {seconds:.0f} s, {len(plan)} URL ({len(roles)} rôles)", flush=True
    )
    for item in excluded:
        print(f"  écartée (statut {item['status']} au client de test) : {item['role']} {item['path']}")
    load_start = [round(x, 2) for x in os.getloadavg()]
    with harness.gunicorn(env, workers=args.workers) as (_url, port):
        harness.load(port, plan, clients=args.workers, requests=len(plan))  # warm the workers
        result = harness.load(port, plan, clients=args.clients, seconds=seconds)
    summary = result.summary()
    data = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": harness.machine(),
        "clients": args.clients,
        "gunicorn_workers": args.workers,
        "seconds": round(result.seconds, 1),
        "urls": len(plan),
        "roles": roles,
        "excluded_urls": excluded,
        **summary,
        "client_errors_4xx": sum(n for status, n in result.statuses.items() if 400 <= status < 500),
        "non_200_by_path": {path: st for path, st in result.by_path.items() if set(st) != {200}},
        "error_samples": result.error_samples,
        "load_average_start": load_start,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "target": "0 erreur serveur (5xx, connexion refusée ou coupée, délai dépassé)",
    }
    harness.write_results(data, name="soak")
    verdict = "atteint" if data["server_errors"] == 0 else "NON ATTEINT"
    print(
        "\n| Mesure | Valeur | Objectif | Verdict |\n|---|---|---|---|\n"
        f"| Erreurs serveur | {data['server_errors']} | 0 | {verdict} |\n"
        f"| Requêtes | {data['requests']} en {data['seconds']} s ({data['throughput_rps']} req/s) | — | — |\n"
        f"| Latence p50 / p95 / p99 | {data['p50_ms']} / {data['p95_ms']} / {data['p99_ms']} ms | — | — |\n"
        f"| Statuts | {data['statuses']} | — | — |\n"
        f"| Charge (1, 5, 15 min) | début {load_start}, fin {data['load_average_end']} | — | — |\n"
    )
    print(f"Résultats : {(RESULTS / 'soak.json').relative_to(harness.ROOT)}")
    sys.exit(1 if data["server_errors"] else 0)


if __name__ == "__main__":
    main()
