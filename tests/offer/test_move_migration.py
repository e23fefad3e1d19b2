"""The offre de services left clefop for its own app (December 2026) without losing a row: a database populated
with the demonstration data under the old migration state keeps every dispositif, session, registration, support
request and action–dispositif link once migrated forward, and the moved models keep their content types."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clefop.demo import load_demo as clefop_demo
from offer.demo import load_demo as offer_demo
from offer.models import Dispositif, Registration, Session, SessionDocument, SupportRequest, SupportRequestEvent
from roadmaps.demo import load_demo as roadmaps_demo
from roadmaps.models import Action

BEFORE_MOVE = [("clefop", "0003_offer"), ("roadmaps", "0006_clefop_wording"), ("offer", None)]

TABLES = {
    "clefop_dispositif": Dispositif,
    "clefop_dispositif_territories": Dispositif.territories.through,
    "clefop_session": Session,
    "clefop_registration": Registration,
    "clefop_sessiondocument": SessionDocument,
    "clefop_supportrequest": SupportRequest,
    "clefop_supportrequestevent": SupportRequestEvent,
    "roadmaps_action_dispositifs": Action.dispositifs.through,
}


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608 — fixed names
        return cursor.fetchall()


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_moving_the_offer_out_of_clefop_keeps_every_row():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(BEFORE_MOVE)
    try:
        state = MigrationExecutor(connection).loader.project_state(BEFORE_MOVE[:2])
        assert ("clefop", "dispositif") in state.models and ("offer", "dispositif") not in state.models
        call_command("load_reference_data", stdout=io.StringIO())
        for load_demo in (clefop_demo, offer_demo, roadmaps_demo):  # the demonstration data of the apps concerned
            load_demo()
        with connection.cursor() as cursor:  # as in a database created before the move
            cursor.execute("UPDATE django_content_type SET app_label = 'clefop' WHERE app_label = 'offer'")
            cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'clefop' AND model = 'dispositif'")
            (dispositif_type,) = cursor.fetchone()
        before = {table: _rows(table) for table in TABLES}
    finally:
        _migrate(latest)

    for table in ("clefop_dispositif", "clefop_session", "clefop_registration", "clefop_supportrequest"):
        assert before[table], f"the demonstration data should fill {table}"
    assert before["roadmaps_action_dispositifs"], "demonstration actions are linked to dispositifs"
    for table, model in TABLES.items():
        assert model._meta.db_table == table
        assert _rows(table) == before[table], table
        assert model.objects.count() == len(before[table]), table
    linked = Action.objects.filter(dispositifs__isnull=False).distinct().count()
    assert linked == len({row[1] for row in before["roadmaps_action_dispositifs"]})
    assert Dispositif.objects.filter(actions__isnull=False).exists()
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Dispositif).pk == dispositif_type
    assert not ContentType.objects.filter(app_label="clefop", model__in=["dispositif", "session"]).exists()
