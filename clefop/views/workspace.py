from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.permissions import PermissionRequiredMixin

from ..calendar import feed_token, regenerate_token, revoke_token
from ..forms import WorkingGroupForm
from ..models import Body, BodyKind, Document, Invitation, Meeting, Membership, perimeter_of
from ..panels import collect_body_panels
from ..services import ClefopError
from ..services.memberships import create_working_group, end_membership, leave_body
from .base import BodyMixin, position_rank


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
    template_name = "clefop/body_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body = self.body
        members = sorted(
            Membership.objects.active().filter(body=body).select_related("user", "organisation"), key=position_rank
        )
        context.update(
            upcoming=list(body.meetings.upcoming().select_related("body")[:3]),
            last_meeting=body.meetings.past().select_related("body").first(),
            documents=list(
                Document.objects.alive()
                .filter(body=body)
                .select_related("body", "current_version", "meeting")
                .order_by("-updated_at")[:5]
            ),
            members=members,
            working_groups=list(body.working_groups.order_by("name")) if body.kind != BodyKind.WORKING_GROUP else [],
            can_create_group=self.request.user.has_perm("clefop.create_working_group", body),
            is_member=self.request.user.has_perm("clefop.leave_body", body),
            panels=collect_body_panels(self.request, body),
            pending_invitations=Invitation.objects.pending().filter(body=body).count() if context["can_manage"] else 0,
        )
        return context


class MemberListView(BodyMixin, TemplateView):
    template_name = "clefop/member_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        all_memberships = list(
            Membership.objects.filter(body=self.body).select_related("user", "organisation", "ended_by")
        )
        active = sorted([m for m in all_memberships if m.is_active], key=position_rank)
        ended = sorted(
            [m for m in all_memberships if not m.is_active],
            key=lambda m: m.end_date or timezone.localdate(),
            reverse=True,
        )
        invitations = []
        if context["can_manage"]:
            invitations = list(
                Invitation.objects.filter(body=self.body, accepted_at__isnull=True, revoked_at__isnull=True)
                .select_related("organisation", "invited_by")
                .order_by("-sent_at")
            )
        context.update(members=active, former=ended, invitations=invitations)
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
