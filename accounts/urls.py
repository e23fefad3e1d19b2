from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("mes-donnees/", views.PersonalDataExportView.as_view(), name="personal_data"),
    path("supprimer/", views.DeleteAccountView.as_view(), name="delete"),
]
