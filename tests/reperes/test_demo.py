"""The generated demonstration values (reperes/demo.py) and the distributions the bench generator shares with them."""

import random

import pytest

from reperes.demo import SEED, YEARS, CommuneProfile, ensure_indicators, generate_files
from reperes.importers import validate_file

pytestmark = pytest.mark.django_db


def test_demo_files_are_the_same_at_every_run_and_pass_the_importer(tmp_path):
    ensure_indicators()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = generate_files(tmp_path / "a")
    second = generate_files(tmp_path / "b")
    assert [path.name for path, _f, _o in first] == [
        "demo-demandeurs-emploi-offres-apprentis.csv",
        "demo-emploi-salarie.csv",
        "demo-population-par-age-2025.csv",
    ]
    assert [p.read_bytes() for p, _f, _o in first] == [p.read_bytes() for p, _f, _o in second]
    for path, format, options in first:
        result = validate_file(path.read_bytes(), path.name, format=format, options=options)
        assert result.is_valid, result.errors[:3]


def test_demo_draws_noise_and_rounds_counts_the_bench_keeps_smooth_trends():
    commune = CommuneProfile.draw(random.Random(SEED), 1200)
    last = len(YEARS) - 1
    assert commune.size(last) == 1200
    demo = commune.year_values(last, draw=random.Random(1).uniform)
    smooth = commune.year_values(last, whole=False)
    assert all(isinstance(demo[code], int) for code in demo if code != "salaire_horaire")
    assert smooth["defm_a"] == pytest.approx(smooth["defm_abc"] * 0.56)
    sectors = [
        code for code in smooth if code.startswith("emploi_") and code not in ("emploi_salarie", "emploi_55_plus")
    ]
    assert sum(smooth[code] for code in sectors) == pytest.approx(smooth["emploi_salarie"])
    assert demo["defm_abc"] == pytest.approx(smooth["defm_abc"], rel=0.04)
    ages = commune.age_values(last, whole=False)
    assert sum(ages.values()) == pytest.approx(1200)
    assert list(ages)[:2] == ["pop_h_0014", "pop_h_1529"] and list(ages)[-1] == "pop_f_75p"
