from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = "Territoires"
    # Extension points this app provides (declared in srefop_portal/common/hooks.py, checked by manage.py check)
    hooks = (
        "jobs",
        "staff.staff_tiles",
        "personal_data.export",
        "personal_data.erase",
    )
