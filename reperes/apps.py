from django.apps import AppConfig


class ReperesConfig(AppConfig):
    name = "reperes"
    verbose_name = "Repères territoriaux"

    def ready(self):
        from territories.signals import composition_changed

        from .services import after_geography_change

        composition_changed.connect(after_geography_change, dispatch_uid="reperes.after_geography_change")
