import os

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView

from accounts.views import RecoveryCodesDownloadView
from srefop_portal import rules as _portal_rules  # noqa: F401  (registers portal-wide permissions)
from srefop_portal.views import StaffHomeView, StaticPageView, admin_login

pages = (
    [
        path("accessibilite/", StaticPageView.as_view(template_name="pages/accessibilite.html"), name="accessibilite"),
        path(
            "mentions-legales/",
            StaticPageView.as_view(template_name="pages/mentions_legales.html"),
            name="mentions_legales",
        ),
        path(
            "donnees-personnelles/",
            StaticPageView.as_view(template_name="pages/donnees_personnelles.html"),
            name="donnees_personnelles",
        ),
        path("plan-du-site/", StaticPageView.as_view(template_name="pages/plan.html"), name="plan"),
    ],
    "pages",
)

admin.site.site_header = "Portail Srefop — administration technique"
admin.site.login = admin_login  # no password form of its own: the portal's sign-in, then the second factor

urlpatterns = [
    path("", include("territories.urls_home")),
    path("", include(pages)),
    path("territoires/", include("territories.urls")),
    # Before allauth's own route of the same address: the recovery codes file, named and introduced in French.
    path(
        "compte/2fa/recovery-codes/download/",
        RecoveryCodesDownloadView.as_view(),
        name="mfa_download_recovery_codes",
    ),
    path("compte/", include("allauth.urls")),
    path("profil/", include("accounts.urls")),
    path("gestion/", StaffHomeView.as_view(), name="staff_home"),
    path("", include("srefop_portal.common.urls")),
    path("", include("clefop.urls")),
    path("", include("offer.urls")),
    path("", include("roadmaps.urls")),
    path("reperes/", include("reperes.urls")),
    path("gestion/reperes/", include("reperes.urls_staff")),
    path("veille/", include("veille.urls")),
    path("gestion/veille/", include("veille.urls_staff")),
    path("admin/", admin.site.urls),
    path(
        "robots.txt",
        login_not_required(TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
    ),
]

if os.environ.get("SREFOP_BENCH") == "1":
    from srefop_portal.common.bench_views import baseline

    urlpatterns.append(path("__bench__/baseline/<str:key>/", baseline))

handler404 = "srefop_portal.views.error_404"
handler403 = "srefop_portal.views.error_403"
handler500 = "srefop_portal.views.error_500"
