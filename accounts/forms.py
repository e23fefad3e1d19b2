from django import forms
from dsfr.forms import DsfrBaseForm

from .models import User


class ProfileForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "organisation_name", "job_title", "phone", "receive_overdue_emails"]
        labels = {"first_name": "Prénom", "last_name": "Nom"}


class DeleteAccountForm(DsfrBaseForm):
    password = forms.CharField(label="Votre mot de passe, pour confirmer", widget=forms.PasswordInput)
    confirm = forms.BooleanField(label="Je comprends que la fermeture de mon compte est définitive.", required=True)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Mot de passe incorrect.")
        return password


# --- allauth's forms rendered with the DSFR (ACCOUNT_FORMS / MFA_FORMS in the settings) --------------------------
from allauth.account import forms as account_forms  # noqa: E402
from allauth.mfa.base import forms as mfa_forms  # noqa: E402
from allauth.mfa.recovery_codes import forms as recovery_forms  # noqa: E402
from allauth.mfa.totp import forms as totp_forms  # noqa: E402
from allauth.socialaccount import forms as social_forms  # noqa: E402


class _Dsfr(DsfrBaseForm):
    """allauth's fields, labelled (no placeholder standing for a label) and with French wording."""

    labels: dict = {}
    help_texts: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]
            if name in self.help_texts:
                field.help_text = self.help_texts[name]
        self._bound_fields_cache.clear()  # built by DsfrBaseForm with allauth's labels: built again with these


class LoginForm(_Dsfr, account_forms.LoginForm):
    labels = {"login": "Adresse électronique", "password": "Mot de passe", "remember": "Rester connecté·e"}
    help_texts = {"password": ""}  # the « mot de passe oublié » link sits under the form


class SignupForm(_Dsfr, account_forms.SignupForm):
    labels = {"email": "Adresse électronique", "password1": "Mot de passe", "password2": "Mot de passe (confirmation)"}
    help_texts = {"password1": "12 caractères au moins ; une phrase de passe est plus facile à retenir."}


class ResetPasswordForm(_Dsfr, account_forms.ResetPasswordForm):
    labels = {"email": "Adresse électronique"}


class ResetPasswordKeyForm(_Dsfr, account_forms.ResetPasswordKeyForm):
    labels = {"password1": "Nouveau mot de passe", "password2": "Nouveau mot de passe (confirmation)"}
    help_texts = {"password1": "12 caractères au moins ; une phrase de passe est plus facile à retenir."}


class ReauthenticateForm(_Dsfr, account_forms.ReauthenticateForm):
    labels = {"password": "Mot de passe"}


_CODE_HELP = "Les six chiffres affichés par votre application d’authentification, ou un code de secours."


class AuthenticateForm(_Dsfr, mfa_forms.AuthenticateForm):
    labels = {"code": "Code de vérification"}
    help_texts = {"code": _CODE_HELP}


class MfaReauthenticateForm(_Dsfr, mfa_forms.ReauthenticateForm):
    labels = {"code": "Code de vérification"}
    help_texts = {"code": _CODE_HELP}


class ActivateTOTPForm(_Dsfr, totp_forms.ActivateTOTPForm):
    labels = {"code": "Code affiché par l’application"}
    help_texts = {"code": "Six chiffres, pour vérifier que l’application est bien configurée."}


_NEW_PASSWORD_HELP = "12 caractères au moins ; une phrase de passe est plus facile à retenir."


class AddEmailForm(_Dsfr, account_forms.AddEmailForm):
    labels = {"email": "Nouvelle adresse électronique"}
    help_texts = {"email": "Un lien de vérification lui sera envoyé."}


class ChangePasswordForm(_Dsfr, account_forms.ChangePasswordForm):
    labels = {
        "oldpassword": "Mot de passe actuel",
        "password1": "Nouveau mot de passe",
        "password2": "Nouveau mot de passe (confirmation)",
    }
    help_texts = {"oldpassword": "", "password1": _NEW_PASSWORD_HELP}


class SetPasswordForm(_Dsfr, account_forms.SetPasswordForm):
    labels = {"password1": "Mot de passe", "password2": "Mot de passe (confirmation)"}
    help_texts = {"password1": _NEW_PASSWORD_HELP}


class DeactivateTOTPForm(_Dsfr, totp_forms.DeactivateTOTPForm):
    pass


class GenerateRecoveryCodesForm(_Dsfr, recovery_forms.GenerateRecoveryCodesForm):
    pass


class SocialSignupForm(_Dsfr, social_forms.SignupForm):
    labels = {"email": "Adresse électronique"}
