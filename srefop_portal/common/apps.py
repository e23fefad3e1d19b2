from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "srefop_portal.common"
    label = "common"
    verbose_name = "Socle commun"
    # Extension points this app provides (declared in srefop_portal/common/hooks.py, checked by manage.py check)
    hooks = ("staff.staff_tiles", "personal_data.export", "personal_data.erase")

    def ready(self):
        from . import checks, diagnostic  # noqa: F401  (system checks; the diagnostic job kind)
        from .collation import connect_signals as connect_collation
        from .versions import connect_signals

        connect_signals()  # data versions: every write to a tracked app changes its version (cached fragments)
        connect_collation()  # French sorting of names on SQLite (PostgreSQL: ICU)
