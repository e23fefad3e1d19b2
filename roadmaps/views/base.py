"""Helpers shared by the roadmap views: the Clefop of the URL, scoped through Body.objects.for_user."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from clefop.models import Body, BodyKind
from srefop_portal.common.permissions import PermissionRequiredMixin

from ..models import Action, Roadmap


class BodyMixin(PermissionRequiredMixin):
    """A page of a Clefop's workspace: the body comes from the URL slug, out of scope is a 404."""

    permission_required = "roadmaps.view_roadmap"

    def get_body(self) -> Body:
        if not hasattr(self, "_body"):
            self._body = get_object_or_404(
                Body.objects.for_user(self.request.user).select_related("territory__departement"),
                slug=self.kwargs["slug"],
                kind=BodyKind.CLEFOP,
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
            self._roadmap = get_object_or_404(
                Roadmap.objects.select_related("body__territory__departement").filter(
                    body__in=Body.objects.for_user(self.request.user),
                    body__slug=self.kwargs["slug"],
                    body__kind=BodyKind.CLEFOP,
                ),
                pk=self.kwargs["pk"],
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
            self._action = get_object_or_404(
                Action.objects.for_user(self.request.user)
                .filter(roadmap__body=body)
                .select_related("roadmap__body", "priority", "pilot_organisation", "working_group", "updated_by"),
                pk=self.kwargs["action_pk"],
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
