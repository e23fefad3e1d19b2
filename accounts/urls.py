from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("mes-donnees/", views.PersonalDataView.as_view(), name="personal_data"),
    path("mes-donnees.json", views.PersonalDataExportView.as_view(), name="personal_data_json"),
    path("supprimer/", views.DeleteAccountView.as_view(), name="delete"),
    path("adresses/retirer/", views.EmailRemoveConfirmView.as_view(), name="email_remove"),
]
