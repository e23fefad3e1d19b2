#!/usr/bin/env bash
# Sauvegarde : base PostgreSQL (pg_dump, format custom) et fichiers déposés (MEDIA_ROOT), dans
# $BACKUP_DIR/AAAAMMJJ-HHMMSS/ (par défaut backups/), avec les empreintes SHA-256 des fichiers (SHA256SUMS).
#   DATABASE_URL=postgres://… [MEDIA_ROOT=var/media] [BACKUP_DIR=backups] bash scripts/backup.sh
# La dernière ligne affichée est le dossier de la sauvegarde. Testé par tests/scripts/test_backup_restore.py.
set -euo pipefail
if [ -z "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL doit désigner la base PostgreSQL à sauvegarder (postgres://…)." >&2
  exit 2
fi
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL ne désigne pas une base PostgreSQL : seules celles-ci se sauvegardent ainsi." >&2; exit 2 ;;
esac
command -v pg_dump >/dev/null || { echo "pg_dump est introuvable (paquet postgresql-client)." >&2; exit 2; }
media="${MEDIA_ROOT:-var/media}"
target="${BACKUP_DIR:-backups}/$(date +%Y%m%d-%H%M%S)"
if [ -e "$target" ]; then
  echo "Le dossier $target existe déjà : attendez une seconde avant une nouvelle sauvegarde." >&2
  exit 2
fi
mkdir -p "$target"
# En cas d'échec, pas de sauvegarde à moitié écrite qu'on pourrait prendre pour une bonne.
trap 'status=$?; if [ $status -ne 0 ]; then rm -rf "$target"; echo "Échec de la sauvegarde : rien n’a été conservé." >&2; fi' EXIT
pg_dump --format=custom --no-owner --file "$target/base.dump" "$DATABASE_URL"
if [ -d "$media" ]; then
  tar -C "$media" -czf "$target/fichiers.tar.gz" .
  files="fichiers déposés : $(find "$media" -type f | wc -l) fichier(s)"
else
  files="aucun dossier de fichiers déposés ($media)"
fi
(cd "$target" && sha256sum -- * > SHA256SUMS)
echo "Sauvegarde écrite : base PostgreSQL ($(du -h "$target/base.dump" | cut -f1)), $files."
echo "$target"
