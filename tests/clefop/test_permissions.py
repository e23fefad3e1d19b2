"""Every URL of the clefop app × every role. Objects sit in the Clefop of Nantes (44-NAN)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "user", "member", "observer", "animateur", "cochair", "other_member", "cdefop", "crefop", "staff"]


def expect(ok: set[str], ok_status=200, anonymous=302):
    return {role: (anonymous if role == "anonymous" else ok_status if role in ok else 404) for role in ROLES}


READERS = {"member", "observer", "animateur", "cochair", "cdefop", "crefop", "staff"}
MEMBERS = {"member", "observer", "animateur", "cochair"}
MANAGERS = {"animateur", "staff"}
STAFF = {"staff"}
SIGNED_IN = set(ROLES) - {"anonymous"}

S = lambda w: {"slug": w["body"].slug}  # noqa: E731
MEETING = lambda w: {"slug": w["body"].slug, "pk": w["meeting"].pk}  # noqa: E731
DOCUMENT = lambda w: {"slug": w["body"].slug, "pk": w["document"].pk}  # noqa: E731
GROUP = lambda w: {"slug": w["group"].slug}  # noqa: E731

GET_CASES = [
    ("clefop:my_bodies", lambda w: {}, expect(SIGNED_IN)),
    ("clefop:body_detail", S, expect(READERS)),
    ("clefop:body_detail", GROUP, expect(READERS)),
    ("clefop:body_detail", lambda w: {"slug": "clefop-49-ang"}, expect({"other_member", "crefop", "staff"})),
    ("clefop:body_members", S, expect(READERS)),
    ("clefop:membership_end", lambda w: {"slug": w["body"].slug, "pk": w["membership"].pk}, expect(MANAGERS)),
    ("clefop:body_leave", S, expect(MEMBERS)),
    ("clefop:working_group_create", S, expect(MANAGERS)),
    ("clefop:working_group_create", GROUP, expect(set())),
    ("clefop:invitation_create", S, expect(MANAGERS)),
    ("clefop:meeting_list", S, expect(READERS)),
    ("clefop:meeting_create", S, expect(MANAGERS)),
    ("clefop:meeting_create", GROUP, expect(MANAGERS)),
    ("clefop:meeting_detail", MEETING, expect(READERS)),
    ("clefop:meeting_update", MEETING, expect(MANAGERS)),
    ("clefop:meeting_attendance", MEETING, expect(MANAGERS)),
    ("clefop:meeting_minutes", MEETING, expect(MANAGERS)),
    ("clefop:body_calendar", S, expect(READERS)),
    ("clefop:document_list", S, expect(READERS)),
    ("clefop:document_upload", S, expect(MANAGERS)),
    ("clefop:document_detail", DOCUMENT, expect(READERS)),
    (
        "clefop:document_download",
        lambda w: {"slug": w["body"].slug, "pk": w["document"].pk, "version_pk": w["version"].pk},
        expect(READERS),
    ),
    ("clefop:document_delete", DOCUMENT, expect(MANAGERS)),
    ("clefop:directory", lambda w: {}, expect(STAFF)),
    ("clefop:directory_export", lambda w: {}, expect(STAFF)),
    ("clefop:member_import", lambda w: {}, expect(STAFF)),
    ("clefop:member_import_template", lambda w: {}, expect(STAFF)),
    ("clefop:organisation_list", lambda w: {}, expect(STAFF)),
    ("clefop:organisation_create", lambda w: {}, expect(STAFF)),
    ("clefop:organisation_update", lambda w: {"pk": w["membership"].organisation_id}, expect(STAFF)),
    # Public: the invitation link (its token is the credential).
    ("clefop:invitation_accept", lambda w: {"token": w["token"]}, dict.fromkeys(ROLES, 200)),
]

POST_CASES = [
    ("clefop:calendar_token", lambda w: {}, expect(SIGNED_IN, ok_status=302)),
    ("clefop:invitation_resend", lambda w: {"slug": w["body"].slug, "pk": w["invitation"].pk}, expect(MANAGERS, 302)),
    ("clefop:invitation_revoke", lambda w: {"slug": w["body"].slug, "pk": w["invitation"].pk}, expect(MANAGERS, 302)),
    ("clefop:document_restore", DOCUMENT, expect(STAFF, 302)),
    ("clefop:member_import_confirm", lambda w: {}, expect(STAFF, 302)),
    ("clefop:body_leave", S, expect(MEMBERS, 302)),
    ("clefop:membership_end", lambda w: {"slug": w["body"].slug, "pk": w["membership"].pk}, expect(MANAGERS, 302)),
    ("clefop:document_delete", DOCUMENT, expect(MANAGERS, 302)),
]


def _rows(cases):
    return [
        pytest.param(name, kwargs, role, status, id=f"{name}-{i}-{role}")
        for i, (name, kwargs, expectations) in enumerate(cases)
        for role, status in expectations.items()
    ]


def _check(client_for, workspace, url_name, kwargs, role, expected, method):
    url = reverse(url_name, kwargs=kwargs(workspace))
    response = getattr(client_for(role), method)(url)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == expected, f"{role} {method.upper()} {url}: {response.status_code} ≠ {expected}"
    if expected == 302 and role == "anonymous":
        assert "/compte/login/" in response["Location"]


@pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), _rows(GET_CASES))
def test_get_matrix(client_for, workspace, url_name, kwargs, role, expected):
    _check(client_for, workspace, url_name, kwargs, role, expected, "get")


@pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), _rows(POST_CASES))
def test_post_matrix(client_for, workspace, url_name, kwargs, role, expected):
    _check(client_for, workspace, url_name, kwargs, role, expected, "post")


def test_post_only_urls_refuse_get(client_for, workspace):
    client = client_for("staff")
    for name, kwargs in [
        ("clefop:calendar_token", {}),
        ("clefop:invitation_resend", {"slug": workspace["body"].slug, "pk": workspace["invitation"].pk}),
        ("clefop:invitation_revoke", {"slug": workspace["body"].slug, "pk": workspace["invitation"].pk}),
        ("clefop:document_restore", {"slug": workspace["body"].slug, "pk": workspace["document"].pk}),
        ("clefop:member_import_confirm", {}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 405


def test_ical_feeds_need_a_valid_token(client, client_for, role_user, workspace):
    from clefop.calendar import regenerate_token

    member = role_user("member")
    token = regenerate_token(user=member).token
    assert client.get(reverse("clefop:my_feed", args=[token])).status_code == 200
    assert client.get(reverse("clefop:body_feed", args=[token, workspace["body"].slug])).status_code == 200
    # Outside the person's scope, or with a wrong token: 404.
    assert client.get(reverse("clefop:body_feed", args=[token, "clefop-49-ang"])).status_code == 404
    assert client.get(reverse("clefop:my_feed", args=["faux-jeton"])).status_code == 404
    assert client.get(reverse("clefop:body_feed", args=["faux-jeton", workspace["body"].slug])).status_code == 404


def test_deleted_document_is_404_for_members_but_visible_to_staff(client_for, workspace, role_user):
    from clefop.services.documents import delete_document

    delete_document(document=workspace["document"], by=role_user("staff"))
    url = reverse("clefop:document_detail", args=[workspace["body"].slug, workspace["document"].pk])
    assert client_for("member").get(url).status_code == 404
    assert client_for("animateur").get(url).status_code == 404
    assert client_for("staff").get(url).status_code == 200


def test_other_clefop_objects_are_404(client_for, workspace):
    """A meeting of Nantes addressed through Angers' URL is not found, even for Angers' members."""
    client = client_for("other_member")
    assert (
        client.get(reverse("clefop:meeting_detail", args=["clefop-49-ang", workspace["meeting"].pk])).status_code == 404
    )
    assert (
        client.get(reverse("clefop:document_detail", args=["clefop-49-ang", workspace["document"].pk])).status_code
        == 404
    )
