"""iCal feeds. The token URLs are public (a calendar client cannot sign in) but need the person's secret;
they show only what that person may read right now."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from srefop_portal.common.hooks import implementations

from ..calendar import build_calendar, feed_meetings, user_for_token
from ..models import Body, Membership
from .base import BodyMixin


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    return response


def _base_url(request) -> str:
    return getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/").rstrip("/")


@login_not_required
def my_feed(request, token):
    user = user_for_token(token)
    if user is None:
        raise Http404
    member_of = Membership.objects.active().filter(user=user).values("body_id")
    base_url = _base_url(request)
    extra_events = []  # other apps' events of the person (professionalisation sessions of the offre de services)
    for _config, personal_events in implementations("calendar.personal_events"):
        extra_events.extend(personal_events(user, base_url=base_url))
    content = build_calendar(
        feed_meetings(Body.objects.filter(pk__in=member_of)),
        name="Mes instances — Portail Srefop",
        base_url=base_url,
        extra_events=extra_events,
    )
    return _ics_response(content, "mes-instances.ics")


@login_not_required
def body_feed(request, token, slug):
    user = user_for_token(token)
    if user is None:
        raise Http404
    body = get_object_or_404(Body.objects.for_user(user), slug=slug)
    content = build_calendar(
        feed_meetings(Body.objects.filter(pk=body.pk)),
        name=f"{body.name} — Portail Srefop",
        base_url=_base_url(request),
    )
    return _ics_response(content, f"{body.slug}.ics")


class BodyCalendarDownloadView(BodyMixin, View):
    """The body's agenda as a file, for a signed-in reader."""

    def get(self, request, *args, **kwargs):
        content = build_calendar(
            feed_meetings(Body.objects.filter(pk=self.body.pk)),
            name=f"{self.body.name} — Portail Srefop",
            base_url=_base_url(request),
        )
        response = _ics_response(content, f"{self.body.slug}.ics")
        response["Content-Disposition"] = f'attachment; filename="{self.body.slug}.ics"'
        return response
