#!/usr/bin/env bash
# Restauration d'une sauvegarde de scripts/backup.sh : bash scripts/restore.sh backups/AAAAMMJJ-HHMMSS
set -euo pipefail
source_dir="${1:?Indiquez le dossier de sauvegarde (make restore BACKUP=backups/...)}"
: "${DATABASE_URL:?DATABASE_URL doit désigner la base PostgreSQL à restaurer}"
media="${MEDIA_ROOT:-var/media}"
pg_restore --clean --if-exists --no-owner --dbname "$DATABASE_URL" "$source_dir/base.dump"
if [ -f "$source_dir/fichiers.tar.gz" ]; then mkdir -p "$media" && tar -C "$media" -xzf "$source_dir/fichiers.tar.gz"; fi
echo "Restauration terminée depuis $source_dir"
