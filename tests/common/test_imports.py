"""The shared two-step import (srefop_portal/common/imports.py) and its stash (uploads.py), exercised through the
member import of the directory, which uses them as every other import does."""

import os
import time

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from clefop.models import Membership
from clefop.services import ClefopError
from srefop_portal.common import uploads
from srefop_portal.common.imports import TabularFileField
from tests.clefop.factories import MembershipFactory, clefop

pytestmark = pytest.mark.django_db

GOOD = (
    "email;prenom;nom;instance;fonction\r\n"
    "lea.martin@exemple.fr;Léa;Martin;clefop-44-nan;membre\r\n"
    "paul.roy@exemple.fr;Paul;Roy;clefop-49-ang;membre\r\n"
)
CHECK, CONFIRM = "clefop:member_import", "clefop:member_import_confirm"


def _check(client, content: bytes = GOOD.encode(), name="membres.csv"):
    return client.post(reverse(CHECK), {"file": SimpleUploadedFile(name, content)})


def _confirm(client, token):
    response = client.post(reverse(CONFIRM), {"token": token})
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_a_valid_file_is_stashed_and_previewed_and_nothing_is_written(staff_client):
    response = _check(staff_client)
    assert response.status_code == 200 and response.context["token"]
    assert response.context["confirm_url"] == reverse(CONFIRM)
    html = response.content.decode()
    assert "Fichier valide" in html and "2 appartenances à créer" in html and "Importer ces membres" in html
    assert not User.objects.filter(email="lea.martin@exemple.fr").exists()


def test_expired_stash_is_refused_with_a_clear_message(staff_client, settings):
    token = _check(staff_client).context["token"]
    path = uploads._stash_dir() / f"{token}.bin"
    settings.SREFOP_UPLOAD_STASH_MAX_AGE = 600
    os.utime(path, (time.time() - 601,) * 2)
    response, messages = _confirm(staff_client, token)
    assert response.status_code == 302 and response["Location"] == reverse(CHECK)
    assert any("n’est plus disponible" in m and "déposez-le à nouveau" in m for m in messages)
    assert not User.objects.filter(email="lea.martin@exemple.fr").exists()
    assert not path.exists()  # an expired stash is removed


def test_expired_stash_files_are_purged_on_the_next_upload(staff_client):
    stale = uploads._stash_dir() / ("a" * 32 + ".bin")
    stale.write_bytes(b"old")
    os.utime(stale, (time.time() - uploads.DEFAULT_MAX_AGE - 60,) * 2)
    _check(staff_client)
    assert not stale.exists()


def test_a_token_cannot_point_outside_the_stash(staff_client):
    assert uploads.read_stashed_file("../../etc/passwd") is None
    response, messages = _confirm(staff_client, "../" + "a" * 29)
    assert response.status_code == 302 and any("plus disponible" in m for m in messages)


def test_the_file_is_checked_again_at_confirmation(staff_client):
    token = _check(staff_client).context["token"]
    # Between the check and the confirmation, Léa joins the Clefop: the file is no longer valid.
    MembershipFactory(user__email="lea.martin@exemple.fr", body=clefop("44-NAN"))
    before = Membership.objects.count()
    response, messages = _confirm(staff_client, token)
    assert response.status_code == 302 and response["Location"] == reverse(CHECK)
    assert any("désormais 1 erreur " in m and "aucune modification" in m for m in messages)
    assert Membership.objects.count() == before
    assert not User.objects.filter(email="paul.roy@exemple.fr").exists()


def test_a_domain_error_while_applying_writes_nothing(staff_client, monkeypatch):
    from clefop.services import directory

    def failing(**kwargs):
        raise ClefopError("structure en double")

    monkeypatch.setattr(directory, "import_members", failing)  # the service both the view and the job call
    token = _check(staff_client).context["token"]
    response, messages = _confirm(staff_client, token)
    assert response.status_code == 302 and response["Location"] == reverse(CHECK)
    assert messages == ["Import annulé, aucune modification : structure en double"]
    assert not User.objects.filter(email="lea.martin@exemple.fr").exists()


def test_success_drops_the_stash_and_a_replay_is_refused(staff_client):
    token = _check(staff_client).context["token"]
    response, messages = _confirm(staff_client, token)
    assert response["Location"] == reverse("clefop:directory") and messages[0].startswith("Import terminé : 2\u00a0")
    assert not (uploads._stash_dir() / f"{token}.bin").exists()
    response, messages = _confirm(staff_client, token)
    assert response["Location"] == reverse(CHECK) and "plus disponible" in messages[-1]
    assert Membership.objects.filter(user__email="lea.martin@exemple.fr").count() == 1


def test_another_persons_stash_cannot_be_applied(staff_client, client_for):
    token = _check(staff_client).context["token"]
    other = client_for("staff")  # another session, even of a staff member
    response, messages = _confirm(other, token)
    assert "plus disponible" in messages[0]
    assert not User.objects.filter(email="lea.martin@exemple.fr").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("membres.pdf", GOOD.encode(), "Formats acceptés : CSV ou XLSX."),
        ("membres.csv", b"x" * (5 * 1024 * 1024 + 1), "Le fichier dépasse 5 Mo."),
    ],
)
def test_file_type_and_size_limits(staff_client, name, content, message):
    response = _check(staff_client, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["result"] is None and response.context["token"] == ""


def test_tabular_file_field_states_its_limit():
    field = TabularFileField(label="Fichier", help_text="CSV ou XLSX", max_mb=7)
    assert field.help_text == (
        "CSV ou XLSX. 7 Mo au plus, 100\u202f000 lignes et 200 colonnes au plus ; "
        "un classeur XLSX ne doit pas dépasser 60 Mo une fois décompressé."
    )
    assert field.widget.attrs["accept"] == ".csv,.txt,.xlsx"


def test_template_views_share_the_staff_base_and_state_their_own_permission():
    from django.urls import resolve

    from srefop_portal.common.imports import ImportTemplateView

    expected = {
        reverse("clefop:member_import_template"): "clefop.manage_directory",
        reverse("offer:dispositif_import_template"): "offer.import_dispositifs",
        reverse("roadmaps:import_template", args=["csv"]): "roadmaps.manage_referential",
    }
    for url, permission in expected.items():
        view_class = resolve(url).func.view_class
        assert issubclass(view_class, ImportTemplateView) and view_class.requires_second_factor
        assert view_class.permission_required == permission


def test_template_view_without_a_permission_is_refused(staff_user, rf):
    from django.core.exceptions import ImproperlyConfigured

    from srefop_portal.common.imports import ImportTemplateView

    class Unguarded(ImportTemplateView):
        filename, columns = "modele", ["code"]

    request = rf.get("/")
    request.user = staff_user
    with pytest.raises(ImproperlyConfigured):
        Unguarded.as_view()(request)


def test_template_in_a_format_not_offered_is_404(staff_client):
    response = staff_client.get(reverse("roadmaps:import_template", args=["pdf"]))
    assert response.status_code == 404
    assert staff_client.get(reverse("roadmaps:import_template", args=["csv"]))["Content-Disposition"] == (
        'attachment; filename="modele-preconisations.csv"'
    )
