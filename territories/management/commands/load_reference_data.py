from pathlib import Path

from django.core.management.base import BaseCommand

from srefop_portal.common.hooks import implementations
from territories.reference import load_geography


class Command(BaseCommand):
    help = (
        "Charge les données de référence : géographie COG 2026 (région 52), composition indicative des 18 "
        "territoires EFOP, puis les référentiels des autres applications. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cog-dir",
            type=Path,
            help="Dossier contenant regions.json, departements.json, communes.json et epci.json "
            "(fichiers complets ou filtrés de @etalab/decoupage-administratif). Par défaut : copie du projet.",
        )
        parser.add_argument("--territories-csv", type=Path, help="Composition indicative des territoires (CSV).")

    def handle(self, *args, cog_dir=None, territories_csv=None, **options):
        report = load_geography(cog_dir=cog_dir, territories_csv=territories_csv)
        self.stdout.write(self.style.SUCCESS(f"Géographie : {report}"))
        for config, load_reference in implementations("reference.load_reference"):
            message = load_reference()
            self.stdout.write(self.style.SUCCESS(f"{config.verbose_name} : {message}"))
