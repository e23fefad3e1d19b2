"""Permission matrix of the offre de services: every URL × every role → expected status."""

import pytest
from django.urls import reverse

from offer.models import SupportKind
from offer.services import add_session_document, create_support_request
from tests.clefop.factories import clefop
from tests.offer.factories import DispositifFactory, SessionFactory
from tests.roles import ROLES

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

EVERYONE = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": 302}
STAFF_ONLY = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "staff": 200}
HAS_ORGANISATION = {**SIGNED_IN, "user": 404}  # every body role represents an organisation (factories)

# (url name, kwargs spec (object names), expectations)
GET_CASES = [
    ("offer:dispositif_list", {}, EVERYONE),
    ("offer:dispositif_export", {}, EVERYONE),
    ("offer:dispositif_detail", {"pk": "dispositif"}, EVERYONE),
    ("offer:my_dispositifs", {}, SIGNED_IN),
    ("offer:dispositif_create", {}, HAS_ORGANISATION),
    ("offer:dispositif_update", {"pk": "dispositif"}, STAFF_ONLY),
    ("offer:session_list", {}, EVERYONE),
    ("offer:session_detail", {"pk": "session"}, EVERYONE),
    ("offer:my_registrations", {}, SIGNED_IN),
    ("offer:session_document_download", {"pk": "session", "doc_pk": "document"}, STAFF_ONLY),
    ("offer:support_list", {}, SIGNED_IN),
    ("offer:support_detail", {"pk": "support"}, {**STAFF_ONLY, "animateur": 200}),
    ("offer:support_create", {"slug": "body"}, {**STAFF_ONLY, "animateur": 200}),
    ("offer:dispositif_import", {}, STAFF_ONLY),
    ("offer:dispositif_import_template", {}, STAFF_ONLY),
    ("offer:session_create", {}, STAFF_ONLY),
    ("offer:session_update", {"pk": "session"}, STAFF_ONLY),
    ("offer:session_registrations", {"pk": "session"}, STAFF_ONLY),
    ("offer:session_registrations_export", {"pk": "session"}, STAFF_ONLY),
    ("offer:support_queue", {}, STAFF_ONLY),
    ("offer:support_manage", {"pk": "support"}, STAFF_ONLY),
]
REDIRECT_ALL = {**dict.fromkeys(ROLES, 302)}
POST_CASES = [
    ("offer:dispositif_review", {"pk": "dispositif"}, {**STAFF_ONLY, "staff": 302}),
    ("offer:session_register", {"pk": "session"}, REDIRECT_ALL),
    ("offer:session_cancel", {"pk": "session"}, REDIRECT_ALL),
    ("offer:dispositif_import_confirm", {}, {**STAFF_ONLY, "staff": 302}),
    ("offer:session_document_upload", {"pk": "session"}, {**STAFF_ONLY, "staff": 302}),
]
# GET-only views answer 405 to POST and POST-only views 405 to GET: covered by the cases above.


def _expand(cases):
    return [
        (name, spec, role, expected) for name, spec, expectations in cases for role, expected in expectations.items()
    ]


@pytest.fixture
def offer(db, role_user, staff_user):
    body = clefop("44-NAN")
    session = SessionFactory()
    document = add_session_document(session=session, title="Support", data=PDF, filename="support.pdf", by=staff_user)
    support = create_support_request(
        body=body, requester=role_user("animateur"), kind=SupportKind.TOOLING, need="Un modèle de tableau de bord."
    )
    return {
        "dispositif": DispositifFactory().pk,
        "session": session.pk,
        "document": document.pk,
        "support": support.pk,
        "body": body.slug,
    }


def _url(name, spec, offer):
    return reverse(name, kwargs={key: offer[value] for key, value in spec.items()})


@pytest.mark.parametrize(("name", "spec", "role", "expected"), _expand(GET_CASES))
def test_get_matrix(client_for, offer, name, spec, role, expected):
    response = client_for(role).get(_url(name, spec, offer))
    if response.streaming:  # file downloads: consuming the stream closes the file (and keeps the connection)
        b"".join(response.streaming_content)
    assert response.status_code == expected, f"{role} GET {name}: {response.status_code} ≠ {expected}"
    if expected == 302:
        assert "/compte/login/" in response["Location"]


@pytest.mark.parametrize(("name", "spec", "role", "expected"), _expand(POST_CASES))
def test_post_matrix(client_for, offer, name, spec, role, expected):
    response = client_for(role).post(_url(name, spec, offer), {})
    assert response.status_code == expected, f"{role} POST {name}: {response.status_code} ≠ {expected}"
    if role == "anonymous":
        assert "/compte/login/" in response["Location"]


def test_every_offer_url_is_in_the_matrix():
    from offer import urls

    names = {f"offer:{p.name}" for p in urls.urlpatterns}
    covered = {name for name, _spec, _exp in GET_CASES + POST_CASES}
    assert names == covered, names ^ covered
