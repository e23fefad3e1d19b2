"""Data versions: every kind of write to a tracked app changes its version; cached fragments follow."""

import pytest
from django.db import connection, transaction

from srefop_portal.common import versions
from territories.models import Commune, Territory

pytestmark = pytest.mark.django_db


def test_statements_are_mapped_to_their_app():
    assert versions.written_apps('UPDATE "territories_commune" SET "population" = 1') == {"territories"}
    assert versions.written_apps('INSERT INTO "roadmaps_action_pilots" ("action_id") VALUES (1)') == {"roadmaps"}
    assert versions.written_apps('DELETE FROM "clefop_membership" WHERE 1') == {"clefop"}
    assert versions.written_apps('SELECT * FROM "territories_commune"') == set()
    assert versions.written_apps('UPDATE "django_session" SET "session_data" = 1') == set()
    assert versions.written_apps('INSERT INTO "common_job" ("kind") VALUES (1)') == set()
    assert versions.written_apps('INSERT INTO "veille_newsitem" ("title") VALUES (1)') == {"news"}  # a table label
    assert versions.written_apps('DELETE FROM "veille_territorytag" WHERE 1') == {"news"}
    assert versions.written_apps('INSERT INTO "veille_subscription" ("frequency") VALUES (1)') == set()  # not tracked
    with pytest.raises(ValueError):
        versions.current("veille")  # a fragment cannot be keyed on data whose writes are not seen


@pytest.mark.parametrize(
    "write",
    [
        lambda: Territory.objects.filter(code="44-NAN").update(description="x"),  # QuerySet.update: no signal
        lambda: Commune.objects.filter(code="44109").update(population=1),
        lambda: Territory.objects.get(code="44-NAN").save(),
    ],
)
def test_any_write_changes_the_version_the_fragments_are_keyed_on(write):
    before = versions.current("territories", "roadmaps")
    assert versions.current("territories", "roadmaps") == before  # stable while nothing is written
    write()
    assert versions.current("territories", "roadmaps") != before
    assert versions.current("roadmaps") == versions.current("roadmaps")


def test_cached_fragment_is_rebuilt_after_a_write():
    built = []

    def build():
        built.append(1)
        return Territory.objects.get(code="44-NAN").description

    assert versions.cached("test", apps=["territories"], build=build) == ""
    assert versions.cached("test", apps=["territories"], build=build) == ""
    assert len(built) == 1
    Territory.objects.filter(code="44-NAN").update(description="Nouvelle présentation")
    assert versions.cached("test", apps=["territories"], build=build) == "Nouvelle présentation"
    assert len(built) == 2


def test_writes_in_a_transaction_bump_the_shared_version_once_when_it_commits(
    monkeypatch, django_capture_on_commit_callbacks
):
    bumped = []
    real_bump = versions.bump
    monkeypatch.setattr(versions, "bump", lambda labels: bumped.append(list(labels)) or real_bump(labels))
    shared = versions.current("territories")
    connection._srefop_pending = None  # as in a new transaction (the test's own is never committed)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        territory = Territory.objects.get(code="44-NAN")
        for description in ("a", "b", "c"):
            with transaction.atomic():  # savepoints
                territory.description = description
                territory.save()
        inside = versions.current("territories")
        assert inside != shared and "uncommitted" in inside  # the transaction reads its own writes...
        territory.save()
        assert versions.current("territories") != inside  # ...after each of them
        assert bumped == []  # other requests cannot see the rows yet: nothing shared changes
    assert len({id(c) for c in callbacks if isinstance(c, versions._PendingBump)}) == 1
    assert bumped == [["territories"]]  # at commit, once
    assert versions._pending(connection) is None  # the next transaction starts afresh


class FakeConnection:
    in_atomic_block = False


def test_outside_a_transaction_a_write_bumps_at_once(monkeypatch):
    bumped = []
    monkeypatch.setattr(versions, "bump", lambda labels: bumped.append(list(labels)))
    versions.note_write(FakeConnection(), {"roadmaps"})
    assert bumped == [["roadmaps"]]


def test_a_write_rolled_back_with_its_savepoint_bumps_nothing(monkeypatch, django_capture_on_commit_callbacks):
    bumped = []
    monkeypatch.setattr(versions, "bump", lambda labels: bumped.append(list(labels)))
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                Territory.objects.filter(code="44-NAN").update(description="annulé")
                raise RuntimeError
        except RuntimeError:
            pass
    assert bumped == []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Territory.objects.filter(code="44-NAN").update(description="gardé")
        Territory.objects.filter(code="49-ANG").update(description="gardé")
    assert bumped == [["territories"]]


def test_a_login_does_not_change_the_version_of_accounts(client, django_capture_on_commit_callbacks):
    from tests.accounts.factories import UserFactory

    assert (
        versions.written_apps('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s') == set()
    )
    assert versions.written_apps('UPDATE "accounts_user" SET "last_name" = %s WHERE "accounts_user"."id" = %s') == {
        "accounts"
    }
    user = UserFactory()
    before = versions.current("accounts", "roadmaps")
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(user)
    user.refresh_from_db()
    assert user.last_login is not None
    assert versions.current("accounts", "roadmaps") == before  # roadmap fragments keyed on accounts are kept


def test_an_unavailable_cache_does_not_break_writes_nor_pages(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(versions.cache, "incr", broken)
    monkeypatch.setattr(versions.cache, "add", broken)
    monkeypatch.setattr(versions.cache, "get_many", broken)
    versions.bump(["territories"])
    assert versions.current("territories") is None
    assert versions.cached("test", apps=["territories"], build=lambda: "built") == "built"


def test_within_a_request_versions_are_read_once_and_follow_bumps(monkeypatch):
    versions._request_started()  # as the request_started signal does
    try:
        reads = []
        real_get_many = versions.cache.get_many
        monkeypatch.setattr(versions.cache, "get_many", lambda keys: reads.append(keys) or real_get_many(keys))
        first = versions.current("territories")
        assert versions.current("territories", "roadmaps") == f"{first};{versions.current('roadmaps')}"
        assert len(reads) == 1  # every tracked app read at once, then kept for the request
        versions.bump(["territories"])  # e.g. a write committed during the request
        assert versions.current("territories") != first
    finally:
        versions._request_finished()
    assert versions._request.versions is None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_does_not_salt_the_keys_of_the_next_one():
    with pytest.raises(RuntimeError), transaction.atomic():
        Territory.objects.filter(code="44-NAN").update(description="annulé")
        raise RuntimeError
    before = versions.current("territories")
    with transaction.atomic():
        with connection.cursor() as cursor:  # a write to another label only
            cursor.execute('UPDATE "veille_theme" SET "name" = "name" WHERE 1 = 0')
        assert versions.current("territories") == before  # a fragment of the territories is still shared
        assert "uncommitted" in versions.current("themes")
