from django.urls import path

from . import views
from .imports import ImportErrorsView

app_name = "common"

urlpatterns = [
    path("taches/<uuid:uuid>/", views.JobDetailView.as_view(), name="job_detail"),
    path("taches/<uuid:uuid>/telecharger/", views.JobDownloadView.as_view(), name="job_download"),
    path("imports/erreurs/<str:token>/", ImportErrorsView.as_view(), name="import_errors"),
    path("notifications/", views.NoticeListView.as_view(), name="notices"),
    path("gestion/courriels/", views.OutboxView.as_view(), name="outbox"),
]
