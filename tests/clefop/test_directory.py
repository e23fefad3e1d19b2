import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from clefop.models import Membership, Organisation, Position
from srefop_portal.common.collation import french
from tests.clefop.factories import MembershipFactory, OrganisationFactory, clefop

pytestmark = pytest.mark.django_db

GOOD = (
    "email;prenom;nom;instance;fonction;structure;type_structure;departement;qualite\r\n"
    "lea.martin@exemple.fr;Léa;Martin;clefop-44-nan;membre;Mission locale du vignoble;Mission locale;44;Directrice\r\n"
    "paul.roy@exemple.fr;Paul;Roy;clefop-49-ang;Observateur·rice;;;;\r\n"
)


def _check(client, content: bytes, name="membres.csv"):
    return client.post(reverse("clefop:member_import"), {"file": SimpleUploadedFile(name, content)})


def test_import_validates_then_applies_all(staff_client):
    response = _check(staff_client, GOOD.encode("cp1252"))
    assert response.status_code == 200
    assert User.objects.filter(email="lea.martin@exemple.fr").count() == 0  # nothing written yet
    token = response.context["token"]
    assert token
    done = staff_client.post(reverse("clefop:member_import_confirm"), {"token": token})
    assert done.status_code == 302
    lea = User.objects.get(email="lea.martin@exemple.fr")
    membership = Membership.objects.get(user=lea)
    assert membership.body == clefop("44-NAN") and membership.position == Position.MEMBER
    assert membership.organisation.name == "Mission locale du vignoble" and membership.role_label == "Directrice"
    assert Membership.objects.get(user__email="paul.roy@exemple.fr").position == Position.OBSERVER
    assert not lea.has_usable_password()


def test_import_errors_by_line_and_column_and_nothing_written(staff_client):
    bad = GOOD + (
        "pas-une-adresse;A;B;clefop-44-nan;membre;;;;\r\nc@exemple.fr;C;D;instance-inconnue;chef;X;type inconnu;99;\r\n"
    )
    before = (User.objects.count(), Membership.objects.count(), Organisation.objects.count())
    response = _check(staff_client, bad.encode())
    html = response.content.decode()
    errors = response.context["result"].errors
    assert {(e.line, e.column) for e in errors} >= {
        (4, "email"),
        (5, "instance"),
        (5, "fonction"),
        (5, "type_structure"),
        (5, "departement"),
    }
    assert "aucune donnée n’a été modifiée" in html
    assert response.context["token"] == ""
    assert (User.objects.count(), Membership.objects.count(), Organisation.objects.count()) == before


def test_import_reads_xlsx_and_refuses_existing_membership(staff_client):
    from srefop_portal.common.tabular import xlsx_bytes

    existing = MembershipFactory()
    data = xlsx_bytes(["email", "instance", "fonction"], [[existing.user.email, "clefop-44-nan", "membre"]])
    response = _check(staff_client, data, "membres.xlsx")
    errors = response.context["result"].errors
    assert len(errors) == 1 and errors[0].line == 2 and "déjà" in errors[0].message


def test_confirm_without_stash_changes_nothing(staff_client):
    response = staff_client.post(reverse("clefop:member_import_confirm"), {"token": "inconnu"})
    assert response.status_code == 302 and response["Location"] == reverse("clefop:member_import")


def test_directory_filters_and_xlsx_export(staff_client):
    a = MembershipFactory(position=Position.ANIMATEUR, organisation__kind="mission_locale", organisation__name="ML A")
    b = MembershipFactory(body=clefop("49-ANG"), organisation__kind="opco", organisation__name="OPCO B")
    url = reverse("clefop:directory")
    html = staff_client.get(url, {"territoire": "44-NAN"}).content.decode()
    assert a.user.email in html and b.user.email not in html
    html = staff_client.get(url, {"type_structure": "opco"}).content.decode()
    assert b.user.email in html and a.user.email not in html
    html = staff_client.get(url, {"fonction": "animateur"}).content.decode()
    assert a.user.email in html and b.user.email not in html
    html = staff_client.get(url, {"instance": "clefop-49-ang"}).content.decode()
    assert b.user.email in html and a.user.email not in html
    response = staff_client.get(reverse("clefop:directory_export"), {"territoire": "49-ANG"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Nom" and len(rows) == 2 and rows[1][2] == b.user.email


def test_directory_query_count_is_constant(staff_client):
    url = reverse("clefop:directory")
    MembershipFactory()
    staff_client.get(url)
    with CaptureQueriesContext(connection) as small:
        staff_client.get(url)
    for _ in range(20):
        MembershipFactory(body=clefop("49-ANG"))
    staff_client.get(url)  # the writes renew the reader's cached account and positions (tests/common/test_chrome.py)
    with CaptureQueriesContext(connection) as large:
        staff_client.get(url)
    assert len(large) == len(small)


def test_staff_manages_organisations(staff_client):
    response = staff_client.post(
        reverse("clefop:organisation_create"), {"name": "OPCO Atlas", "kind": "opco", "siren": "123"}
    )
    assert response.status_code == 400 and "9 chiffres" in response.content.decode()
    staff_client.post(reverse("clefop:organisation_create"), {"name": "OPCO Atlas", "kind": "opco", "siren": ""})
    organisation = Organisation.objects.get(name="OPCO Atlas")
    duplicate = staff_client.post(reverse("clefop:organisation_create"), {"name": "opco atlas", "kind": "opco"})
    assert duplicate.status_code == 400
    staff_client.post(
        reverse("clefop:organisation_update", args=[organisation.pk]),
        {"name": "OPCO Atlas Pays de la Loire", "kind": "opco", "siren": "851296632"},
    )
    organisation.refresh_from_db()
    assert organisation.name == "OPCO Atlas Pays de la Loire" and organisation.siren == "851296632"
    assert "OPCO Atlas" in staff_client.get(reverse("clefop:organisation_list"), {"q": "atlas"}).content.decode()


def test_staff_tiles(staff_client):
    html = staff_client.get(reverse("staff_home")).content.decode()
    assert reverse("clefop:directory") in html and reverse("clefop:organisation_list") in html


def test_organisations_sorted_as_in_french(staff_client):
    """« Éducation nationale » sorts with the E (not after Z), on SQLite and on PostgreSQL alike."""
    Organisation.objects.all().delete()
    for name in (
        "Zénith emploi",
        "Éducation nationale — DSDEN 44",
        "DDETS 44",
        "ecole de la 2e chance",
        "France Travail",
    ):
        OrganisationFactory(name=name)
    expected = [
        "DDETS 44",
        "ecole de la 2e chance",
        "Éducation nationale — DSDEN 44",
        "France Travail",
        "Zénith emploi",
    ]
    assert list(Organisation.objects.order_by(french("name")).values_list("name", flat=True)) == expected
    page = staff_client.get(reverse("clefop:organisation_list")).content.decode()
    positions = [page.index(name) for name in expected]
    assert positions == sorted(positions)
