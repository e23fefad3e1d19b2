"""scripts/backup.sh and scripts/restore.sh (docs/deploiement.md, « Sauvegardes »): the PostgreSQL database and the
uploaded files are saved, then restored into a fresh database and an empty media folder, and come back identical.

The round trip needs PostgreSQL and its client tools (pg_dump, pg_restore): skipped on SQLite, a failure when
SREFOP_REQUIRE_POSTGRES=1 (CI's PostgreSQL pass). The refusals (no backup, damaged backup, not PostgreSQL) need
neither and run everywhere.
"""

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
NOWHERE = "postgres://nobody@127.0.0.1:1/nothing"  # never reached: every refusal comes before any connection


def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPTS / script), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = run("backup.sh", DATABASE_URL="sqlite:///var/db.sqlite3", BACKUP_DIR=str(tmp_path / "bk"))
    assert result.returncode == 2
    assert "ne désigne pas une base PostgreSQL" in result.stderr
    assert not (tmp_path / "bk").exists()


def test_backup_needs_a_database_url(tmp_path):
    result = run("backup.sh", DATABASE_URL="", BACKUP_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "DATABASE_URL doit désigner" in result.stderr


def test_restore_refuses_a_missing_backup(tmp_path):
    result = run("restore.sh", str(tmp_path / "absente"), DATABASE_URL=NOWHERE, MEDIA_ROOT=str(tmp_path / "media"))
    assert result.returncode == 2
    assert "Sauvegarde introuvable" in result.stderr
    assert not (tmp_path / "media").exists()


def test_restore_refuses_a_damaged_backup_and_touches_nothing(tmp_path):
    backup = tmp_path / "20260101-120000"
    backup.mkdir()
    (backup / "base.dump").write_bytes(b"PGDMP dump")
    (backup / "fichiers.tar.gz").write_bytes(b"archive")
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in sorted(backup.iterdir()))
    (backup / "SHA256SUMS").write_text(sums)
    (backup / "fichiers.tar.gz").write_bytes(b"archive tronquee")  # damaged after the backup
    media = tmp_path / "media"
    result = run("restore.sh", str(backup), DATABASE_URL=NOWHERE, MEDIA_ROOT=str(media))
    assert result.returncode == 3
    assert "Sauvegarde abîmée" in result.stderr and "rien n’a été modifié" in result.stderr
    assert not media.exists()


def _url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{name}"


def _counts(conn) -> dict:
    tables = ["territories_commune", "territories_territory", "clefop_body", "roadmaps_romecode", "django_migrations"]
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}  # noqa: S608


@pytest.mark.postgres
@pytest.mark.django_db  # the test database exists (reference data committed); the scripts use their own connections
@pytest.mark.usefixtures("postgres_required")
def test_backup_then_restore_into_a_fresh_database(tmp_path):
    """The test database (reference data loaded, plus a structure created here and committed) and an uploaded
    file: backed up, restored into a new database and an empty media folder, twice (the second restore replaces)."""
    from django.conf import settings

    require_or_skip("postgres", settings.USING_POSTGRES, "la base de test n'est pas PostgreSQL")
    for tool in ("pg_dump", "pg_restore", "sha256sum"):
        require_or_skip("postgres", shutil.which(tool) is not None, f"{tool} est introuvable (postgresql-client)")
    import psycopg
    from django.db import connection

    settings_dict = connection.settings_dict
    source_name = settings_dict["NAME"]
    target_name = f"{source_name[:40]}_restauration_{uuid.uuid4().hex[:8]}"
    source_url, target_url = _url(settings_dict, source_name), _url(settings_dict, target_name)
    admin_url = _url(settings_dict, "postgres")
    marker = f"Structure créée avant la sauvegarde « {uuid.uuid4().hex[:8]} » — é"
    media, restored_media = tmp_path / "media", tmp_path / "media-restauree"
    upload = media / "clefop" / "documents" / "1" / "compte-rendu de la plénière.pdf"
    upload.parent.mkdir(parents=True)
    content = b"%PDF-1.4\n" + bytes(range(256)) * 40 + "Compte rendu (é)".encode()
    upload.write_bytes(content)

    with psycopg.connect(source_url, autocommit=True) as conn:
        organisation_id = conn.execute(
            "INSERT INTO clefop_organisation (name, kind, siren, is_demo) VALUES (%s, 'autre', '', false) RETURNING id",
            [marker],
        ).fetchone()[0]
        expected = _counts(conn)
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{target_name}"')
        backup = run("backup.sh", DATABASE_URL=source_url, MEDIA_ROOT=str(media), BACKUP_DIR=str(tmp_path / "bk"))
        assert backup.returncode == 0, backup.stderr
        folder = Path(backup.stdout.strip().splitlines()[-1])
        assert {p.name for p in folder.iterdir()} == {"base.dump", "fichiers.tar.gz", "SHA256SUMS"}

        for attempt in (1, 2):  # the second restore goes into a database that already holds everything
            restore = run("restore.sh", str(folder), DATABASE_URL=target_url, MEDIA_ROOT=str(restored_media))
            assert restore.returncode == 0, f"restauration {attempt} : {restore.stderr}"
            assert "Restauration terminée" in restore.stdout
            with psycopg.connect(target_url) as conn:
                assert _counts(conn) == expected
                row = conn.execute("SELECT name, kind FROM clefop_organisation WHERE id = %s", [organisation_id])
                assert row.fetchone() == (marker, "autre")
                nantes = conn.execute("SELECT name FROM territories_commune WHERE code = '44109'").fetchone()
                assert nantes == ("Nantes",)
            restored = restored_media / upload.relative_to(media)
            assert restored.read_bytes() == content
    finally:
        with psycopg.connect(source_url, autocommit=True) as conn:
            conn.execute("DELETE FROM clefop_organisation WHERE id = %s", [organisation_id])
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
