from django.urls import path

from . import views

app_name = "offer"

body = "instances/<slug:slug>/"  # the support request of a body sits beside its workspace (clefop)

# Offre de services: catalogue of dispositifs, professionalisation sessions, support requests
offre = "offre-de-services/"
urlpatterns = [
    path(offre, views.DispositifListView.as_view(), name="dispositif_list"),
    path(offre + "export/", views.DispositifExportView.as_view(), name="dispositif_export"),
    path(offre + "mes-dispositifs/", views.MyDispositifsView.as_view(), name="my_dispositifs"),
    path(offre + "dispositifs/nouveau/", views.DispositifCreateView.as_view(), name="dispositif_create"),
    path(offre + "dispositifs/<int:pk>/", views.DispositifDetailView.as_view(), name="dispositif_detail"),
    path(offre + "dispositifs/<int:pk>/modifier/", views.DispositifUpdateView.as_view(), name="dispositif_update"),
    path(offre + "dispositifs/<int:pk>/revu/", views.DispositifReviewView.as_view(), name="dispositif_review"),
    path(offre + "sessions/", views.SessionListView.as_view(), name="session_list"),
    path(offre + "sessions/mes-inscriptions/", views.MyRegistrationsView.as_view(), name="my_registrations"),
    path(offre + "sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path(offre + "sessions/<int:pk>/inscription/", views.SessionRegisterView.as_view(), name="session_register"),
    path(offre + "sessions/<int:pk>/annulation/", views.SessionCancelView.as_view(), name="session_cancel"),
    path(
        offre + "sessions/<int:pk>/documents/<int:doc_pk>/",
        views.SessionDocumentDownloadView.as_view(),
        name="session_document_download",
    ),
    path("appuis/", views.MySupportRequestsView.as_view(), name="support_list"),
    path("appuis/<int:pk>/", views.SupportRequestDetailView.as_view(), name="support_detail"),
    path(body + "appui/", views.SupportRequestCreateView.as_view(), name="support_create"),
    # Staff
    path("gestion/dispositifs/import/", views.DispositifImportView.as_view(), name="dispositif_import"),
    path(
        "gestion/dispositifs/import/confirmer/",
        views.DispositifImportConfirmView.as_view(),
        name="dispositif_import_confirm",
    ),
    path(
        "gestion/dispositifs/import/modele/",
        views.DispositifImportTemplateView.as_view(),
        name="dispositif_import_template",
    ),
    path("gestion/sessions/nouvelle/", views.SessionCreateView.as_view(), name="session_create"),
    path("gestion/sessions/<int:pk>/modifier/", views.SessionUpdateView.as_view(), name="session_update"),
    path(
        "gestion/sessions/<int:pk>/inscriptions/",
        views.SessionRegistrationsView.as_view(),
        name="session_registrations",
    ),
    path(
        "gestion/sessions/<int:pk>/inscriptions/export/",
        views.SessionRegistrationsExportView.as_view(),
        name="session_registrations_export",
    ),
    path(
        "gestion/sessions/<int:pk>/documents/",
        views.SessionDocumentUploadView.as_view(),
        name="session_document_upload",
    ),
    path("gestion/appuis/", views.SupportQueueView.as_view(), name="support_queue"),
    path("gestion/appuis/<int:pk>/", views.SupportManageView.as_view(), name="support_manage"),
]
