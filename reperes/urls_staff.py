from django.urls import path

from . import views

app_name = "reperes_staff"

urlpatterns = [
    path("", views.ImportListView.as_view(), name="import_list"),
    path("imports/nouveau/", views.ImportCreateView.as_view(), name="import_new"),
    path("imports/confirmer/", views.ImportConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/annuler/", views.ImportRollbackView.as_view(), name="import_rollback"),
    path("indicateurs/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("indicateurs/nouveau/", views.IndicatorCreateView.as_view(), name="indicator_create"),
    path("indicateurs/<int:pk>/", views.IndicatorUpdateView.as_view(), name="indicator_edit"),
    path("recalculer/", views.RebuildView.as_view(), name="rebuild"),
]
