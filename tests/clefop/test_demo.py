import pytest
from django.test import Client

from accounts.models import User
from clefop.demo import load_demo
from clefop.models import Body, BodyKind, Document, Meeting, Membership, Position

pytestmark = pytest.mark.django_db


def test_demo_covers_every_clefop_and_position_and_is_idempotent():
    result = load_demo()
    emails = {email for _label, email in result["accounts"]}
    for email in [
        "sous-prefet.nantes@demo.srefop.fr",
        "elu.nantes@demo.srefop.fr",
        "animateur.nantes@demo.srefop.fr",
        "membre.nantes@demo.srefop.fr",
        "observateur.nantes@demo.srefop.fr",
        "membre.angers@demo.srefop.fr",
        "cdefop44@demo.srefop.fr",
        "crefop@demo.srefop.fr",
    ]:
        assert email in emails
        assert User.objects.get(email=email).is_demo
    for clefop in Body.objects.clefops():
        active = Membership.objects.active().filter(body=clefop)
        assert active.filter(position=Position.COCHAIR).count() == 2
        assert active.filter(position=Position.COCHAIR).exclude(role_label="").count() == 2
        assert active.filter(position=Position.ANIMATEUR).count() == 1
        assert active.count() >= 10
        assert clefop.working_groups.count() == 2
        assert Meeting.objects.filter(body=clefop, minutes_text__gt="").exists()
    assert Document.objects.filter(is_demo=True, current_version__isnull=False).count() == 36
    counts = (User.objects.count(), Membership.objects.count(), Meeting.objects.count(), Body.objects.count())
    load_demo()
    assert (User.objects.count(), Membership.objects.count(), Meeting.objects.count(), Body.objects.count()) == counts
    assert Body.objects.filter(kind=BodyKind.WORKING_GROUP, is_demo=True).count() == 36


def test_demo_accounts_sign_in_and_see_their_scope():
    load_demo()
    client = Client()
    assert client.login(email="membre.angers@demo.srefop.fr", password="demo-srefop-2026")
    assert client.get("/instances/clefop-49-ang/").status_code == 200
    assert client.get("/instances/clefop-44-nan/").status_code == 404
    document = Document.objects.filter(body__slug="clefop-49-ang").first()
    response = client.get(document.current_version.get_download_url())
    assert response.status_code == 200
    b"".join(response.streaming_content)
