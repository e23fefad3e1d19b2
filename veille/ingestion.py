"""Reading feeds: HTTP through the portal's checked fetcher (srefop_portal/common/outbound.py: public addresses only,
timeouts, a size limit, bounded redirects) with conditional requests, then feedparser.

Nothing here raises for a bad feed: every problem becomes a ``FetchError`` with a French message that the
service records on the source.
"""

from __future__ import annotations

import calendar
import datetime as dt
import socket
import time
import urllib.error
from dataclasses import dataclass, field

import feedparser
from django.conf import settings
from django.utils import timezone

from srefop_portal.common import outbound

from .text import strip_html

USER_AGENT = "PortailSrefop-Veille/1.0 (+https://srefop.example.fr)"


class FetchError(Exception):
    """The feed could not be read; the message (French) is shown to staff on the source."""


@dataclass
class FetchResult:
    not_modified: bool = False
    content: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    final_url: str = ""


@dataclass
class Entry:
    title: str
    summary: str
    link: str
    published_at: dt.datetime


@dataclass
class ParsedFeed:
    entries: list[Entry] = field(default_factory=list)
    warning: str = ""


def _setting(name, default):
    return getattr(settings, name, default)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
    """GET the feed through the portal's checked fetcher (public addresses only, checked at each connection and
    redirect; time and size limits)."""
    timeout = _setting("SREFOP_VEILLE_TIMEOUT", 20)
    max_bytes = _setting("SREFOP_VEILLE_MAX_BYTES", 5 * 1024 * 1024)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout * 2
    try:
        with outbound.open_url(url, headers=headers, timeout=timeout, max_redirects=5) as response:
            return FetchResult(
                content=outbound.read_limited(response, max_bytes=max_bytes, deadline=deadline),
                content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag", "")[:500],
                last_modified=response.headers.get("Last-Modified", "")[:100],
                final_url=response.geturl(),
            )
    except outbound.FetchRefused as exc:
        raise FetchError(str(exc)) from exc
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return FetchResult(not_modified=True, etag=etag, last_modified=last_modified, final_url=url)
        if exc.code in (301, 302, 303, 307, 308):
            raise FetchError("Trop de redirections.") from exc
        raise FetchError(f"Le serveur a répondu une erreur HTTP {exc.code}.") from exc
    except TimeoutError as exc:
        raise FetchError(f"Délai dépassé ({timeout} s) : le serveur ne répond pas.") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FetchError(f"Délai dépassé ({timeout} s) : le serveur ne répond pas.") from exc
        raise FetchError(f"Serveur injoignable ({reason}).") from exc
    except (ConnectionError, OSError) as exc:
        raise FetchError(f"Connexion interrompue ({exc}).") from exc


def _entry_date(entry) -> dt.datetime:
    now = timezone.now()
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                moment = dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
            except (OverflowError, ValueError, TypeError):
                continue
            return min(moment, now)
    return now


def parse(content: bytes, *, content_type: str = "", url: str = "") -> ParsedFeed:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        feed = feedparser.parse(content, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser is defensive; a crash is still a bad feed, not a crashed run
        raise FetchError(f"Flux illisible ({exc.__class__.__name__}).") from exc
    entries = []
    for raw in feed.entries:
        title = strip_html(raw.get("title", ""), 500)
        link = (raw.get("link") or "").strip()[:1000]
        if not title:
            continue
        summary = raw.get("summary") or ""
        if not summary and raw.get("content"):
            summary = raw["content"][0].get("value", "")
        entries.append(Entry(title=title, summary=strip_html(summary, 2000), link=link, published_at=_entry_date(raw)))
    if not entries:
        problem = feed.get("bozo_exception")
        if problem is not None and problem.__class__.__name__ == "NonXMLContentType":
            raise FetchError("Le document n’est pas un flux RSS ou Atom (page web ou autre format).")
        if feed.bozo:
            raise FetchError(f"Flux mal formé, aucun article lisible : {str(problem or 'XML invalide')[:300]}")
        if not feed.get("version"):
            raise FetchError("Le document n’est pas un flux RSS ou Atom.")
    warning = ""
    if feed.bozo:
        warning = f"Flux lu malgré une anomalie : {str(feed.get('bozo_exception', ''))[:300]}"
    return ParsedFeed(entries=entries, warning=warning)
