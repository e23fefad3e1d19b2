import pytest
from django.urls import reverse

from reperes.models import Indicator, Sheet
from reperes.sheets import build_sheet
from territories.models import Territory
from tests.matrix import check, expand

pytestmark = pytest.mark.django_db

PUBLIC = {"anonymous": 200, "user": 200, "member": 200, "staff": 200}
STAFF = {"anonymous": 302, "user": 404, "member": 404, "staff": 200}


@pytest.fixture(autouse=True)
def sheets(db):
    territory = Territory.objects.get(code="44-NAN")
    for audience in Sheet.Audience.values:
        build_sheet(territory, audience)


def first_indicator():
    return {"pk": Indicator.objects.get(code="population").pk}


CASES = [
    ("reperes:index", {}, PUBLIC),
    ("reperes:sheet", {"code": "44-NAN"}, PUBLIC),
    ("reperes:sheet_data", {"code": "44-NAN", "fmt": "csv"}, PUBLIC),
    ("reperes:sheet_data", {"code": "44-NAN", "fmt": "xlsx"}, PUBLIC),
    ("reperes:compare", {}, PUBLIC),
    ("reperes:compare_data", {"fmt": "csv"}, PUBLIC),
    ("reperes:compare_data", {"fmt": "xlsx"}, PUBLIC),
    ("reperes:sheet", {"code": "99-XXX"}, {"anonymous": 404, "staff": 404}),
    ("reperes_staff:import_list", {}, STAFF),
    ("reperes_staff:import_new", {}, STAFF),
    ("reperes_staff:indicator_list", {}, STAFF),
    ("reperes_staff:indicator_create", {}, STAFF),
    ("reperes_staff:indicator_edit", first_indicator, STAFF),
]


@pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), expand(CASES))
def test_matrix(client_for, url_name, kwargs, role, expected):
    check(client_for, url_name, kwargs, role, expected)


@pytest.mark.parametrize("url_name", ["reperes_staff:import_confirm", "reperes_staff:rebuild"])
@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("user", 404), ("member", 404)])
def test_staff_posts_are_refused(client_for, url_name, role, expected):
    check(client_for, url_name, {}, role, expected, method="post")


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("user", 404), ("member", 404)])
def test_batch_pages_are_staff_only(client_for, role, expected):
    from reperes.services import create_batch

    batch = create_batch(user=None, data=b"x", filename="x.csv", format="long", options={})
    check(client_for, "reperes_staff:import_detail", {"pk": batch.pk}, role, expected)
    check(client_for, "reperes_staff:import_rollback", {"pk": batch.pk}, role, expected, method="post")
    check(client_for, "reperes_staff:import_detail", {"pk": batch.pk}, "staff", 200)
    # Staff: the roll-back is checked (this import is not applied: refused) and the page shown again.
    check(client_for, "reperes_staff:import_rollback", {"pk": batch.pk}, "staff", 302, method="post")


def test_sheet_pdf_is_public(client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = check(client_for, "reperes:sheet_pdf", {"code": "44-NAN"}, "anonymous", 200)
        assert response is not None
        posted = client_for("anonymous").post(reverse("reperes:sheet_pdf", args=["44-NAN"]))
    assert posted.status_code in (302, 404)  # a build is asked for (or the sheet is not built yet)
