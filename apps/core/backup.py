"""Database backups and restores (docs/operations.md).

``backup_create`` writes one file per run into ``JXC_BACKUP_DIR``: on PostgreSQL
``pg_dump --format=custom`` of the configured database (``jxc-<db>-<YYYYmmdd-HHMMSS>.dump``),
on SQLite a copy made with SQLite's online backup API (``….sqlite3``), consistent while
clerks keep writing. The file is written under a temporary name and renamed only once it is
complete and readable (``pg_restore --list`` / ``PRAGMA integrity_check``), so a half-written
backup never carries a backup's name. Then only the newest ``keep`` backups of that database
are kept.

``backup_restore`` loads such a file into *another* database: a new or empty PostgreSQL
database (created when it does not exist) with ``pg_restore --no-owner``, or a new SQLite file.
It refuses a target that already holds tables, and the running database, unless ``force``.

Failures raise ``BackupError`` with a message for the operator; ``BackupTransientError`` (the
server did not answer, a timeout) is the kind the nightly task retries.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

POSTGRES = "postgresql"
SQLITE = "sqlite"
SUFFIX = {POSTGRES: ".dump", SQLITE: ".sqlite3"}
PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
# pg_dump/pg_restore of a large company can take a while; a hung server should not block forever.
COMMAND_TIMEOUT = int(os.environ.get("JXC_BACKUP_TIMEOUT", "3000"))
TRANSIENT_MARKERS = (
    "could not connect",
    "connection to server",
    "server closed the connection",
    "the database system is starting up",
    "the database system is shutting down",
    "too many connections",
    "timeout expired",
)


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why and what to do."""


class BackupTransientError(BackupError):
    """A failure that may pass on its own (the server did not answer): worth retrying."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    database: str
    engine: str
    seconds: float
    deleted: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    database: str
    engine: str
    tables: int
    seconds: float


def _engine(settings_dict: dict) -> str:
    engine = settings_dict.get("ENGINE", "")
    if "postgresql" in engine or "postgis" in engine:
        return POSTGRES
    if "sqlite3" in engine:
        return SQLITE
    raise BackupError(_("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": engine})


def _database_label(settings_dict: dict, engine: str) -> str:
    """The database's name as it appears in backup file names."""
    name = str(settings_dict.get("NAME") or "")
    if engine == SQLITE:
        name = Path(name).stem
    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    if not label:
        raise BackupError(_("The database has no name to back up."))
    return label


def _name_pattern(label: str) -> re.Pattern:
    return re.compile(
        rf"^jxc-{re.escape(label)}-(?P<stamp>\d{{8}}-\d{{6}})(?:-(?P<n>\d+))?(?P<suffix>\.dump|\.sqlite3)$"
    )


def backup_files(*, directory: Path, label: str) -> list[Path]:
    """The backups of one database in ``directory``, newest first (by the time in their names)."""
    pattern = _name_pattern(label)
    found = []
    for path in Path(directory).iterdir() if Path(directory).is_dir() else []:
        match = pattern.match(path.name)
        if match and path.is_file():
            found.append(((match["stamp"], int(match["n"] or 0)), path))
    return [path for _key, path in sorted(found, reverse=True)]


def backup_prune(*, directory: Path, label: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of the database ``label``; returns what went."""
    if keep < 1:
        raise BackupError(_("Keep at least one backup (keep=%(keep)s).") % {"keep": keep})
    deleted = []
    for path in backup_files(directory=directory, label=label)[keep:]:
        path.unlink(missing_ok=True)
        deleted.append(path)
    return deleted


def _pg_env(settings_dict: dict) -> dict:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _pg_args(settings_dict: dict) -> list[str]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return [*args, "--no-password"]


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(program)s was not found on the PATH. Install the PostgreSQL client programs "
                "(Debian: apt-get install postgresql-client) of the server's major version or newer."
            )
            % {"program": name}
        )
    return path


def _run(command: list[str], *, env: dict, what: str) -> subprocess.CompletedProcess:
    try:
        # The program comes from shutil.which and the arguments from the settings: no shell, no user input.
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise BackupTransientError(
            _("%(what)s took longer than %(seconds)s s and was stopped.") % {"what": what, "seconds": COMMAND_TIMEOUT}
        ) from exc
    if result.returncode != 0:
        message = (result.stderr or result.stdout or "").strip()[-2000:]
        error = BackupTransientError if any(marker in message.lower() for marker in TRANSIENT_MARKERS) else BackupError
        raise error(
            _("%(what)s failed (exit code %(code)s): %(message)s")
            % {"what": what, "code": result.returncode, "message": message}
        )
    return result


def _writable_directory(directory: Path) -> Path:
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".jxc-probe-"):
            pass
    except OSError as exc:
        raise BackupError(
            _("Cannot write backups to %(directory)s: %(reason)s. Set JXC_BACKUP_DIR or --dir to a writable directory.")
            % {"directory": directory, "reason": exc.strerror or exc}
        ) from exc
    return directory


def _publish(temporary: Path, directory: Path, label: str, stamp: str, suffix: str) -> Path:
    """Give the finished file its name ``jxc-<db>-<stamp><suffix>``, or ``…-<stamp>-2<suffix>``
    when a backup of that second exists. A hard link never replaces an existing file, so two
    backups started in the same second (the task and a hand-run command) both survive."""
    n = 1
    while True:
        path = directory / (f"jxc-{label}-{stamp}{suffix}" if n == 1 else f"jxc-{label}-{stamp}-{n}{suffix}")
        try:
            os.link(temporary, path)
        except FileExistsError:
            n += 1
            continue
        except OSError:  # a file system without hard links
            if path.exists():
                n += 1
                continue
            os.replace(temporary, path)
        return path


def _remove_stale_partials(directory: Path, label: str) -> list[Path]:
    """Temporary files of this database left by a backup that was killed more than a day ago."""
    cutoff = time.time() - 24 * 3600
    stale = []
    for path in directory.glob(f".jxc-{glob_escape(label)}-*.partial"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                stale.append(path)
        except FileNotFoundError:
            continue
    return stale


def _dump_postgres(settings_dict: dict, target: Path) -> None:
    env = _pg_env(settings_dict)
    pg_dump = _program("pg_dump")
    pg_restore = _program("pg_restore")
    _run(
        [pg_dump, *_pg_args(settings_dict), "--format=custom", "--file", str(target), str(settings_dict["NAME"])],
        env=env,
        what="pg_dump",
    )
    # The file must be a readable archive before it may carry a backup's name.
    _run([pg_restore, "--list", str(target)], env=env, what="pg_restore --list")


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database with the online backup API (consistent while others write)."""
    if not source.is_file():
        raise BackupError(_("The SQLite database %(path)s does not exist.") % {"path": source})
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=1024)
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(_("The copy of %(path)s is damaged: %(check)s") % {"path": source, "check": check})
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(_("SQLite backup of %(path)s failed: %(reason)s") % {"path": source, "reason": exc}) from exc
    finally:
        src.close()


def backup_create(
    *,
    directory: Path | str | None = None,
    keep: int | None = None,
    settings_dict: dict | None = None,
    now: datetime.datetime | None = None,
) -> BackupResult:
    """Back up the database (``settings_dict``, default the ``default`` connection's) into
    ``directory`` (``JXC_BACKUP_DIR``), then keep its newest ``keep`` (``JXC_BACKUP_KEEP``) backups.

    Writes a temporary file and renames it when complete and verified; on any failure the
    temporary file is removed and nothing else in the directory changes. Raises BackupError.
    """
    settings_dict = settings_dict or connections["default"].settings_dict
    keep = settings.JXC_BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError(_("Keep at least one backup (keep=%(keep)s).") % {"keep": keep})
    engine = _engine(settings_dict)
    label = _database_label(settings_dict, engine)
    directory = _writable_directory(Path(directory or settings.JXC_BACKUP_DIR))
    if engine == POSTGRES:
        # Fail before writing anything when the client programs are missing.
        _program("pg_dump")
        _program("pg_restore")
    started = time.monotonic()
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    suffix = SUFFIX[engine]
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".jxc-{label}-", suffix=f"{suffix}.partial")
    os.close(handle)
    temporary = Path(temporary)
    try:
        if engine == POSTGRES:
            _dump_postgres(settings_dict, temporary)
        else:
            temporary.unlink()
            _sqlite_copy(Path(settings_dict["NAME"]), temporary)
        os.chmod(temporary, 0o600)  # a backup holds every customer and password hash
        path = _publish(temporary, directory, label, stamp, suffix)
    except OSError as exc:
        raise BackupError(
            _("Writing the backup in %(directory)s failed: %(reason)s") % {"directory": directory, "reason": exc}
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)
    deleted = backup_prune(directory=directory, label=label, keep=keep)
    deleted += _remove_stale_partials(directory, label)
    return BackupResult(
        path=path,
        size=path.stat().st_size,
        database=label,
        engine=engine,
        seconds=round(time.monotonic() - started, 3),
        deleted=deleted,
    )


def _file_engine(source: Path) -> str:
    try:
        with open(source, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(_("Cannot read %(path)s: %(reason)s") % {"path": source, "reason": exc.strerror}) from exc
    if head.startswith(PG_MAGIC):
        return POSTGRES
    if head == SQLITE_MAGIC:
        return SQLITE
    raise BackupError(_("%(path)s is not a JXC backup (neither a pg_dump archive nor SQLite).") % {"path": source})


def _same_database(a: dict, b: dict) -> bool:
    def key(d):
        return (str(d.get("HOST") or "localhost"), str(d.get("PORT") or "5432"), str(d.get("NAME")))

    return key(a) == key(b)


def _pg_connect(settings_dict: dict, name: str):
    import psycopg2

    return psycopg2.connect(
        dbname=name,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        connect_timeout=10,
    )


def _pg_prepare_target(target: dict, *, force: bool) -> None:
    """Create the target database if missing; refuse one that has tables unless ``force``."""
    import psycopg2
    from psycopg2 import sql

    name = str(target["NAME"])
    try:
        connection = _pg_connect(target, name)
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise BackupTransientError(
                _("Cannot connect to the target database %(name)s: %(reason)s") % {"name": name, "reason": exc}
            ) from exc
        try:
            maintenance = _pg_connect(target, "postgres")
            maintenance.autocommit = True
            with maintenance.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            maintenance.close()
        except psycopg2.Error as create_exc:
            raise BackupError(
                _(
                    "The database %(name)s does not exist and could not be created (%(reason)s); "
                    "create it with createdb."
                )
                % {"name": name, "reason": str(create_exc).strip()}
            ) from create_exc
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
            tables = cursor.fetchone()[0]
    finally:
        connection.close()
    if tables and not force:
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(tables)s tables). Restore into a new database, "
                "or pass --force to replace its contents."
            )
            % {"name": name, "tables": tables}
        )


def _pg_table_count(target: dict) -> int:
    connection = _pg_connect(target, str(target["NAME"]))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def backup_restore(*, source: Path | str, database_url: str, force: bool = False) -> RestoreResult:
    """Restore the backup ``source`` into the database at ``database_url``.

    PostgreSQL: the target is created when missing; ``pg_restore --no-owner --no-privileges``
    in one transaction (all or nothing). SQLite: the file is copied to the target path with the
    backup API. Refuses a target with tables (PostgreSQL), an existing file (SQLite) and the
    running database unless ``force``; with ``force`` the target's objects are replaced.
    """
    source = Path(source)
    started = time.monotonic()
    file_engine = _file_engine(source)
    try:
        target = dj_database_url.parse(database_url)
    except Exception as exc:  # dj_database_url raises several types for a bad URL
        raise BackupError(_("Not a database URL: %(url)s (%(reason)s)") % {"url": database_url, "reason": exc}) from exc
    engine = _engine(target)
    if engine != file_engine:
        raise BackupError(
            _("%(path)s is a %(file)s backup; it cannot be restored into a %(target)s database.")
            % {"path": source, "file": file_engine, "target": engine}
        )
    running = connections["default"].settings_dict
    if _engine(running) == engine and not force:
        same = (
            _same_database(running, target)
            if engine == POSTGRES
            else Path(str(running["NAME"])).resolve() == Path(str(target["NAME"])).resolve()
        )
        if same:
            raise BackupError(
                _("%(name)s is the running database; restore into a new database (or pass --force).")
                % {"name": target["NAME"]}
            )
    if engine == POSTGRES:
        pg_restore = _program("pg_restore")
        env = _pg_env(target)
        _run([pg_restore, "--list", str(source)], env=env, what="pg_restore --list")
        _pg_prepare_target(target, force=force)
        command = [pg_restore, *_pg_args(target), "--no-owner", "--no-privileges", "--exit-on-error"]
        command += ["--single-transaction", "--dbname", str(target["NAME"])]
        if force:
            command += ["--clean", "--if-exists"]
        _run([*command, str(source)], env=env, what="pg_restore")
        tables = _pg_table_count(target)
    else:
        path = Path(str(target["NAME"]))
        if path.exists() and path.stat().st_size and not force:
            raise BackupError(
                _("%(path)s already exists. Restore into a new file, or pass --force to replace it.") % {"path": path}
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.partial")
        try:
            _sqlite_copy(source, temporary)
            # A replaced database's write-ahead log must not be replayed onto the restored one.
            for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                stale.unlink(missing_ok=True)
            os.replace(temporary, path)
        except OSError as exc:
            raise BackupError(_("Cannot write %(path)s: %(reason)s") % {"path": path, "reason": exc}) from exc
        finally:
            temporary.unlink(missing_ok=True)
        connection = sqlite3.connect(path)
        try:
            tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            connection.close()
    return RestoreResult(
        source=source,
        database=str(target["NAME"]),
        engine=engine,
        tables=tables,
        seconds=round(time.monotonic() - started, 3),
    )
