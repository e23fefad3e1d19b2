from django.apps import AppConfig


class ReperesConfig(AppConfig):
    name = "reperes"
    verbose_name = "Repères territoriaux"
    # Extension points this app provides (declared in srefop_portal/common/hooks.py, checked by manage.py check)
    hooks = (
        "reference.load_reference",
        "demo.load_demo",
        "panels.territory_panels",
        "staff.staff_tiles",
        "jobs",
        "personal_data.export",
        "personal_data.erase",
    )

    def ready(self):
        from territories.signals import composition_changed

        from .services import after_geography_change

        composition_changed.connect(after_geography_change, dispatch_uid="reperes.after_geography_change")
