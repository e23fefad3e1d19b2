"""Precision and recall of the territory tagger on a labelled corpus of regional headlines.

The corpus (``corpus_headlines.csv``: title; expected territory codes separated by « | »; family) holds ordinary
regional headlines (no family) and, since issue #20, at least 10 headlines written for each family of errors that a
regional press review meets every day: a place elsewhere named like a commune of the region with its context
(« ailleurs »), a longer place name beginning like a commune of the region (« nom-plus-long »), a person's name
(« personne »), a homonym inside the region decided by its département (« homonyme-region ») and a commune named
like a département or a river (« departement-ou-riviere »).
"""

import csv
from collections import Counter
from pathlib import Path

import pytest

from veille.gazetteer import build_gazetteer

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).with_name("corpus_headlines.csv")
THRESHOLD = 0.5  # tags below this confidence are not counted as predictions
FAMILIES = {"ailleurs", "nom-plus-long", "personne", "homonyme-region", "departement-ou-riviere"}


def load_corpus():
    with CORPUS.open(encoding="utf-8") as handle:
        return [
            (row["titre"], {c for c in row["territoires"].split("|") if c}, row["famille"] or "")
            for row in csv.DictReader(handle, delimiter=";")
        ]


def test_corpus_is_large_enough_and_uses_real_codes():
    from territories.models import Territory

    rows = load_corpus()
    codes = set(Territory.objects.values_list("code", flat=True))
    assert len(rows) >= 100
    assert all(expected <= codes for _t, expected, _f in rows)
    assert sum(1 for _t, expected, _f in rows if not expected) >= 15  # headlines about no territory
    assert sum(1 for _t, expected, _f in rows if len(expected) >= 2) >= 5  # headlines about two territories
    families = Counter(family for _t, _e, family in rows if family)
    assert set(families) == FAMILIES
    assert all(count >= 10 for count in families.values()), families


def _rate(good, bad):
    return good / (good + bad) if good + bad else 1.0


def test_precision_and_recall(capsys):
    gazetteer = build_gazetteer()
    counts = Counter()
    errors = []
    for title, expected, family in load_corpus():
        found = {code for code, v in gazetteer.tag(title).territories.items() if v["confidence"] >= THRESHOLD}
        for scope in ("", family) if family else ("",):
            counts[scope, "tp"] += len(found & expected)
            counts[scope, "fp"] += len(found - expected)
            counts[scope, "fn"] += len(expected - found)
            counts[scope, "rows"] += 1
        if found != expected:
            errors.append(f"  [{family or 'courant'}] {title!r}: attendu {sorted(expected)}, trouvé {sorted(found)}")
    tp, fp, fn = counts["", "tp"], counts["", "fp"], counts["", "fn"]
    precision, recall = _rate(tp, fp), _rate(tp, fn)
    with capsys.disabled():
        print(
            f"\nCorpus veille ({counts['', 'rows']} titres) : précision {precision:.1%}, rappel {recall:.1%} "
            f"(VP {tp}, FP {fp}, FN {fn})"
        )
        for family in sorted(FAMILIES):
            ftp, ffp, ffn = counts[family, "tp"], counts[family, "fp"], counts[family, "fn"]
            print(
                f"  {family} ({counts[family, 'rows']} titres) : précision {_rate(ftp, ffp):.1%}, "
                f"rappel {_rate(ftp, ffn):.1%} (VP {ftp}, FP {ffp}, FN {ffn})"
            )
        if errors:
            print("\n".join(errors))
    assert precision >= 0.97, f"précision {precision:.1%}"
    assert recall >= 0.95, f"rappel {recall:.1%}"
