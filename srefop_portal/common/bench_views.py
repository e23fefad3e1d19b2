"""Baseline view for the benchmarks (only routed when SREFOP_BENCH=1): returns pre-rendered bytes
through the same middleware stack, so page latencies can be read as a ratio to it."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse


@login_not_required
def baseline(request, key: str):
    if not key.isidentifier():
        raise Http404
    path = Path(settings.VAR_DIR) / "bench" / f"{key}.html"
    if not path.exists():
        raise Http404
    return HttpResponse(path.read_bytes(), content_type="text/html; charset=utf-8")
