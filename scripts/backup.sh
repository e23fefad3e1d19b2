#!/usr/bin/env bash
# Sauvegarde : base PostgreSQL (pg_dump, format custom) et fichiers déposés (MEDIA_ROOT), dans backups/AAAAMMJJ-HHMMSS/.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL doit désigner la base PostgreSQL à sauvegarder}"
media="${MEDIA_ROOT:-var/media}"
target="${BACKUP_DIR:-backups}/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$target"
pg_dump --format=custom --no-owner --file "$target/base.dump" "$DATABASE_URL"
if [ -d "$media" ]; then tar -C "$media" -czf "$target/fichiers.tar.gz" .; fi
echo "Sauvegarde écrite dans $target"
