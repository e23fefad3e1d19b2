"""Precision and recall of the territory tagger on a labelled corpus of regional headlines."""

import csv
from pathlib import Path

import pytest

from veille.gazetteer import build_gazetteer

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).with_name("corpus_headlines.csv")
THRESHOLD = 0.5  # tags below this confidence are not counted as predictions


def load_corpus():
    with CORPUS.open(encoding="utf-8") as handle:
        return [
            (row["titre"], {c for c in row["territoires"].split("|") if c})
            for row in csv.DictReader(handle, delimiter=";")
        ]


def test_corpus_is_large_enough_and_uses_real_codes():
    from territories.models import Territory

    rows = load_corpus()
    codes = set(Territory.objects.values_list("code", flat=True))
    assert len(rows) >= 100
    assert all(expected <= codes for _t, expected in rows)
    assert sum(1 for _t, expected in rows if not expected) >= 15  # headlines about no territory
    assert sum(1 for _t, expected in rows if len(expected) >= 2) >= 5  # headlines about two territories


def test_precision_and_recall(capsys):
    gazetteer = build_gazetteer()
    tp = fp = fn = 0
    errors = []
    for title, expected in load_corpus():
        found = {code for code, v in gazetteer.tag(title).territories.items() if v["confidence"] >= THRESHOLD}
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
        if found != expected:
            errors.append(f"  {title!r}: attendu {sorted(expected)}, trouvé {sorted(found)}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    with capsys.disabled():
        print(f"\nCorpus veille : précision {precision:.1%}, rappel {recall:.1%} (VP {tp}, FP {fp}, FN {fn})")
        if errors:
            print("\n".join(errors))
    assert precision >= 0.95, f"précision {precision:.1%}"
    assert recall >= 0.90, f"rappel {recall:.1%}"
