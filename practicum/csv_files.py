"""CSV in and out: exports that spreadsheets cannot run as formulas, and bounded imports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from practicum.errors import ValidationFailed

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet set to another locale splits cells on ";" or tab, not only ",": text after any
# separator (or line break) may become a cell of its own, so a formula there is neutralised too.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n][ \"]*)([=+\-@])")
MAX_IMPORT_ROWS = 500  # each new account costs a password hash (~90 ms)


def safe_cell(value) -> object:
    """Return a cell a spreadsheet shows as text in any locale: formula characters get a quote."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    value = _FORMULA_AFTER_SEPARATOR.sub(r"\1'\2", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    """Write a header and rows as CSV text, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def csv_download(text: str, filename: str):
    """Return CSV text as a download named filename (a Flask response, for both edges)."""
    from flask import Response

    return Response(
        text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def read_csv(data: bytes, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Parse uploaded CSV (UTF-8, header row) into dicts with trimmed, lower-case keys."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The file is not UTF-8 text; save it as 'CSV UTF-8'.") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationFailed(
            f"The header row lacks: {', '.join(missing)}.", {"columns": f"required: {', '.join(required)}"}
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        if len(rows) >= MAX_IMPORT_ROWS:
            raise ValidationFailed(f"The file has more than {MAX_IMPORT_ROWS} rows; split it.")
        rows.append({k: (v or "").strip() for k, v in row.items() if k})
    return rows
