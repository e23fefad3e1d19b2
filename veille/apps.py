from django.apps import AppConfig


class VeilleConfig(AppConfig):
    name = "veille"
    verbose_name = "Veille"
    # Extension points this app provides (declared in srefop_portal/common/hooks.py, checked by manage.py check)
    hooks = (
        "reference.load_reference",
        "demo.load_demo",
        "panels.territory_panels",
        "staff.staff_tiles",
        "personal_data.export",
        "personal_data.erase",
    )
