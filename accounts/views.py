import json

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.views import DownloadRecoveryCodesView
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView, UpdateView

from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.permissions import PermissionRequiredMixin

from .forms import DeleteAccountForm, ProfileForm
from .readable import sections
from .services import close_account, export_personal_data


class ProfileView(PermissionRequiredMixin, UpdateView):
    permission_required = "accounts.edit_own_profile"
    form_class = ProfileForm
    template_name = "accounts/profile.html"

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        form.save()
        messages.success(self.request, "Votre profil a été enregistré.")
        return redirect("accounts:profile")


class PersonalDataView(PermissionRequiredMixin, TemplateView):
    """Everything the portal keeps about the person, readable; the same data as the JSON file."""

    permission_required = "accounts.edit_own_profile"
    template_name = "accounts/personal_data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = sections(export_personal_data(user=self.request.user))
        return context


class PersonalDataExportView(PermissionRequiredMixin, View):
    permission_required = "accounts.edit_own_profile"

    def get(self, request, *args, **kwargs):
        data = export_personal_data(user=request.user)
        content = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="mes-donnees-srefop-{stamp}.json"'
        return response


class DeleteAccountView(ServiceFormMixin, PermissionRequiredMixin, FormView):
    """Closing one’s account (see ``services.close_account``)."""

    permission_required = "accounts.edit_own_profile"
    form_class = DeleteAccountForm
    template_name = "accounts/delete.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    success_message = "Votre compte est fermé et vos données personnelles sont effacées."

    def perform(self, form):
        return close_account(user=self.request.user)

    def form_success_response(self, result):
        logout(self.request)
        return super().form_success_response(result)

    def get_success_url(self, result):
        return reverse("home")


class RecoveryCodesDownloadView(DownloadRecoveryCodesView):
    """allauth's download of the unused recovery codes (its checks: signed in, recent authentication), as a text file
    named and introduced in French (allauth names it « recovery-codes.txt »)."""

    template_name = "mfa/recovery_codes/download.txt"
    content_type = "text/plain; charset=utf-8"
    filename = "codes-de-secours-portail-srefop.txt"

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


class EmailRemoveConfirmView(PermissionRequiredMixin, View):
    """The confirmation asked before an address is taken off the account: « Retirer cette adresse » on the
    addresses page posts here (the address chosen), and this page's button posts the removal to allauth's page,
    which checks and does it (the primary address cannot be removed)."""

    permission_required = "accounts.edit_own_profile"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        chosen = (request.POST.get("email") or "").strip()
        address = EmailAddress.objects.filter(user=request.user, email__iexact=chosen).first() if chosen else None
        if address is None:
            messages.error(request, "Choisissez d’abord l’adresse à retirer.")
            return redirect("account_email")
        if address.primary:
            messages.error(
                request,
                f"« {address.email} » est votre adresse principale : rendez d’abord une autre adresse principale.",
            )
            return redirect("account_email")
        return render(request, "account/email_remove_confirm.html", {"address": address})
