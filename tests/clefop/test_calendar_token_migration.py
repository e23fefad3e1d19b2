"""Migration 0004: the calendar secrets already in the database are replaced by their hash; the subscribed URLs keep
working."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tests.accounts.factories import UserFactory

BEFORE = [("clefop", "0004_offer_moved_to_offer_app")]
AFTER = [("clefop", "0005_calendar_token_hashed")]


@pytest.mark.django_db(transaction=True)
def test_existing_feed_urls_keep_working_after_hashing(client):
    user = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    OldToken = old_apps.get_model("clefop", "CalendarToken")
    OldToken.objects.create(user_id=user.pk, token="ancien-secret-abonne")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    from clefop.models import CalendarToken

    row = CalendarToken.objects.get(user=user)
    assert row.token_hash == hashlib.sha256(b"ancien-secret-abonne").hexdigest()
    assert client.get(reverse("clefop:my_feed", args=["ancien-secret-abonne"])).status_code == 200
    assert client.get(reverse("clefop:my_feed", args=[row.token_hash])).status_code == 404
