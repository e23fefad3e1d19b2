from django.urls import path

from .views import calendar, directory, documents, invitations, meetings, workspace

app_name = "clefop"

body = "instances/<slug:slug>/"

urlpatterns = [
    # Workspaces
    path("instances/", workspace.MyBodiesView.as_view(), name="my_bodies"),
    path("instances/calendrier/", workspace.CalendarTokenView.as_view(), name="calendar_token"),
    path("instances/invitation/<str:token>/", invitations.InvitationAcceptView.as_view(), name="invitation_accept"),
    path(body, workspace.BodyDetailView.as_view(), name="body_detail"),
    path(body + "membres/", workspace.MemberListView.as_view(), name="body_members"),
    path(body + "membres/<int:pk>/fin/", workspace.MembershipEndView.as_view(), name="membership_end"),
    path(body + "quitter/", workspace.LeaveBodyView.as_view(), name="body_leave"),
    path(body + "groupes/nouveau/", workspace.WorkingGroupCreateView.as_view(), name="working_group_create"),
    # Invitations
    path(body + "invitations/nouvelle/", invitations.InvitationCreateView.as_view(), name="invitation_create"),
    path(body + "invitations/<int:pk>/renvoyer/", invitations.InvitationResendView.as_view(), name="invitation_resend"),
    path(body + "invitations/<int:pk>/revoquer/", invitations.InvitationRevokeView.as_view(), name="invitation_revoke"),
    # Meetings
    path(body + "reunions/", meetings.MeetingListView.as_view(), name="meeting_list"),
    path(body + "reunions/nouvelle/", meetings.MeetingCreateView.as_view(), name="meeting_create"),
    path(body + "reunions/<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting_detail"),
    path(body + "reunions/<int:pk>/modifier/", meetings.MeetingUpdateView.as_view(), name="meeting_update"),
    path(body + "reunions/<int:pk>/presences/", meetings.MeetingAttendanceView.as_view(), name="meeting_attendance"),
    path(body + "reunions/<int:pk>/compte-rendu/", meetings.MeetingMinutesView.as_view(), name="meeting_minutes"),
    path(body + "agenda.ics", calendar.BodyCalendarDownloadView.as_view(), name="body_calendar"),
    # Documents
    path(body + "documents/", documents.DocumentListView.as_view(), name="document_list"),
    path(body + "documents/nouveau/", documents.DocumentUploadView.as_view(), name="document_upload"),
    path(body + "documents/<int:pk>/", documents.DocumentDetailView.as_view(), name="document_detail"),
    path(
        body + "documents/<int:pk>/nouvelle-version/",
        documents.DocumentVersionCreateView.as_view(),
        name="document_version_create",
    ),
    path(
        body + "documents/<int:pk>/versions/<int:version_pk>/telecharger/",
        documents.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path(body + "documents/<int:pk>/supprimer/", documents.DocumentDeleteView.as_view(), name="document_delete"),
    path(body + "documents/<int:pk>/restaurer/", documents.DocumentRestoreView.as_view(), name="document_restore"),
    # iCal feeds behind the person's secret token (public URLs: calendar clients cannot sign in)
    path("calendrier/<str:token>/instances.ics", calendar.my_feed, name="my_feed"),
    path("calendrier/<str:token>/<slug:slug>.ics", calendar.body_feed, name="body_feed"),
    # Staff
    path("gestion/annuaire/", directory.DirectoryView.as_view(), name="directory"),
    path("gestion/annuaire/export/", directory.DirectoryExportView.as_view(), name="directory_export"),
    path("gestion/annuaire/import/", directory.MemberImportView.as_view(), name="member_import"),
    path(
        "gestion/annuaire/import/modele/", directory.MemberImportTemplateView.as_view(), name="member_import_template"
    ),
    path(
        "gestion/annuaire/import/confirmer/", directory.MemberImportConfirmView.as_view(), name="member_import_confirm"
    ),
    path("gestion/structures/", directory.OrganisationListView.as_view(), name="organisation_list"),
    path("gestion/structures/nouvelle/", directory.OrganisationCreateView.as_view(), name="organisation_create"),
    path("gestion/structures/<int:pk>/", directory.OrganisationUpdateView.as_view(), name="organisation_update"),
]
