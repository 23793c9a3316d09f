"""Backups and restores (apps/core/backup.py, docs/operations.md).

The issue's "Show": a month of business booked through the services is backed up with
``manage.py backup`` (pg_dump), restored with ``manage.py restore`` into a new PostgreSQL
database, and the restored database has the same rows in every table, the same id sequences,
no missing migration, and the same ``check_stock`` / ``check_books`` results, run by the real
commands against it. Also: retention keeps exactly N, SQLite round trip while a writer holds
a transaction, clear errors (no pg_dump, unwritable directory, server down), the task, and the
nightly schedule's migration.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
from celery.exceptions import Retry
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask

from apps.core.backup import BackupError, BackupTransientError, backup_create, backup_files, backup_restore
from apps.core.tasks import backup as backup_task
from apps.finance.models import JournalEntry, JournalLine
from apps.inventory.models import StockBalance, StockLedgerEntry
from apps.purchasing.models import PurchaseReceipt
from apps.sales.models import Delivery
from tests.books.support import november_of_business

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _url(settings_dict: dict, name: str) -> str:
    auth = settings_dict.get("USER") or ""
    if settings_dict.get("PASSWORD"):
        auth += f":{settings_dict['PASSWORD']}"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


def _pg(settings_dict: dict, name: str):
    connection_ = psycopg2.connect(
        dbname=name,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
    )
    connection_.autocommit = True
    return connection_


def _snapshot(settings_dict: dict, name: str) -> tuple[dict[str, int], dict[str, int]]:
    """Rows per table and last value per sequence of a database, read with its own connection."""
    db = _pg(settings_dict, name)
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            tables = [row[0] for row in cursor.fetchall()]
            rows = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
                rows[table] = cursor.fetchone()[0]
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            sequences = dict(cursor.fetchall())
    finally:
        db.close()
    return rows, sequences


def _manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


CHECKS = """
import io, json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxc.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", "--check", verbosity=0)  # exits 1 when a migration is missing
results = {}
for command in ("check_stock", "check_books"):
    out = io.StringIO()
    call_command(command, "--json", stdout=out)  # exits 1 on a difference
    results[command] = json.loads(out.getvalue())
    results[command].pop("seconds")
print(json.dumps(results))
"""


def _checks(database_url: str) -> dict:
    """In a new process on ``database_url``: ``migrate --check``, then ``check_stock --json`` and
    ``check_books --json`` (without their timings). One process: each start costs seconds."""
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-c", CHECKS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _drop(settings_dict: dict, name: str) -> None:
    db = _pg(settings_dict, "postgres")
    try:
        with db.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        db.close()


@pytest.mark.django_db(transaction=True)
def test_a_month_of_business_backed_up_and_restored_into_a_new_database_is_identical(make_user, tmp_path, capsys):
    november_of_business(make_user)
    here = connection.settings_dict
    original = here["NAME"]
    assert (PurchaseReceipt.objects.count(), Delivery.objects.count()) == (1, 1)
    assert (StockLedgerEntry.objects.count(), StockBalance.objects.count()) == (4, 1)
    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == (8, 23)
    restored = f"{original}_restored_{uuid.uuid4().hex[:6]}"

    call_command("backup", "--dir", str(tmp_path), "--keep", "3")

    [dump] = backup_files(directory=tmp_path, label=original)
    printed = capsys.readouterr().out
    assert str(dump) in printed and f"({dump.stat().st_size} B)" in printed
    assert dump.read_bytes()[:5] == b"PGDMP"
    try:
        call_command("restore", str(dump), "--database-url", _url(here, restored))

        rows, sequences = _snapshot(here, original)
        restored_rows, restored_sequences = _snapshot(here, restored)
        assert restored_rows == rows
        assert restored_sequences == sequences
        assert rows["purchasing_purchasereceipt"] == 1
        assert rows["sales_delivery"] == 1
        assert rows["inventory_stockledgerentry"] == 4
        assert rows["finance_journalentry"] == 8
        assert rows["finance_journalline"] == 23
        assert rows["django_migrations"] > 50
        assert len(rows) > 60

        checks = _checks(_url(here, original))
        assert checks["check_stock"]["ok"] is True
        assert (checks["check_stock"]["balances"], checks["check_stock"]["entries"]) == (1, 4)
        assert checks["check_books"]["ok"] is True
        assert _checks(_url(here, restored)) == checks

        # The restored database now has tables: a second restore is refused and changes nothing ...
        with pytest.raises(CommandError, match="is not empty") as refused:
            call_command("restore", str(dump), "--database-url", _url(here, restored))
        assert refused.value.returncode == 1
        # ... unless forced, which replaces its contents with the backup's.
        db = _pg(here, restored)
        with db.cursor() as cursor:
            cursor.execute("DELETE FROM finance_journalline")
        db.close()
        call_command("restore", str(dump), "--database-url", _url(here, restored), "--force")
        assert _snapshot(here, restored) == (rows, sequences)
    finally:
        _drop(here, restored)


@pytest.mark.django_db
def test_the_running_database_is_never_the_restore_target_by_default(tmp_path):
    here = connection.settings_dict
    dump = backup_create(directory=tmp_path, keep=1).path
    before = PurchaseReceipt.objects.count()

    with pytest.raises(CommandError, match="is the running database") as refused:
        call_command("restore", str(dump), "--database-url", _url(here, here["NAME"]))

    assert refused.value.returncode == 1
    assert PurchaseReceipt.objects.count() == before


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    bogus = tmp_path / "jxc-x-20260101-000000.dump"
    bogus.write_text("not a dump")

    with pytest.raises(CommandError, match="is not a JXC backup"):
        call_command("restore", str(bogus), "--database-url", "sqlite:///" + str(tmp_path / "new.sqlite3"))

    assert not (tmp_path / "new.sqlite3").exists()


def _sqlite_database(path: Path, rows: int) -> dict:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE product (id INTEGER PRIMARY KEY, sku TEXT NOT NULL)")
    db.executemany("INSERT INTO product (sku) VALUES (?)", [(f"SKU-{n:05d}",) for n in range(rows)])
    db.commit()
    db.close()
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def test_retention_keeps_exactly_the_newest_n_backups_of_that_database(tmp_path):
    database = _sqlite_database(tmp_path / "jxc.sqlite3", rows=10)
    backups = tmp_path / "backups"
    backups.mkdir()
    other = backups / "jxc-other-20260101-000000.sqlite3"
    other.write_bytes(b"another database's backup")
    unrelated = backups / "notes.txt"
    unrelated.write_text("keep me")
    killed = backups / ".jxc-jxc-abc123.sqlite3.partial"  # left by a backup killed two days ago
    killed.write_bytes(b"half")
    os.utime(killed, (time.time() - 2 * 86400,) * 2)
    running = backups / ".jxc-jxc-def456.sqlite3.partial"  # being written right now
    running.write_bytes(b"half")
    results = []

    for hour in range(5):
        now = datetime.datetime(2026, 12, 1, hour, 30, 0, tzinfo=SHANGHAI)
        results.append(backup_create(directory=backups, keep=3, settings_dict=database, now=now))
    # Two backups within the same second get distinct names, the later one counted as newer.
    same_second = backup_create(directory=backups, keep=3, settings_dict=database, now=now)

    names = [path.name for path in backup_files(directory=backups, label="jxc")]
    assert names == [
        "jxc-jxc-20261201-043000-2.sqlite3",
        "jxc-jxc-20261201-043000.sqlite3",
        "jxc-jxc-20261201-033000.sqlite3",
    ]
    assert [len(result.deleted) for result in results] == [1, 0, 0, 1, 1]
    assert results[0].deleted == [killed] and running.exists()
    assert [path.name for path in same_second.deleted] == ["jxc-jxc-20261201-023000.sqlite3"]
    assert other.exists() and unrelated.read_text() == "keep me"
    assert sorted(p.name for p in backups.iterdir()) == sorted([*names, other.name, unrelated.name, running.name])
    with pytest.raises(BackupError, match="Keep at least one backup"):
        backup_create(directory=backups, keep=0, settings_dict=database)


def test_sqlite_backup_and_restore_round_trip_while_a_writer_holds_a_transaction(tmp_path):
    path = tmp_path / "jxc.sqlite3"
    _sqlite_database(path, rows=1000)
    writer = sqlite3.connect(path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO product (sku) VALUES ('UNCOMMITTED')")
    url = f"sqlite:///{path}"
    try:
        made = _manage("backup", "--dir", str(tmp_path / "backups"), "--keep", "2", database_url=url)
        assert made.returncode == 0, made.stderr[-3000:]
    finally:
        writer.rollback()
        writer.close()
    [copy] = backup_files(directory=tmp_path / "backups", label="jxc")
    assert str(copy) in made.stdout
    target = tmp_path / "restored" / "jxc.sqlite3"

    restored = _manage("restore", str(copy), "--database-url", f"sqlite:///{target}", database_url=url)

    assert restored.returncode == 0, restored.stderr[-3000:]
    db = sqlite3.connect(target)
    assert db.execute("SELECT count(*), max(sku) FROM product").fetchone() == (1000, "SKU-00999")
    db.close()
    # The command speaks the site's language: the refusal is recognised by the path it names.
    into_itself = _manage("restore", str(copy), "--database-url", url, database_url=url)
    assert into_itself.returncode == 1
    assert str(path) in into_itself.stderr
    assert sqlite3.connect(path).execute("SELECT count(*) FROM product").fetchone() == (1000,)
    with pytest.raises(BackupError, match="already exists"):
        backup_restore(source=copy, database_url=f"sqlite:///{target}")


def test_missing_pg_dump_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(CommandError, match="pg_dump was not found on the PATH") as failed:
        call_command("backup", "--dir", str(tmp_path / "backups"))

    assert failed.value.returncode == 1
    assert list((tmp_path / "backups").iterdir()) == []


def test_an_unwritable_directory_is_a_clear_error(tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")

    with pytest.raises(CommandError, match=r"Cannot write backups to .*a-file/backups") as failed:
        call_command("backup", "--dir", str(in_the_way / "backups"))

    assert failed.value.returncode == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_directory_is_a_clear_error(tmp_path):
    read_only = tmp_path / "ro"
    read_only.mkdir(mode=0o500)

    with pytest.raises(BackupError, match="Cannot write backups to"):
        backup_create(directory=read_only)


def test_a_server_that_does_not_answer_is_transient_and_leaves_no_partial_file(tmp_path):
    down = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}

    with pytest.raises(BackupTransientError, match="pg_dump failed"):
        backup_create(directory=tmp_path, keep=2, settings_dict=down)

    assert list(tmp_path.iterdir()) == []


def test_the_task_backs_up_the_database(tmp_path):
    result = backup_task.delay(directory=str(tmp_path), keep=2).get(timeout=60)

    path = Path(result["path"])
    assert path.parent == tmp_path and path.name.startswith(f"jxc-{connection.settings_dict['NAME']}-")
    assert result["size"] == path.stat().st_size > 1000
    assert result["deleted"] == []
    assert backup_task.max_retries == 3 and backup_task.time_limit == 3600
    assert backup_task.autoretry_for == (BackupTransientError,)


def test_the_task_retries_a_transient_failure_only(tmp_path, monkeypatch):
    calls = []

    def failing(error):
        def backup_create(**kwargs):
            calls.append(kwargs)
            raise error

        return backup_create

    monkeypatch.setattr("apps.core.tasks.backup_create", failing(BackupTransientError("could not connect to server")))
    with pytest.raises(Retry) as retried:
        backup_task.apply(kwargs={"directory": str(tmp_path)})
    assert len(calls) == 1
    assert 0 <= retried.value.when <= 60  # retry_backoff=60 with jitter
    with pytest.raises(BackupTransientError):  # the fourth failure gives up
        backup_task.apply(kwargs={"directory": str(tmp_path)}, retries=3)
    assert len(calls) == 2

    monkeypatch.setattr("apps.core.tasks.backup_create", failing(BackupError("pg_dump was not found on the PATH")))
    with pytest.raises(BackupError, match="pg_dump was not found"):
        backup_task.apply(kwargs={"directory": str(tmp_path)})
    assert len(calls) == 3


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test command's REDIS_URL")
def test_a_real_worker_runs_the_backup_task(tmp_path):
    from celery.contrib.testing.worker import start_worker

    from jxc.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = backup_task.apply_async(kwargs={"directory": str(tmp_path), "keep": 1}).get(timeout=60)
    finally:
        app.conf.task_always_eager = True

    [made] = backup_files(directory=tmp_path, label=connection.settings_dict["NAME"])
    assert result["path"] == str(made) and result["size"] == made.stat().st_size


@pytest.mark.django_db
def test_the_migration_schedules_one_nightly_backup_at_three():
    migration = importlib.import_module("apps.core.migrations.0002_nightly_backup")

    migration.schedule_backup(django_apps, None)
    migration.schedule_backup(django_apps, None)

    [task] = PeriodicTask.objects.filter(task="core.backup")
    assert task.name == "nightly backup" and task.enabled
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == (
        "0",
        "3",
        "*",
        "*",
        "*",
    )
    assert str(crontab.timezone) == settings.TIME_ZONE
