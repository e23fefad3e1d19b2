"""No link points to a URL that only answers POST (a GET there is a 405 for the person who follows it)."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver


def post_only_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= post_only_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view_class = getattr(pattern.callback, "view_class", None)
            methods = getattr(view_class, "http_method_names", None) if view_class else None
            if methods is not None and "get" not in methods:
                names.add(namespace + pattern.name)
    return names


def test_no_link_to_a_post_only_url():
    names = post_only_names()
    assert "clefop:calendar_token" in names  # the scan sees the POST-only views
    links = re.compile(r"""href="\{% url ['"]([\w:-]+)['"]""")
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for name in links.findall(template.read_text(encoding="utf-8")):
            if name in names:
                offenders.append(f"{template.relative_to(settings.BASE_DIR)} → {name}")
    assert offenders == []
