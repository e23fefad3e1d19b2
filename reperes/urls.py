from django.urls import path

from . import views

app_name = "reperes"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("territoires/<str:code>/", views.SheetView.as_view(), name="sheet"),
    path("territoires/<str:code>/donnees.<str:fmt>", views.SheetDataView.as_view(), name="sheet_data"),
    path("territoires/<str:code>/fiche.pdf", views.SheetPdfView.as_view(), name="sheet_pdf"),
    path("comparer/", views.CompareView.as_view(), name="compare"),
    path("comparer/donnees.<str:fmt>", views.CompareDataView.as_view(), name="compare_data"),
]
