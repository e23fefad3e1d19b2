from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("", views.TerritoryListView.as_view(), name="list"),
    path("departements/<str:code>/", views.DepartementDetailView.as_view(), name="departement"),
    path("composition/historique/", views.CompositionHistoryView.as_view(), name="composition_history"),
    path("composition/import/", views.CompositionImportView.as_view(), name="composition_import"),
    path(
        "composition/import/confirmer/",
        views.CompositionImportConfirmView.as_view(),
        name="composition_import_confirm",
    ),
    path("<str:code>/", views.TerritoryDetailView.as_view(), name="detail"),
    path("<str:code>/composition/", views.CompositionEditView.as_view(), name="composition_edit"),
]
