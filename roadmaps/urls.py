from django.urls import path

from .views import dashboards, public, reports, staff, workspace

app_name = "roadmaps"

WS = "instances/<slug:slug>/feuille-de-route/"
ROADMAP = WS + "<int:pk>/"
ACTION = WS + "actions/<int:action_pk>/"

urlpatterns = [
    # Public
    path("preconisations/", public.RecommendationListView.as_view(), name="recommendation_list"),
    path("preconisations/<str:code>/", public.RecommendationDetailView.as_view(), name="recommendation_detail"),
    path("feuilles-de-route/", public.PublicRoadmapListView.as_view(), name="public_list"),
    path("feuilles-de-route/<int:pk>/", public.PublicRoadmapDetailView.as_view(), name="public_detail"),
    path("donnees/", public.OpenDataView.as_view(), name="open_data"),
    path("donnees/feuilles-de-route.csv", public.OpenDataCsvView.as_view(), name="open_data_csv"),
    path("donnees/feuilles-de-route.json", public.OpenDataJsonView.as_view(), name="open_data_json"),
    path("donnees/feuilles-de-route.schema.json", public.OpenDataSchemaView.as_view(), name="open_data_schema"),
    # Workspace of a Clefop
    path(WS, workspace.BodyRoadmapsView.as_view(), name="body_roadmaps"),
    path(WS + "nouvelle/", workspace.RoadmapCreateView.as_view(), name="roadmap_create"),
    path(WS + "rapport/", reports.TerritoryReportView.as_view(), name="territory_report"),
    path(ROADMAP, workspace.RoadmapDetailView.as_view(), name="roadmap_detail"),
    path(ROADMAP + "modifier/", workspace.RoadmapEditView.as_view(), name="roadmap_edit"),
    path(ROADMAP + "etape/<str:transition>/", workspace.RoadmapTransitionView.as_view(), name="roadmap_transition"),
    path(ROADMAP + "historique/", workspace.RoadmapHistoryView.as_view(), name="roadmap_history"),
    path(ROADMAP + "export.<str:fmt>", workspace.RoadmapExportView.as_view(), name="roadmap_export"),
    path(ROADMAP + "priorites/ajouter/", workspace.PriorityFormView.as_view(), name="priority_create"),
    path(ROADMAP + "priorites/<int:priority_pk>/modifier/", workspace.PriorityFormView.as_view(), name="priority_edit"),
    path(
        ROADMAP + "priorites/<int:priority_pk>/supprimer/",
        workspace.PriorityDeleteView.as_view(),
        name="priority_delete",
    ),
    path(
        ROADMAP + "priorites/<int:priority_pk>/actions/",
        workspace.PriorityActionsView.as_view(),
        name="priority_actions",
    ),
    path(ROADMAP + "actions/ajouter/", workspace.ActionCreateView.as_view(), name="action_create"),
    path(ROADMAP + "point-etape/ajouter/", workspace.AnnualReviewCreateView.as_view(), name="review_create"),
    path(ROADMAP + "point-etape/<int:review_pk>/", workspace.AnnualReviewDetailView.as_view(), name="review_detail"),
    path(ACTION, workspace.ActionDetailView.as_view(), name="action_detail"),
    path(ACTION + "modifier/", workspace.ActionEditView.as_view(), name="action_edit"),
    path(ACTION + "supprimer/", workspace.ActionDeleteView.as_view(), name="action_delete"),
    path(ACTION + "statut/", workspace.ActionStatusView.as_view(), name="action_status"),
    path(ACTION + "historique/", workspace.ActionHistoryView.as_view(), name="action_history"),
    path(
        ACTION + "historique/<int:history_id>/restaurer/", workspace.ActionRestoreView.as_view(), name="action_restore"
    ),
    path(ACTION + "<str:kind>/ajouter/", workspace.ActionDetailAddView.as_view(), name="action_item_add"),
    path(ACTION + "<str:kind>/<int:item_pk>/", workspace.ActionDetailDeleteView.as_view(), name="action_item_change"),
    path(
        ACTION + "documents/<int:document_pk>/telecharger/",
        workspace.ActionDocumentDownloadView.as_view(),
        name="action_document_download",
    ),
    # Dashboards
    path("pilotage/", dashboards.DashboardHomeView.as_view(), name="dashboard"),
    path("pilotage/region/", dashboards.RegionDashboardView.as_view(), name="dashboard_region"),
    path(
        "pilotage/departements/<str:code>/", dashboards.DepartementDashboardView.as_view(), name="dashboard_departement"
    ),
    path("pilotage/rapports/", reports.RegionalReportsView.as_view(), name="regional_reports"),
    path("pilotage/couverture/", dashboards.CoverageView.as_view(), name="coverage"),
    path("pilotage/couverture/<str:code>/", dashboards.CoverageDetailView.as_view(), name="coverage_detail"),
    # Staff
    path("gestion/srefop/", staff.ReferentialView.as_view(), name="referential"),
    path("gestion/srefop/<str:kind>/ajouter/", staff.ReferentialEditView.as_view(), name="referential_create"),
    path("gestion/srefop/<str:kind>/<int:item_pk>/", staff.ReferentialEditView.as_view(), name="referential_edit"),
    path(
        "gestion/srefop/preconisations/import/", staff.RecommendationImportView.as_view(), name="recommendation_import"
    ),
    path(
        "gestion/srefop/preconisations/import/confirmer/",
        staff.RecommendationImportConfirmView.as_view(),
        name="recommendation_import_confirm",
    ),
    path(
        "gestion/srefop/preconisations/modele.<str:fmt>",
        staff.RecommendationImportTemplateView.as_view(),
        name="import_template",
    ),
]
