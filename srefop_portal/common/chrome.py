"""The chrome of every page (head assets, header, navigation, footer, scripts), rendered once per process and per
reader class.

What the chrome shows depends on settings, static and URL names, and on a handful of flags about the reader
(signed in or not, staff powers, the active section): never on data, never on the person. ``{% chrome %}`` renders
an include with *only* the values named in the tag — the template cannot reach the page's context, so it cannot
show anything that is not in its key — and keeps the HTML in memory, keyed by the template and those values.

The person-specific bits (name, unread notices, the CSRF token of the sign-out form, the CSP nonce) are never in the
cached HTML: the tag's body is rendered at each request with the page's context and put in place of ``{{ slot }}``;
a ``nonce`` value is written in after the cache (``request.csp_nonce`` differs at each request).

    {% chrome "includes/header.html" signed_in=user.is_authenticated nav=portal_nav %}…person bits…{% endchrome %}

Measured (bench/README.md, « Socle commun »): the base template cost more than the body of the cached pages.
With ``DEBUG`` (development) nothing is kept, so that template edits show at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Written in place of the slot and the nonce when rendering, replaced at each request (never a valid HTML value).
SLOT = "\x00srefop-chrome-slot\x00"
NONCE = "srefop-chrome-nonce-c2a7f0"
MAX_ENTRIES = 512  # templates × reader classes: a few dozen in practice; a bound, not an expected size

_memo: dict[tuple, str] = {}


def _clear(**kwargs):
    _memo.clear()


setting_changed.connect(_clear, dispatch_uid="srefop-chrome-settings")


def render_chrome(template_name: str, values: dict, *, slot: str = "", nonce: str | None = None) -> SafeString:
    """The include ``template_name`` rendered with ``values`` only (hashable: booleans, strings, tuples), from the
    process's memory after the first time; ``slot`` (live HTML) and ``nonce`` are written in afterwards."""
    key = (template_name, tuple(sorted(values.items())))
    html = None if settings.DEBUG else _memo.get(key)
    if html is None:
        context = dict(values, slot=mark_safe(SLOT), nonce=NONCE)
        html = render_to_string(template_name, context)
        if not settings.DEBUG and len(_memo) < MAX_ENTRIES:
            _memo[key] = html
    if SLOT in html:
        html = html.replace(SLOT, str(slot))
    if NONCE in html:
        html = html.replace(NONCE, "" if nonce is None else escape(str(nonce)))  # str(): a lazy value (django-csp)
    return mark_safe(html)
