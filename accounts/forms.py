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
