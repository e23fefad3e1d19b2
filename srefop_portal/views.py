from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.generic import TemplateView

from srefop_portal.common.htmx import is_htmx
from srefop_portal.common.permissions import PublicMixin, StaffViewMixin
from srefop_portal.common.plugins import app_modules


class StaticPageView(PublicMixin, TemplateView):
    pass


class StaffHomeView(StaffViewMixin, TemplateView):
    """Staff landing page: each app contributes tiles through ``<app>/staff.py: staff_tiles(request)``."""

    permission_required = "portal.staff"
    template_name = "pages/staff_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tiles = []
        for _config, module in app_modules("staff"):
            if hasattr(module, "staff_tiles"):
                tiles.extend(module.staff_tiles(self.request))
        context["staff_tiles"] = tiles
        return context


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
