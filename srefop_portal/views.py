from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import TemplateView

from srefop_portal.common.hooks import implementations
from srefop_portal.common.htmx import is_htmx
from srefop_portal.common.permissions import PublicMixin, StaffViewMixin


class StaticPageView(PublicMixin, TemplateView):
    pass


class StaffHomeView(StaffViewMixin, TemplateView):
    """Staff landing page: each app contributes tiles through ``<app>/staff.py: staff_tiles(request)``."""

    permission_required = "portal.staff"
    template_name = "pages/staff_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tiles = []
        for _config, staff_tiles in implementations("staff.staff_tiles"):
            tiles.extend(staff_tiles(self.request))
        context["staff_tiles"] = tiles
        return context


@login_not_required
def admin_login(request, extra_context=None):
    """The Django admin's login page: there is none. Signing in goes through the portal's sign-in (rate limited,
    second factor for staff); the admin then opens only to a session that passed the second factor
    (SecondFactorMiddleware). A signed-in account that reaches this page has no admin access: 404."""
    if request.user.is_authenticated:
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) or not next_url.startswith(
        "/admin/"
    ):
        next_url = reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


@login_not_required
def error_404(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def error_403(request, exception=None):
    if is_htmx(request):  # swapped in place by portal.js: a message, not a whole page inside a fragment
        message = "Vous n’avez pas les droits nécessaires pour effectuer cette action."
        return render(request, "includes/htmx_error.html", {"message": message}, status=403)
    return render(request, "403.html", status=403)


@login_not_required
def csrf_failure(request, reason=""):
    """A form sent with an outdated security token (page left open, session renewed): a message, in place for HTMX."""
    message = "La page a expiré : rechargez-la, puis recommencez."
    if is_htmx(request):
        return render(request, "includes/htmx_error.html", {"message": message}, status=403)
    return render(request, "403.html", {"reason": message}, status=403)


@login_not_required
def error_500(request):
    return render(request, "500.html", status=500)
