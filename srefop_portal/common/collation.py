"""Sorting names in the database as a French reader expects (« Éducation nationale » with the E, not after Z).

``french("name")`` in ``order_by``: PostgreSQL uses its ICU collation ``fr-x-icu``; SQLite a collation registered on
each connection from ``wording.collation_key`` (accents and case ignored first). Same order on both.
"""

from django.db.backends.signals import connection_created
from django.db.models.functions import Collate

from .wording import collation_key

POSTGRESQL_COLLATION = "fr-x-icu"
SQLITE_COLLATION = "srefop_fr"


def _compare(left: str, right: str) -> int:
    a, b = collation_key(left), collation_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


def connect_signals():
    connection_created.connect(register_sqlite_collation, dispatch_uid="srefop_french_collation")


class french(Collate):  # noqa: N801 (used like a function: order_by(french("name")))
    def __init__(self, expression):
        super().__init__(expression, collation=POSTGRESQL_COLLATION)

    def as_sqlite(self, compiler, connection, **extra_context):
        extra_context["collation"] = connection.ops.quote_name(SQLITE_COLLATION)
        return self.as_sql(compiler, connection, **extra_context)
