from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.generic import FormView

from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.permissions import PublicMixin

from ..forms import AcceptInvitationForm, InvitationForm
from ..models import Invitation
from ..services import ClefopError
from ..services.invitations import (
    accept_as_existing_user,
    accept_with_new_account,
    check_usable,
    find_invitation,
    invite,
    resend_invitation,
    revoke_invitation,
)
from .base import BodyMixin


class InvitationCreateView(ServiceFormMixin, BodyMixin, FormView):
    permission_required = "clefop.manage_body"
    template_name = "clefop/invitation_form.html"
    form_class = InvitationForm

    def perform(self, form):
        data = form.cleaned_data
        invitation, _token = invite(
            body=self.body,
            email=data["email"],
            position=data["position"],
            organisation=data["organisation"],
            role_label=data["role_label"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            invited_by=self.request.user,
            request=self.request,
        )
        return invitation

    def get_success_message(self, invitation):
        return f"Invitation envoyée à {invitation.email} (lien valable {Invitation.VALIDITY_DAYS} jours)."

    def get_success_url(self, invitation):
        return reverse("clefop:body_members", args=[self.body.slug])


class _InvitationActionView(BodyMixin, View):
    permission_required = "clefop.manage_body"
    http_method_names = ["post"]

    def invitation(self):
        return get_object_or_404(Invitation.objects.for_user(self.request.user), body=self.body, pk=self.kwargs["pk"])


class InvitationResendView(_InvitationActionView):
    def post(self, request, *args, **kwargs):
        invitation = self.invitation()
        try:
            resend_invitation(invitation=invitation, request=request)
        except ClefopError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Invitation renvoyée à {invitation.email} avec un nouveau lien.")
        return redirect("clefop:body_members", self.body.slug)


class InvitationRevokeView(_InvitationActionView):
    def post(self, request, *args, **kwargs):
        invitation = self.invitation()
        try:
            revoke_invitation(invitation=invitation)
        except ClefopError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Invitation de {invitation.email} révoquée : le lien ne fonctionne plus.")
        return redirect("clefop:body_members", self.body.slug)


class InvitationAcceptView(PublicMixin, View):
    """The link of the e-mail. Three cases: no account yet (set a password), the invited person is signed in
    (confirm), someone else or nobody is signed in while an account exists (sign in with the invited address)."""

    template_name = "clefop/invitation_accept.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.invitation = find_invitation(kwargs["token"])

    def render(self, status=200, **context):
        context.setdefault("invitation", self.invitation)
        context.setdefault("form", None)
        context.setdefault("error", "")
        context.setdefault("state", "")
        context.setdefault("login_url", "")
        return render(self.request, self.template_name, context, status=status)

    def state(self):
        user = self.request.user
        if user.is_authenticated:
            return "confirm" if user.email.lower() == self.invitation.email.lower() else "wrong_account"
        exists = get_user_model().objects.filter(email__iexact=self.invitation.email).exists()
        return "sign_in" if exists else "create"

    def get(self, request, *args, **kwargs):
        try:
            check_usable(self.invitation)
        except ClefopError as exc:
            return self.render(status=404 if self.invitation is None else 410, error=str(exc))
        state = self.state()
        form = None
        if state == "create":
            form = AcceptInvitationForm(
                email=self.invitation.email,
                initial={"first_name": self.invitation.first_name, "last_name": self.invitation.last_name},
            )
        login_url = reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
        return self.render(state=state, form=form, login_url=login_url)

    def post(self, request, *args, **kwargs):
        try:
            check_usable(self.invitation)
        except ClefopError as exc:
            return self.render(status=404 if self.invitation is None else 410, error=str(exc))
        state = self.state()
        try:
            if state == "confirm":
                membership = accept_as_existing_user(invitation=self.invitation, user=request.user)
            elif state == "create":
                form = AcceptInvitationForm(request.POST, email=self.invitation.email)
                if not form.is_valid():
                    return self.render(status=400, state=state, form=form)
                user, membership = accept_with_new_account(
                    invitation=self.invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="accounts.backends.StaffModelBackend")
            else:
                return redirect(request.path)
        except ClefopError as exc:
            return self.render(status=400, error=str(exc), state=state)
        messages.success(
            request,
            f"Bienvenue dans {membership.body.name} : vous en êtes {membership.get_position_display().lower()}.",
        )
        return redirect(membership.body.get_absolute_url())
