from django.apps import AppConfig


class RoadmapsConfig(AppConfig):
    name = "roadmaps"
    verbose_name = "Srefop et feuilles de route"
    # Extension points this app provides (declared in srefop_portal/common/hooks.py, checked by manage.py check)
    hooks = (
        "reference.load_reference",
        "demo.load_demo",
        "panels.territory_panels",
        "panels.body_panels",
        "staff.staff_tiles",
        "jobs",
        "personal_data.export",
        "personal_data.erase",
    )
