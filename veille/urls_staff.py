from django.urls import path

from . import views_staff as views

app_name = "veille_staff"

urlpatterns = [
    path("", views.SourceListView.as_view(), name="source_list"),
    path("sources/ajouter/", views.SourceFormView.as_view(), name="source_create"),
    path("sources/<int:pk>/", views.SourceFormView.as_view(), name="source_update"),
    path("sources/<int:pk>/collecter/", views.SourceFetchView.as_view(), name="source_fetch"),
    path("sources/<int:pk>/supprimer/", views.SourceDeleteView.as_view(), name="source_delete"),
    path("articles/", views.StaffItemListView.as_view(), name="item_list"),
    path("articles/ajouter/", views.ItemFormView.as_view(), name="item_create"),
    path("articles/<int:pk>/", views.ItemFormView.as_view(), name="item_update"),
    path("articles/<int:pk>/action/", views.ItemActionView.as_view(), name="item_action"),
    path("etiquetage/", views.RetagAllView.as_view(), name="retag_all"),
    path("etiquetage/corrections/", views.TagCorrectionListView.as_view(), name="correction_list"),
    path("etiquetage/corrections/ajouter/", views.TagCorrectionFormView.as_view(), name="correction_create"),
    path(
        "etiquetage/corrections/<int:pk>/supprimer/",
        views.TagCorrectionDeleteView.as_view(),
        name="correction_delete",
    ),
    path("themes/", views.ThemeListView.as_view(), name="theme_list"),
    path("themes/ajouter/", views.ThemeFormView.as_view(), name="theme_create"),
    path("themes/<int:pk>/", views.ThemeFormView.as_view(), name="theme_update"),
]
