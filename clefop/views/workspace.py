from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.permissions import PermissionRequiredMixin

from ..calendar import feed_token, regenerate_token, revoke_token
from ..forms import WorkingGroupForm
from ..fragments import body_home_sections, body_meetings, body_member_sections
from ..models import Body, Invitation, Meeting, Membership, perimeter_of
from ..panels import collect_body_panels
from ..services import ClefopError
from ..services.memberships import create_working_group, end_membership, leave_body
from .base import BodyMixin


class MyBodiesView(PermissionRequiredMixin, TemplateView):
    permission_required = "clefop.view_my_bodies"
    template_name = "clefop/my_bodies.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        memberships = list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("body", "body__parent", "organisation")
            .order_by("body__kind", "body__name")
        )
        member_of = {m.body_id for m in memberships}
        perimeter = perimeter_of(user)
        followed = []
        if perimeter.is_crefop or perimeter.cdefop_departements:
            followed = list(Body.objects.for_user(user).clefops().exclude(pk__in=member_of).select_related("territory"))
        readable = Body.objects.for_user(user) if not perimeter.is_staff else Body.objects.filter(pk__in=member_of)
        upcoming = list(
            Meeting.objects.filter(body__in=readable.values("pk"), end__gte=timezone.now())
            .select_related("body")
            .order_by("start")[:10]
        )
        token = feed_token(user)
        context.update(
            memberships=memberships,
            followed=followed,
            upcoming=upcoming,
            calendar_token=token,
            # The secret URL is shown once, on the page that follows its creation (only its hash is stored).
            feed_url=self.request.session.pop(FEED_URL_SESSION_KEY, "") if token else "",
        )
        return context


FEED_URL_SESSION_KEY = "clefop_calendar_feed_url"


class CalendarTokenView(PermissionRequiredMixin, TemplateView):
    """POST: regenerate (new secret URL, the old one stops working) or revoke the personal feed."""

    permission_required = "clefop.view_my_bodies"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "revoke":
            revoke_token(user=request.user)
            messages.success(request, "Le lien de votre calendrier a été révoqué : il ne fonctionne plus.")
        else:
            token = regenerate_token(user=request.user)
            request.session[FEED_URL_SESSION_KEY] = request.build_absolute_uri(
                reverse("clefop:my_feed", args=[token.token])
            )
            messages.success(
                request,
                "Nouveau lien de calendrier créé : copiez-le maintenant, il ne sera plus affiché. "
                "L’ancien lien, s’il existait, ne fonctionne plus.",
            )
        return redirect("clefop:my_bodies")


class BodyDetailView(BodyMixin, TemplateView):
    """The body's home. Its lists (documents, members, working groups) are cached fragments, the same for every
    reader (clefop/fragments.py); the meetings are cached for the day and split at the current hour; the buttons,
    the invitations count and the panels stay live."""

    template_name = "clefop/body_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body = self.body
        upcoming, last_meeting = body_meetings(body)
        context.update(
            upcoming=upcoming,
            last_meeting=last_meeting,
            sections=body_home_sections(body),
            can_create_group=self.request.user.has_perm("clefop.create_working_group", body),
            is_member=self.request.user.has_perm("clefop.leave_body", body),
            panels=collect_body_panels(self.request, body),
            pending_invitations=Invitation.objects.pending().filter(body=body).count() if context["can_manage"] else 0,
        )
        return context


class MemberListView(BodyMixin, TemplateView):
    """The members in office and the history are cached fragments per reader class (managers see the addresses and
    the « mettre fin » links: clefop/fragments.py); the pending invitations, with their CSRF-protected forms, are
    read for the managers at each request."""

    template_name = "clefop/member_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitations = []
        if context["can_manage"]:
            invitations = list(
                Invitation.objects.filter(body=self.body, accepted_at__isnull=True, revoked_at__isnull=True)
                .select_related("organisation", "invited_by")
                .order_by("-sent_at")
            )
        context.update(sections=body_member_sections(self.body, manage=context["can_manage"]), invitations=invitations)
        return context


class MembershipEndView(BodyMixin, TemplateView):
    permission_required = "clefop.manage_body"
    template_name = "clefop/membership_end.html"

    def get_membership(self):
        return get_object_or_404(
            Membership.objects.active().select_related("user", "organisation"), body=self.body, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        kwargs["membership"] = self.get_membership()
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        membership = self.get_membership()
        try:
            end_membership(membership=membership, by=request.user)
        except ClefopError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"L’appartenance de {membership.user} à {self.body} est terminée (conservée dans l’historique).",
            )
        return redirect("clefop:body_members", self.body.slug)


class LeaveBodyView(BodyMixin, TemplateView):
    permission_required = "clefop.leave_body"
    template_name = "clefop/body_leave.html"

    def post(self, request, *args, **kwargs):
        try:
            leave_body(user=request.user, body=self.body)
        except ClefopError as exc:
            messages.error(request, str(exc))
            return redirect("clefop:body_detail", self.body.slug)
        messages.success(request, f"Vous avez quitté {self.body}.")
        return redirect("clefop:my_bodies")


class WorkingGroupCreateView(ServiceFormMixin, BodyMixin, FormView):
    permission_required = "clefop.create_working_group"
    template_name = "clefop/working_group_form.html"
    form_class = WorkingGroupForm

    def perform(self, form):
        return create_working_group(
            parent=self.body,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            by=self.request.user,
        )

    def get_success_message(self, group):
        return f"Groupe de travail « {group.name} » créé."

    def get_success_url(self, group):
        return group.get_absolute_url()
