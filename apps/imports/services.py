"""Excel import: read a file, preview it, import it all-or-nothing, in the request or as a job.

- ``read_import_file`` refuses a file that is not an .xlsx workbook, is larger than
  ``JXC_IMPORT_MAX_BYTES``, is empty, lacks a required column or has a column the template does
  not know, or has more than ``JXC_IMPORT_MAX_ROWS`` data rows (400 ``{"file": [message]}``).
- ``import_preview`` checks every row and writes nothing.
- ``import_rows`` checks every row and, when none has an error, writes them all in one
  transaction; otherwise it raises ``ImportRowsInvalid`` with every row error and writes nothing.
- ``import_job_create`` runs a file of up to ``JXC_IMPORT_SYNC_ROWS`` rows in the request (the
  job is recorded as done) and queues a larger one (``tasks.run_import_job`` on commit);
  ``import_job_run`` is what the worker does, counting progress as it goes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from apps.core.errors import BusinessError
from apps.core.xlsx import XLSX_MEDIA_TYPE

from .kinds import KINDS, ImportColumn, ImportKindSpec, Row, cell_value, normalize_header
from .models import ImportJob, ImportStatus

PREVIEW_ROWS = 20

__all__ = ["XLSX_MEDIA_TYPE"]


class ImportRowsInvalid(Exception):
    """Rows with errors: nothing was imported. ``errors`` is ``[{row, column, field, message}]``."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        rows = len({error["row"] for error in self.errors})
        return ngettext(
            "%(count)s row has errors: nothing was imported.",
            "%(count)s rows have errors: nothing was imported.",
            rows,
        ) % {"count": rows}


@dataclass
class ParsedFile:
    kind: ImportKindSpec
    columns: list[ImportColumn]  # the template columns present in the file, in file order
    rows: list[Row]

    @property
    def total_rows(self) -> int:
        return len(self.rows)


def _file_error(message: str):
    return ValidationError({"file": [message]})


def read_import_file(*, kind: str, file) -> ParsedFile:
    """The data rows of the first sheet of ``file`` under the header row, as model values.

    Entirely empty rows are skipped; a row's number is its Excel row number. Refuses (400 on
    ``file``) anything that is not a readable .xlsx, is too large, has no header or no data
    rows, misses a required column, names a column twice or one the template does not have, or
    has more than ``JXC_IMPORT_MAX_ROWS`` data rows."""
    spec = KINDS[kind]
    size = getattr(file, "size", None)
    if size is not None and size > settings.JXC_IMPORT_MAX_BYTES:
        raise _file_error(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": round(settings.JXC_IMPORT_MAX_BYTES / 1024 / 1024, 1)}
        )
    not_excel = _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again.")
    try:
        file.seek(0)
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl cannot read (not a zip, a .docx, a .xls...)
        raise _file_error(not_excel) from None
    try:
        return _read_sheet(spec, workbook.worksheets[0] if workbook.worksheets else None)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet inside a readable package
        raise _file_error(not_excel) from None
    finally:
        workbook.close()


def _read_sheet(spec: ImportKindSpec, sheet) -> ParsedFile:
    if sheet is not None and hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # some programs write a wrong size into the file: read all rows
    lines = sheet.iter_rows(values_only=True) if sheet is not None else iter(())
    header = None
    header_row = 0
    for number, values in enumerate(lines, start=1):
        if any(value not in (None, "") for value in values):
            header, header_row = values, number
            break
    if header is None:
        raise _file_error(_("The file is empty: download the template and fill it in."))
    columns = _match_header(spec, header)
    max_rows = settings.JXC_IMPORT_MAX_ROWS
    rows = []
    for number, values in enumerate(lines, start=header_row + 1):
        if not any(value not in (None, "") for value in values):
            continue
        if len(rows) >= max_rows:
            raise _file_error(
                _("The file has more than %(max)s rows; split it into smaller files.") % {"max": f"{max_rows:,}"}
            )
        rows.append(
            Row(
                number=number,
                values={
                    column.field: cell_value(values[position] if position < len(values) else None, column.type)
                    for position, column in columns
                },
            )
        )
    if not rows:
        raise _file_error(_("The file has a header but no rows to import."))
    return ParsedFile(kind=spec, columns=[column for _position, column in columns], rows=rows)


def _match_header(spec: ImportKindSpec, header) -> list[tuple[int, ImportColumn]]:
    by_name = {name: column for column in spec.columns for name in column.names()}
    found: list[tuple[int, ImportColumn]] = []
    unknown, repeated = [], []
    for position, text in enumerate(header):
        if text in (None, ""):
            continue
        column = by_name.get(normalize_header(text))
        if column is None:
            unknown.append(str(text))
        elif any(c is column for _p, c in found):
            repeated.append(str(text))
        else:
            found.append((position, column))
    missing = [column.header for column in spec.columns if column.required and all(c is not column for _p, c in found)]
    problems = []
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if repeated:
        problems.append(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(repeated)})
    if problems:
        problems.append(
            _("This is not a %(kind)s template: the header row must name the template's columns.")
            % {"kind": str(spec.title).lower()}
        )
        raise _file_error(" ".join(problems))
    return found


def import_preview(*, parsed: ParsedFile, user) -> dict:
    """Every row checked, the first rows shown, nothing written."""
    check = parsed.kind.check(parsed.rows, user=user)
    bad_rows = {error["row"] for error in check.errors}
    return {
        "kind": parsed.kind.kind,
        "total_rows": parsed.total_rows,
        "valid_rows": parsed.total_rows - len(bad_rows),
        "error_rows": len(bad_rows),
        "errors": check.errors,
        "columns": [{"field": c.field, "header": c.header} for c in parsed.columns],
        "preview": [
            {"row": row.number, "values": {k: "" if v is None else str(v) for k, v in row.values.items()}}
            for row in parsed.rows[:PREVIEW_ROWS]
        ],
    }


def import_rows(*, parsed: ParsedFile, user, progress=None) -> dict:
    """Check every row; with no error write them all in one transaction and return what was
    written (``{"created": n, ...}``). Raises ``ImportRowsInvalid`` (nothing written) when any
    row has an error, ``BusinessError`` (409, nothing written) when the stock posting is
    refused (a closed period) or a unique value was taken meanwhile."""
    check = parsed.kind.check(parsed.rows, user=user, progress=progress)
    if check.errors:
        raise ImportRowsInvalid(check.errors)
    try:
        with transaction.atomic():
            return parsed.kind.write(check.plan, user=user)
    except IntegrityError:
        raise BusinessError(
            BusinessError.DUPLICATE,
            _("A code in the file was used by another record meanwhile: nothing was imported. Try again."),
        ) from None


def import_job_create(*, kind: str, file, user) -> ImportJob:
    """Import ``file``: up to ``JXC_IMPORT_SYNC_ROWS`` rows now (the job comes back done, or
    ``ImportRowsInvalid`` is raised and nothing is kept), more as a queued job (pending; the
    task starts when this transaction commits). A file refused by ``read_import_file`` raises
    its 400 before anything is kept."""
    parsed = read_import_file(kind=kind, file=file)
    name = getattr(file, "name", "") or f"{kind}.xlsx"
    if parsed.total_rows <= settings.JXC_IMPORT_SYNC_ROWS:
        with transaction.atomic():
            result = import_rows(parsed=parsed, user=user)
            job = ImportJob(
                kind=kind,
                file_name=name,
                status=ImportStatus.DONE,
                total_rows=parsed.total_rows,
                done_rows=parsed.total_rows,
                result=result,
                created_by=user,
                finished_at=timezone.now(),
            )
            job.file.save(name, _content(file), save=False)
            job.save()
        return job
    from .tasks import run_import_job

    with transaction.atomic():
        job = ImportJob(kind=kind, file_name=name, total_rows=parsed.total_rows, created_by=user)
        job.file.save(name, _content(file), save=False)
        job.save()
        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def _content(file) -> ContentFile:
    file.seek(0)
    return ContentFile(file.read())


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a pending job: running, then done with its result or failed with its errors.

    Progress (``done_rows``) is saved every 500 checked rows outside the import's transaction
    so a page can show it; the rows themselves are written in one transaction after all were
    checked. A job that is not pending is left as it is (a task delivered twice runs once)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, done_rows=0
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done_rows=done)

    errors: list[dict] = []
    result: dict = {}
    try:
        with job.file.open("rb") as stored:
            parsed = read_import_file(kind=job.kind, file=io.BytesIO(stored.read()))
        result = import_rows(parsed=parsed, user=job.created_by, progress=progress)
    except ImportRowsInvalid as exc:
        errors = exc.errors
    except ValidationError as exc:
        errors = [{"row": None, "column": "", "field": "file", "message": m} for m in exc.messages]
    except BusinessError as exc:
        errors = [{"row": None, "column": "", "field": "", "message": exc.detail}]
    job.status = ImportStatus.FAILED if errors else ImportStatus.DONE
    job.errors = errors
    job.result = result
    job.done_rows = job.total_rows if not errors else ImportJob.objects.get(pk=job_id).done_rows
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "result", "done_rows", "finished_at"])
    return job


def import_job_fail(*, job_id: int, message: str) -> None:
    """Mark a job that could not finish (the worker's time limit) as failed."""
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED,
        errors=[{"row": None, "column": "", "field": "", "message": message}],
        finished_at=timezone.now(),
    )


def import_template(kind: str) -> bytes:
    """The .xlsx template of ``kind``: the header row, and a second sheet explaining each column."""
    spec = KINDS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(spec.title)[:31]
    bold = Font(bold=True)
    for position, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 6)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Notes"))
    notes.append([_("Column"), _("Required"), _("Notes")])
    for cell in notes[1]:
        cell.font = bold
    for column in spec.columns:
        notes.append([column.header, _("yes") if column.required else "", str(column.help)])
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["C"].width = 50
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
