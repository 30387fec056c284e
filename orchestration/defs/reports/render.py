"""Writing report tables as an Excel workbook (openpyxl), CSV files and an offline HTML page (Jinja2,
with matplotlib charts inlined as SVG): well-kept libraries, no hand-written file formats, no CDN."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import fsspec
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TEMPLATES = Path(__file__).with_name("templates")


def _cell(value):
    """A value openpyxl and JSON both take: no pandas NA, NaN or numpy scalars."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, Decimal):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def records(df: pd.DataFrame) -> list[dict]:
    return [{k: _cell(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def write_workbook(fs: fsspec.AbstractFileSystem, path: str, about: list[tuple[str, str]], tables: dict) -> None:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "About"
    for key, value in about:
        sheet.append([key, value])
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    for name, df in tables.items():
        ws = wb.create_sheet(name[:31])
        ws.append(list(df.columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in records(df):
            ws.append([_cell(row[c]) for c in df.columns])
        ws.freeze_panes = "A2"
        for i, column in enumerate(df.columns, start=1):
            width = max([len(str(column)), *(len(str(v)) for v in df[column].head(200))]) + 2
            ws.column_dimensions[get_column_letter(i)].width = min(width, 60)
    buf = io.BytesIO()
    wb.save(buf)
    with fs.open(path, "wb") as fh:
        fh.write(buf.getvalue())


def write_csvs(fs: fsspec.AbstractFileSystem, folder: str, prefix: str, tables: dict) -> list[str]:
    paths = []
    for name, df in tables.items():
        path = f"{folder}/{prefix}_{name.lower().replace(' ', '_')}.csv"
        with fs.open(path, "w") as fh:
            df.to_csv(fh, index=False)
        paths.append(path)
    return paths


def svg_chart(draw: Callable) -> str:
    """An SVG string of a matplotlib figure drawn by `draw(ax)`; the XML prologue removed for inlining."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.6))
    try:
        draw(ax)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    finally:
        plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_html(fs: fsspec.AbstractFileSystem, path: str, template: str, context: dict, data: dict) -> None:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = lambda v, digits=3: "" if v is None else f"{float(v):,.{digits}f}"
    payload = json.dumps(data, default=_json_default).replace("</", "<\\/")
    html = env.get_template(template).render(**context, data_json=payload)
    with fs.open(path, "w") as fh:
        fh.write(html)
