"""URLs of the ProConnect provider, included by allauth under ``compte/`` (allauth.urls.build_provider_urlpatterns).

The names of the sign-in and callback URLs are allauth's OpenID Connect ones (``openid_connect_login``,
``openid_connect_callback``, with ``provider_id="proconnect"``): templates use ``{% provider_login_url %}``.
"""

from allauth.socialaccount import app_settings
from django.urls import include, path

from . import views

urlpatterns = [
    path(
        f"{app_settings.OPENID_CONNECT_URL_PREFIX}/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    ),
    path("proconnect/sortie/", views.logout_leave, name="proconnect_logout_leave"),
    path("proconnect/deconnexion/", views.logout_return, name="proconnect_logout_return"),
]
