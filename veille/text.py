"""Text helpers shared by ingestion and tagging: folding, HTML stripping, canonical URLs, title keys."""

import html
import re
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
SPACES_RE = re.compile(r"\s+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"})


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower case, no accents, ligatures spelt out: « Œuvre » → « oeuvre », « Évron » → « evron »."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def fold_text(text: str) -> str:
    return " ".join(fold(token) for token in TOKEN_RE.findall(text or ""))


def strip_html(value: str, max_length: int | None = None) -> str:
    """Plain text from untrusted HTML: every tag dropped by nh3, entities decoded, spaces collapsed."""
    if not value:
        return ""
    cleaned = nh3.clean(value, tags=set(), attributes={}, strip_comments=True)
    text = SPACES_RE.sub(" ", html.unescape(cleaned)).strip()
    # Decoding entities may reveal markup that was escaped in the feed: clean once more, then decode.
    if "<" in text:
        text = SPACES_RE.sub(" ", html.unescape(nh3.clean(text, tags=set(), attributes={}))).strip()
    if max_length and len(text) > max_length:
        text = text[: max_length - 1].rsplit(" ", 1)[0] + "…"
    return text


TRACKING_PARAMS = {"fbclid", "gclid", "mc_cid", "mc_eid", "xtor", "at_medium", "at_campaign", "ref", "igshid"}


def canonical_url(url: str) -> str:
    """Same article, same key: scheme and host normalised, no fragment, no utm_*/tracking parameters."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        scheme = "https"
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    ]
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def title_key(title: str) -> str:
    """Normalised title used to spot near-identical headlines (no accents, punctuation or case)."""
    return fold_text(title)[:500]
