"""Data versions and cached fragments.

A *data version* is a token per app (``territories``, ``clefop``, ``roadmaps``...) that changes whenever a row of
one of the app's tables is written. Built artefacts (maps, tables, page sections) are cached under keys that
include the versions of the apps they show: a change to the data makes the old entries unreachable at once, and no
entry is ever invalidated by hand.

Writes are seen below the ORM: an execute wrapper installed on every database connection reads the table of each
``INSERT INTO`` / ``UPDATE`` / ``DELETE FROM`` statement, so ``save()``, ``bulk_create()``, ``QuerySet.update()``,
cascades and raw SQL all count — except an ``UPDATE`` that only sets bookkeeping columns nothing shows
(``UNTRACKED_COLUMNS``: a login's ``last_login``). A write outside a transaction bumps the app's version at once; in a
transaction, the version is bumped once, when the transaction commits (``transaction.on_commit``: nobody else can see
the rows before; a write rolled back with its savepoint bumps nothing), and meanwhile the
transaction's own reads (the tests', which never commit, too) use keys salted with the transaction and its number
of writes, so that they never meet a fragment built before one of their writes, nor share one with other requests.

The versions live in the default cache (Redis in production, shared by every process). A version that is missing
(first use, eviction) restarts from the clock, never from a value that was used before. If the cache is
unavailable, writes still succeed and fragments are simply built at each request.

Nothing here imports an app: the tracked apps are named in ``TRACKED_APPS``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable

from django.apps import apps as django_apps
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

# Apps whose data appears in cached fragments (add an app here before keying a fragment on it). The others are not
# tracked, so that their writes cost nothing: sessions and jobs (written at every login or progress tick). The
# repères are (the comparison page), their imports and aggregations writing in transactions: one bump each.
TRACKED_APPS = ("territories", "clefop", "offer", "roadmaps", "accounts", "reperes")
# Tables with a version of their own (label → table or tables), so that a write to them bumps their own label only,
# not their app's: the in-portal notices, whose unread count every signed-in page shows (a notification, « tout
# marquer comme lu »); the built repères sheets, whose key figures the territory page shows (a build, a data import
# marking them stale); the veille's themes (edited by the staff; the options of the subscription form); and what the
# public veille list shows (« news »: items, their territory tags and themes, sources), which the ingestion writes in
# one transaction per feed collected (one bump each), not the subscriptions nor the tagging's corrections.
TRACKED_TABLES = {
    "notices": "common_notice",
    "sheets": "reperes_sheet",
    "themes": "veille_theme",
    "news": ("veille_newsitem", "veille_territorytag", "veille_newsitem_themes", "veille_source"),
}
LABELS = TRACKED_APPS + tuple(TRACKED_TABLES)
# Columns whose update alone changes nothing a fragment shows: such an UPDATE does not change the app's version.
UNTRACKED_COLUMNS = frozenset({"last_login"})

KEY_PREFIX = "data-version:"
FRAGMENT_PREFIX = "fragment:"
FRAGMENT_SECONDS = 6 * 3600  # a safety net only: entries are superseded by the version as soon as data changes

_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[`"\[]?(\w+)', re.I)
_SET_COLUMNS = re.compile(r"\bSET\s+(.*?)\s+WHERE\b", re.I | re.S)
_ASSIGNED = re.compile(r'[`"\[]?(\w+)[`"\]]?\s*=')
_TABLES: dict[str, str] | None = None


def _table_apps() -> dict[str, str]:
    global _TABLES
    if _TABLES is None:
        tables = {}
        for model in django_apps.get_models(include_auto_created=True):
            if model._meta.app_label in TRACKED_APPS:
                tables[model._meta.db_table] = model._meta.app_label
        for label, names in TRACKED_TABLES.items():
            tables.update(dict.fromkeys((names,) if isinstance(names, str) else names, label))
        _TABLES = tables
    return _TABLES


def written_apps(sql: str) -> set[str]:
    """The tracked apps a statement writes to (empty for reads and untracked tables)."""
    head = sql[:40].lstrip()[:8].upper()
    if head.startswith("TRUNCATE"):
        return set(LABELS)
    if not head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
        return set()
    match = _WRITE.match(sql)
    if not match:
        return set()
    app = _table_apps().get(match.group(1))
    if app and head.startswith("UPDATE") and _only_untracked_columns(sql):
        return set()
    return {app} if app else set()


def _only_untracked_columns(sql: str) -> bool:
    """An ``UPDATE ... SET "last_login" = %s WHERE ...`` (as Django writes it): nothing shown has changed."""
    found = _SET_COLUMNS.search(sql[:500])
    if not found:
        return False
    columns = _ASSIGNED.findall(found.group(1))
    return bool(columns) and set(columns) <= UNTRACKED_COLUMNS


# --------------------------------------------------------------------------------------------------------------------
# Reading and bumping versions.


def _fresh() -> int:
    return time.time_ns() // 1000


# Within a request, the versions are read from the cache once (all the tracked apps in one call) and kept for the
# rest of the request; outside requests (tasks, commands) they are read each time.
_request = threading.local()


def _request_started(**kwargs):
    _request.versions = {}
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:  # what a rolled-back transaction left is over
            connection._srefop_pending = None


def _request_finished(**kwargs):
    _request.versions = None


def bump(labels: Iterable[str]) -> None:
    """Give each app (or tracked table's label) a new version. Never raises: a write must not fail because the cache
    is down."""
    memo = getattr(_request, "versions", None)
    for label in labels:
        if memo:
            memo.pop(label, None)
        key = KEY_PREFIX + label
        try:
            try:
                cache.incr(key)
            except ValueError:  # missing: start again from the clock, never from an old value
                if not cache.add(key, _fresh(), None):
                    cache.incr(key)
        except Exception:  # noqa: BLE001 — the cache being unavailable only disables the fragments
            logger.warning("Version de données non mise à jour (%s) : cache indisponible", label, exc_info=True)


def current(*labels: str) -> str | None:
    """A token made of the current versions of ``labels`` (None if the cache is unavailable)."""
    untracked = set(labels) - set(LABELS)
    if untracked:
        raise ValueError(f"Versions de données non suivies : {', '.join(sorted(untracked))} (voir TRACKED_APPS)")
    memo = getattr(_request, "versions", None)
    if memo is None or any(label not in memo for label in labels):
        wanted = LABELS if memo is not None else labels
        try:
            found = cache.get_many([KEY_PREFIX + label for label in wanted])
            for label in wanted:
                if KEY_PREFIX + label not in found:
                    cache.add(KEY_PREFIX + label, _fresh(), None)
                    found[KEY_PREFIX + label] = cache.get(KEY_PREFIX + label)
                    if found[KEY_PREFIX + label] is None:
                        return None
        except Exception:  # noqa: BLE001
            logger.warning("Versions de données illisibles : cache indisponible", exc_info=True)
            return None
        read = {label: found[KEY_PREFIX + label] for label in wanted}
        if memo is not None:
            memo.update(read)
    else:
        read = memo
    token = ";".join(f"{label}={read[label]}" for label in labels)
    pending = _pending(connections[DEFAULT_DB_ALIAS]) if connections[DEFAULT_DB_ALIAS].connection else None
    if pending is not None and pending.labels.intersection(labels):
        token += f";uncommitted={pending.salt}.{pending.writes}"
    return token


class _PendingBump:
    """What a transaction has written to the tracked apps; bumps them, once, when it commits.

    Registered with ``transaction.on_commit`` at each write: a registration made inside a savepoint that rolls back
    goes with its writes, the others run at commit, where the first call bumps and the others do nothing. (Django's
    public API cannot tell whether an earlier registration is still alive: registering once per transaction would
    lose the bump of the writes that follow a rolled-back savepoint.) After a rollback, the object
    is left on the connection and reused by the next transaction: it may then bump an app for nothing, which is
    harmless, and its salt keeps growing, so that it never meets a key used before."""

    def __init__(self, connection):
        self.connection = connection
        # The outermost block of the transaction: a later transaction (another block) starts afresh, rather than
        # salting its keys with the labels a rolled-back one wrote. (A function decorated with ``atomic`` reuses its
        # block at each call: its next transaction then reuses this object, as described above.)
        self.block = connection.atomic_blocks[0] if connection.atomic_blocks else None
        self.labels: set[str] = set()
        self.salt = uuid.uuid4().hex[:12]
        self.writes = 0
        self.done = False

    def __call__(self):
        if self.done:
            return  # already bumped by an earlier registration of this transaction
        self.done = True
        if getattr(self.connection, "_srefop_pending", None) is self:
            self.connection._srefop_pending = None
        bump(sorted(self.labels))


def _pending(connection) -> _PendingBump | None:
    """What the connection's current transaction has written to tracked apps, if anything."""
    if not connection.in_atomic_block:
        return None
    pending = getattr(connection, "_srefop_pending", None)
    if pending is not None and connection.atomic_blocks and pending.block is not connection.atomic_blocks[0]:
        return None  # left by an earlier transaction, rolled back
    return pending


def note_write(connection, labels: set[str]) -> None:
    """Outside a transaction the write is committed: bump now. Inside one, bump when it commits; until then the
    connection's own reads (the only ones that can see the uncommitted rows) use keys salted with the transaction
    and its write count, so they never meet a fragment built before the write, nor leak one to other requests."""
    if not connection.in_atomic_block:
        connection._srefop_pending = None  # whatever an earlier transaction left (rolled back) is over
        bump(sorted(labels))
        return
    pending = _pending(connection)
    if pending is None:
        pending = connection._srefop_pending = _PendingBump(connection)
    pending.labels |= labels
    pending.writes += 1
    transaction.on_commit(pending, using=connection.alias)


def _track_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        labels = written_apps(sql)
        if labels:
            note_write(context["connection"], labels)
    return result


def install(sender=None, connection=None, **kwargs):
    """Add the write tracker to a database connection (connected to ``connection_created``)."""
    if connection is not None and _track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_track_writes)


def connect_signals():
    connection_created.connect(install, dispatch_uid="srefop-data-versions")
    request_started.connect(_request_started, dispatch_uid="srefop-data-versions-request-started")
    request_finished.connect(_request_finished, dispatch_uid="srefop-data-versions-request-finished")
    for connection in connections.all(initialized_only=True):
        install(connection=connection)


# --------------------------------------------------------------------------------------------------------------------
# Cached fragments.


def fragment_key(name: str, apps: Iterable[str], vary=()) -> str | None:
    token = current(*apps)
    if token is None:
        return None
    digest = hashlib.sha256(repr((tuple(vary), token)).encode()).hexdigest()[:32]
    return f"{FRAGMENT_PREFIX}{name}:{digest}"


def cached(name: str, *, apps: Iterable[str], build: Callable[[], object], vary=(), timeout: int = FRAGMENT_SECONDS):
    """``build()``'s result (never None), cached until the data of ``apps`` changes. ``vary``: whatever else the
    result depends on (object keys, the date, a normalised filter...) — never the user, nor what only some may see."""
    key = fragment_key(name, apps, vary)
    if key is None:
        return build()
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001
        value = None
    if value is None:
        value = build()
        try:
            cache.set(key, value, timeout)
        except Exception:  # noqa: BLE001
            logger.warning("Fragment %s non mis en cache", name, exc_info=True)
    return value


_BLANK_LINES = re.compile(r"[ \t\r\f\v]*\n\s*")


def compact_html(html: str) -> str:
    """``html`` without the indentation of its template: each run of blanks holding a line break becomes one line
    break, which HTML shows the same way (a large table loses two thirds of its bytes). Left as it is if it holds a
    ``<pre>`` or a ``<textarea>``, whose blanks show."""
    if "<pre" in html or "<textarea" in html:
        return html
    return _BLANK_LINES.sub("\n", html)


def cached_html(
    name: str, *, apps: Iterable[str], build: Callable[[], str], vary=(), timeout=FRAGMENT_SECONDS, compact=False
):
    """Like :func:`cached` for a rendered piece of HTML (built with ``render_to_string``: no request, no user);
    ``compact``: kept without its template indentation (:func:`compact_html`)."""
    html = cached(
        name,
        apps=apps,
        build=lambda: compact_html(str(build())) if compact else str(build()),
        vary=vary,
        timeout=timeout,
    )
    return html if isinstance(html, SafeString) else mark_safe(html)


def cached_many(
    name: str,
    *,
    apps: Iterable[str],
    keys: Iterable,
    build: Callable[[list], dict],
    vary=(),
    timeout: int = FRAGMENT_SECONDS,
) -> dict:
    """Many fragments of one kind at once (the cards of a list page): ``{key: value}`` for each of ``keys`` (object
    primary keys...), read in one cache call; ``build(missing_keys)`` returns the values of those not cached yet
    (in as few queries as it can), which are stored in one call. ``vary`` as for :func:`cached`, common to all."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    token = current(*apps)
    if token is None:
        return build(keys)
    vary = tuple(vary)
    cache_keys = {
        key: f"{FRAGMENT_PREFIX}{name}:{hashlib.sha256(repr(((*vary, key), token)).encode()).hexdigest()[:32]}"
        for key in keys
    }
    try:
        found = cache.get_many(list(cache_keys.values()))
    except Exception:  # noqa: BLE001
        found = {}
    values = {key: found[cache_key] for key, cache_key in cache_keys.items() if cache_key in found}
    missing = [key for key in keys if key not in values]
    if missing:
        built = build(missing)
        values.update(built)
        try:
            cache.set_many({cache_keys[key]: value for key, value in built.items() if value is not None}, timeout)
        except Exception:  # noqa: BLE001
            logger.warning("Fragments %s non mis en cache", name, exc_info=True)
    return values
