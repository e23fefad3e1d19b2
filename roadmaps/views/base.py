"""Helpers shared by the roadmap views: the Clefop of the URL, scoped through Body.objects.for_user.

The body, roadmap or action of the URL is read by the same scoped query as ever; on a read (GET, HEAD) its result is
kept (``srefop_portal.common.versions``) per *perimeter* — what ``for_user`` depends on: staff or not, the positions
held, Cdefop départements, Crefop — never per person, until the data it comes from changes. Compiling these joined,
scoped queries cost more CPU than anything else left on the roadmap pages (≈ 4 ms of a 16 ms request for the roadmap
and its body, ≈ 9 ms for an action and its body); writes always read the database."""

from dataclasses import fields

from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from clefop.models import Body, BodyKind, perimeter_of
from srefop_portal.common import versions
from srefop_portal.common.permissions import PermissionRequiredMixin

from ..models import Action, Roadmap

SAFE_METHODS = ("GET", "HEAD")


def perimeter_key(user) -> tuple:
    """Everything ``for_user`` scoping depends on for ``user``, as a hashable value (not who they are)."""

    def normalised(value):
        if isinstance(value, dict):
            return tuple(sorted(value.items()))
        if isinstance(value, set | frozenset):
            return tuple(sorted(value))
        return value

    perimeter = perimeter_of(user)
    return (
        bool(user and user.is_authenticated),
        *((f.name, normalised(getattr(perimeter, f.name))) for f in fields(perimeter)),
    )


def scoped_object(request, name: str, *, apps: tuple, vary: tuple, query):
    """``query()`` (a scoped lookup: the object, or None when out of scope or missing, which is a 404), kept per
    perimeter until the data of ``apps`` changes on a read; read afresh for a write."""
    if request.method in SAFE_METHODS:
        found = versions.cached(
            name, apps=apps, vary=(*vary, perimeter_key(request.user)), build=lambda: query() or False
        )
    else:
        found = query()
    if not found:
        raise Http404
    return found


class BodyMixin(PermissionRequiredMixin):
    """A page of a Clefop's workspace: the body comes from the URL slug, out of scope is a 404."""

    permission_required = "roadmaps.view_roadmap"

    def get_body(self) -> Body:
        if not hasattr(self, "_body"):
            slug = self.kwargs["slug"]
            self._body = scoped_object(
                self.request,
                "roadmaps:url-clefop",
                apps=("clefop", "territories"),
                vary=(slug,),
                query=lambda: (
                    Body.objects.for_user(self.request.user)
                    .select_related("territory__departement")
                    .filter(slug=slug, kind=BodyKind.CLEFOP)
                    .first()
                ),
            )
        return self._body

    def get_permission_object(self):
        return self.get_body()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["body"] = self.get_body()
        return context


class RoadmapMixin(BodyMixin):
    """A page of one roadmap: the roadmap and its body (in the user's scope) are read in one query."""

    def get_roadmap(self) -> Roadmap:
        if not hasattr(self, "_roadmap"):
            slug, pk = self.kwargs["slug"], self.kwargs["pk"]
            self._roadmap = scoped_object(
                self.request,
                "roadmaps:url-roadmap",
                apps=("roadmaps", "clefop", "territories"),
                vary=(slug, pk),
                query=lambda: (
                    Roadmap.objects.select_related("body__territory__departement")
                    .filter(
                        body__in=Body.objects.for_user(self.request.user),
                        body__slug=slug,
                        body__kind=BodyKind.CLEFOP,
                        pk=pk,
                    )
                    .first()
                ),
            )
            self._body = self._roadmap.body
        return self._roadmap

    def get_body(self) -> Body:
        if not hasattr(self, "_body"):
            self.get_roadmap()
        return self._body

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roadmap"] = self.get_roadmap()
        return context


class ActionMixin(BodyMixin):
    def get_action(self) -> Action:
        if not hasattr(self, "_action"):
            body = self.get_body()
            pk = self.kwargs["action_pk"]
            self._action = scoped_object(
                self.request,
                "roadmaps:url-action",
                apps=("roadmaps", "clefop", "territories", "accounts"),
                vary=(body.pk, pk),
                query=lambda: (
                    Action.objects.for_user(self.request.user)
                    .filter(roadmap__body=body, pk=pk)
                    .select_related("roadmap__body", "priority", "pilot_organisation", "working_group", "updated_by")
                    .first()
                ),
            )
            self._action.roadmap.body = body
        return self._action

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action"] = self.get_action()
        context["roadmap"] = self.get_action().roadmap
        return context


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def require(condition: bool):
    if not condition:
        raise Http404
