from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from srefop_portal.common.hooks import implementations


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (comptes, instances, feuilles de route, indicateurs, veille), "
        "toutes étiquetées « démonstration ». Idempotent. Refuse hors mode démonstration sauf --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Charger même hors DEBUG / mode démonstration.")
        parser.add_argument("--quiet-accounts", action="store_true", help="Ne pas afficher les comptes.")

    def handle(self, *args, force=False, quiet_accounts=False, **options):
        if not (settings.DEBUG or settings.DEMO_MODE or force):
            raise CommandError(
                "Refusé : les données de démonstration ne se chargent qu'en mode développement ou démonstration "
                "(DJANGO_DEBUG=1 ou SREFOP_DEMO_MODE=1). Utilisez --force pour passer outre."
            )
        call_command("load_reference_data", stdout=self.stdout)
        accounts = []
        for config, load_demo in implementations("demo.load_demo"):
            result = load_demo()
            accounts.extend(result.get("accounts", []) if isinstance(result, dict) else [])
            message = result.get("message", "") if isinstance(result, dict) else str(result or "")
            self.stdout.write(self.style.SUCCESS(f"Démonstration — {config.verbose_name} : {message}"))
        if accounts and not quiet_accounts:
            self.stdout.write("")
            self.stdout.write(self.style.WARNING("Comptes de démonstration (mot de passe commun : demo-srefop-2026)"))
            for role, email in accounts:
                self.stdout.write(f"  {role:<45} {email}")
