from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "offer"
    verbose_name = "Offre de services"
    # Extension points this app provides (declared in srefop_portal/common/hooks.py, checked by manage.py check)
    hooks = (
        "jobs",
        "demo.load_demo",
        "panels.territory_panels",
        "staff.staff_tiles",
        "calendar.personal_events",
        "personal_data.export",
        "personal_data.erase",
    )
