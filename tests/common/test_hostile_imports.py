"""Every import survives hostile and unusual files (issue #14): the same corpus (bench/hostile_files.py) is handed to
the five imports — composition, members, préconisations, repères, dispositifs. For each file: no server error, the
database unchanged, and either the file read correctly (encodings, line ends) or a French message naming the problem,
with its line where there is one. Each import's own example file passes its own check."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from bench.hostile_files import corpus
from clefop.importers import COLUMNS as MEMBER_COLUMNS
from clefop.importers import TEMPLATE_ROWS as MEMBER_ROWS
from clefop.models import Membership, Organisation
from offer.importers import COLUMNS as DISPOSITIF_COLUMNS
from offer.importers import TEMPLATE_ROWS as DISPOSITIF_ROWS
from offer.models import Dispositif
from reperes.models import ImportBatch, Indicator, Observation, Theme
from roadmaps.importers import HEADERS as RECOMMENDATION_HEADERS
from roadmaps.importers import template_rows as recommendation_rows
from roadmaps.models import Recommendation
from srefop_portal.common.models import Job
from srefop_portal.common.templatetags.portal_tags import fr_number
from territories.models import Commune, CompositionChange, Territory

pytestmark = pytest.mark.django_db

N = 100_000


@dataclass
class ImportCase:
    url: str
    template_url: str
    header: list[str]
    rows: callable
    params: dict = field(default_factory=dict)
    large_valid: callable | None = None
    large_invalid: callable | None = None

    def files(self):
        header = [*self.header, "commentaire"]
        rows = [[*row, "rien à signaler"] for row in self.rows()]
        return corpus(header, rows, len(header) - 1, large_valid=self.large_valid, large_invalid=self.large_invalid)


def _composition_rows():
    return [list(r) for r in Commune.objects.order_by("code").values_list("code", "territory__code", "territory__name")]


def _pad(values: dict, header: list[str]) -> list[str]:
    return [values.get(name, "") for name in header]


CASES = {
    "composition": ImportCase(
        url="territories:composition_import",
        template_url="",
        header=["code_commune", "code_territoire", "nom_territoire"],
        rows=_composition_rows,
        large_invalid=lambda: [["99999", "44-NAN", "Nantes"]] * N,
    ),
    "membres": ImportCase(
        url="clefop:member_import",
        template_url="clefop:member_import_template",
        header=MEMBER_COLUMNS,
        rows=lambda: MEMBER_ROWS,
        large_valid=lambda: [
            _pad({"email": f"m{i}@exemple.fr", "instance": "clefop-44-nan", "fonction": "membre"}, MEMBER_COLUMNS)
            for i in range(N)
        ],
        large_invalid=lambda: [
            _pad({"email": f"m{i}@exemple.fr", "instance": "inconnue", "fonction": "membre"}, MEMBER_COLUMNS)
            for i in range(N)
        ],
    ),
    "preconisations": ImportCase(
        url="roadmaps:recommendation_import",
        template_url="roadmaps:import_template",
        header=RECOMMENDATION_HEADERS,
        rows=recommendation_rows,
        large_valid=lambda: [
            _pad(
                {"code": f"P{i}", "titre": "Titre", "fiche_ambition": "F2.1", "evolution": "créer"},
                RECOMMENDATION_HEADERS,
            )
            for i in range(N)
        ],
        large_invalid=lambda: [
            _pad(
                {"code": f"P{i}", "titre": "Titre", "fiche_ambition": "F9.9", "evolution": "créer"},
                RECOMMENDATION_HEADERS,
            )
            for i in range(N)
        ],
    ),
    "reperes": ImportCase(
        url="reperes_staff:import_new",
        template_url="",
        header=["indicateur", "niveau", "code_geo", "periode", "valeur"],
        rows=lambda: [["emp", "commune", "44109", "2024", "1 234,5"], ["emp", "commune", "49007", "2024", "-3,5"]],
        params={"format": "long"},
        large_valid=lambda: _reperes_large(valid=True),
        large_invalid=lambda: _reperes_large(valid=False),
    ),
    "dispositifs": ImportCase(
        url="offer:dispositif_import",
        template_url="offer:dispositif_import_template",
        header=DISPOSITIF_COLUMNS,
        rows=lambda: DISPOSITIF_ROWS,
        large_valid=lambda: [
            _pad(
                {
                    "nom": f"D{i}",
                    "structure": "Org",
                    "type_structure": "Région",
                    "echelon": "Local",
                    "description": "x",
                },
                DISPOSITIF_COLUMNS,
            )
            for i in range(N)
        ],
        large_invalid=lambda: [
            _pad({"nom": f"D{i}", "structure": "Org", "echelon": "Local", "description": "x"}, DISPOSITIF_COLUMNS)
            for i in range(N)
        ],
    ),
}


def _reperes_large(*, valid: bool) -> list[list[str]]:
    """100,000 distinct values (communes × months), or as many with an unknown commune."""
    communes = list(Commune.objects.order_by("code").values_list("code", flat=True)[:500])
    periods = [f"{year}-{month:02d}" for year in range(2000, 2017) for month in range(1, 13)]
    rows = []
    for period in periods:
        for code in communes:
            rows.append(["emp", "commune", code if valid else "00000", period, "12,5"])
            if len(rows) == N:
                return rows
    return rows


@pytest.fixture
def import_world(db):
    """What the valid rows of each import refer to (the rest comes with the reference data)."""
    Indicator.objects.get_or_create(
        code="emp", defaults={"label": "Emplois", "theme": Theme.EMPLOI, "unit": "emplois", "is_key": True}
    )


def snapshot():
    return {
        "territories": list(Territory.objects.order_by("code").values_list("code", "name")),
        "communes": list(Commune.objects.order_by("code").values_list("code", "territory_id")),
        "changes": CompositionChange.objects.count(),
        "memberships": Membership.objects.count(),
        "organisations": Organisation.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "observations": Observation.objects.count(),
        "batches": ImportBatch.objects.count(),
        "dispositifs": Dispositif.objects.count(),
        "jobs": Job.objects.count(),
    }


def _messages(response) -> str:
    result = response.context["result"]
    if result is not None:
        return " | ".join(str(e) for e in result.errors)
    return " | ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def _params():
    return [
        pytest.param(name, hostile.name, id=f"{name}-{hostile.name}")
        for name, case in CASES.items()
        for hostile in _CORPUS_SHAPE
    ]


# The corpus' shape (names only) is the same for every import; files are built per test from the live database.
_CORPUS_SHAPE = corpus(["a", "b"], [["1", "2"]], 1, large_valid=list, large_invalid=list)


@pytest.mark.parametrize("name, file_name", _params())
def test_hostile_file(staff_client, import_world, name, file_name):
    case = CASES[name]
    hostile = next((f for f in case.files() if f.name == file_name), None)
    if hostile is None:
        pytest.skip("sans objet pour cet import (aucun fichier de 100 000 lignes valide possible)")
    before = snapshot()
    upload = SimpleUploadedFile(hostile.filename, hostile.data)
    response = staff_client.post(reverse(case.url), {"file": upload, **case.params})
    assert response.status_code < 500
    assert snapshot() == before
    messages = _messages(response)
    if not hostile.expected:
        assert response.status_code == 200, messages[:2000]
        assert "Fichier valide" in response.content.decode()
        if hostile.encoding:
            assert response.context["result"].encoding == hostile.encoding
        if hostile.name == "several-sheets":
            assert "seule la première, « Données », est lue" in response.content.decode()
        return
    assert response.status_code == 400  # one status for an invalid file, on every import
    if hostile.name == "100k-invalid":
        # The first errors on the page with their total, the full list as CSV (repères stops at 10,000 errors).
        count = response.context["error_count"]
        assert count >= 10_000 and len(response.context["shown_errors"]) == 100
        html = response.content.decode()
        assert "Télécharger la liste complète" in html and fr_number(count) in html
        lines = staff_client.get(response.context["errors_url"]).content.decode("utf-8-sig").splitlines()
        assert lines[0] == "Ligne;Colonne;Erreur" and len(lines) >= count + 1
        assert lines[1].startswith("2;") and not any(" " in line.split(";")[0] for line in lines)  # "1230", not "1 230"
        return
    assert hostile.expected in messages, messages[:2000]
    if hostile.line:
        errors = response.context["result"].errors
        assert any(e.line == hostile.line and e.column for e in errors), messages[:2000]


def test_the_corpus_is_twenty_files_or_more_per_import():
    assert len(_CORPUS_SHAPE) >= 20


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case.template_url])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_each_example_file_passes_its_own_check(staff_client, import_world, name, fmt):
    case = CASES[name]
    try:
        url = reverse(case.template_url, kwargs={"fmt": fmt})
    except NoReverseMatch:
        if fmt != "xlsx":
            pytest.skip("cet import ne propose que le modèle XLSX")
        url = reverse(case.template_url)
    example = staff_client.get(url)
    assert example.status_code == 200
    upload = SimpleUploadedFile(f"modele.{fmt}", example.content)
    response = staff_client.post(reverse(case.url), {"file": upload, **case.params})
    assert response.status_code == 200, _messages(response)
    assert "Fichier valide" in response.content.decode()


def test_errors_only_downloadable_by_their_session(staff_client, client_for, import_world):
    data = "\r\n".join(";".join(r) for r in [["code_commune", "code_territoire"], *[["99999", "44-NAN"]] * 150])
    response = staff_client.post(
        reverse("territories:composition_import"), {"file": SimpleUploadedFile("f.csv", data.encode())}
    )
    url = response.context["errors_url"]
    assert url and staff_client.get(url).status_code == 200
    assert client_for("member").get(url).status_code == 404


def test_a_large_valid_check_reads_in_bounded_memory():
    """The reading layer alone on 100,000 rows (the bench measures its time and memory)."""
    from srefop_portal.common.tabular import read_table

    data = io.BytesIO()
    data.write(b"indicateur;niveau;code_geo;periode;valeur\r\n")
    for i in range(N):
        data.write(f"emp;commune;44109;2024;{i},5\r\n".encode())
    table = read_table(data.getvalue(), "grand.csv")
    assert len(table.rows) == N and table.rows[-1].line == N + 1
