#!/usr/bin/env bash
# Restauration d'une sauvegarde de scripts/backup.sh dans la base DATABASE_URL et dans MEDIA_ROOT :
#   DATABASE_URL=postgres://… [MEDIA_ROOT=var/media] bash scripts/restore.sh backups/AAAAMMJJ-HHMMSS
# Vérifie d'abord les empreintes (SHA256SUMS) : une sauvegarde abîmée est refusée sans rien toucher.
# La base est restaurée en une seule transaction (tout ou rien) ; les objets qu'elle contient déjà et que la
# sauvegarde contient aussi sont remplacés. Les fichiers déposés sont extraits par-dessus MEDIA_ROOT.
# Testé par tests/scripts/test_backup_restore.py.
set -euo pipefail
source_dir="${1:-}"
if [ -z "$source_dir" ]; then
  echo "Indiquez le dossier de sauvegarde : bash scripts/restore.sh backups/AAAAMMJJ-HHMMSS (make restore BACKUP=…)." >&2
  exit 2
fi
if [ ! -f "$source_dir/base.dump" ]; then
  echo "Sauvegarde introuvable : $source_dir/base.dump n’existe pas." >&2
  exit 2
fi
if [ -z "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL doit désigner la base PostgreSQL à restaurer (postgres://…)." >&2
  exit 2
fi
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL ne désigne pas une base PostgreSQL." >&2; exit 2 ;;
esac
if [ -f "$source_dir/SHA256SUMS" ]; then
  if ! (cd "$source_dir" && sha256sum --check --quiet SHA256SUMS); then
    echo "Sauvegarde abîmée (empreintes SHA-256 différentes) : restauration refusée, rien n’a été modifié." >&2
    exit 3
  fi
else
  echo "Attention : pas de fichier SHA256SUMS, l’intégrité de la sauvegarde n’est pas vérifiée." >&2
fi
command -v pg_restore >/dev/null || { echo "pg_restore est introuvable (paquet postgresql-client)." >&2; exit 2; }
media="${MEDIA_ROOT:-var/media}"
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --dbname "$DATABASE_URL" \
  "$source_dir/base.dump"
if [ -f "$source_dir/fichiers.tar.gz" ]; then
  mkdir -p "$media"
  tar -C "$media" -xzf "$source_dir/fichiers.tar.gz"
fi
echo "Restauration terminée depuis $source_dir (base PostgreSQL et fichiers déposés dans $media)."
