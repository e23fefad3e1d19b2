from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.generic import TemplateView

from srefop_portal.common.hooks import implementations
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
def error_404(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def error_403(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def error_500(request):
    return render(request, "500.html", status=500)
