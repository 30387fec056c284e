"""Run a suite on a landed partition (pandas, in an ephemeral GE context) and keep the result.

GE's SQL datasource fails on DuckDB, so the data is validated as a DataFrame. The result JSON is
written to `audit/validations/<run_id>/` where auditors and the publication row find it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import pandas as pd
import pyarrow as pa

from chargelake.lake import Lake
from expectations.rules import Related, TableRules, build_suite


@dataclass(frozen=True)
class ValidationOutcome:
    suite: str
    success: bool
    rows: int
    result_path: str
    evaluated: int
    failures: list[str] = field(default_factory=list)
    flags: dict = field(default_factory=dict)  # flagged, not failed (e.g. register resets)

    def summary(self) -> str:
        if self.success:
            return f"{self.suite}: {self.evaluated} expectations passed on {self.rows} rows"
        return f"{self.suite}: {len(self.failures)} of {self.evaluated} expectations failed: " + "; ".join(
            self.failures
        )


@cache
def _quiet_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@cache
def _batch_definition(suite_name: str):
    """One GE context per process, one dataframe asset per suite: creating them for every validated
    day cost time and left memory behind (library caches warmed per context)."""
    source = _quiet_context().data_sources.add_pandas(name=f"landed:{suite_name}")
    asset = source.add_dataframe_asset(name=suite_name)
    return asset.add_batch_definition_whole_dataframe("partition")


def _describe(result, key: tuple[str, ...]) -> str:
    cfg = result.expectation_config
    kwargs = {
        k: v
        for k, v in cfg.kwargs.items()
        if k in ("column", "column_list", "column_A", "column_B", "value_set", "min_value", "max_value")
    }
    res = result.result or {}
    ids = res.get("partial_unexpected_index_list") or []
    examples = ["/".join(str(row.get(k)) for k in key if k in row) for row in ids[:5] if isinstance(row, dict)]
    shown = (
        f", e.g. records {examples}"
        if examples
        else (
            f", e.g. values {res.get('partial_unexpected_list', [])[:5]}" if res.get("partial_unexpected_list") else ""
        )
    )
    count = res.get("unexpected_count")
    counted = f" ({count} rows)" if count is not None else ""
    return f"{cfg.type}{kwargs}{counted}{shown}"


def validation_frame(table: pa.Table, columns: set[str] | None = None) -> pd.DataFrame:
    """The landed rows as GE validates them: only the columns the suite reads (a column it requires
    but the table lacks stays absent, so the suite reports it). Decimals become floats here only:
    range checks need no exactness, and pandas would otherwise hold them as Python objects."""
    if columns is not None:
        table = table.select([c for c in table.column_names if c in columns])
    fields = [pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f for f in table.schema]
    return table.cast(pa.schema(fields)).to_pandas()


def result_path_for(lake: Lake, run_id: str, suite: str) -> str:
    """Where a run's GE result for a suite is kept (audit/validations/<run_id>/<suite>.json)."""
    return f"{lake.validations(run_id)}/{suite}.json"


def data_docs_path(result_path: str) -> str:
    """The GE Data Docs page of a result, beside its JSON (audit/validations/<run_id>/<suite>.html)."""
    return result_path.removesuffix(".json") + ".html"


@cache
def _page_view():
    """One GE page view per process: each new view builds a Jinja environment that compiles its 17
    templates again (0.09 s a page, more than validating a small table)."""
    from great_expectations.render.view import DefaultJinjaPageView

    return DefaultJinjaPageView()


def write_data_docs(lake: Lake, result, result_path: str) -> None:
    """GE's own Data Docs rendering of the result, for people: the JSON stays the record. A page
    that cannot be rendered is logged, never a reason to refuse or quarantine a day."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer

    try:
        html = _page_view().render(ValidationResultsPageRenderer().render(result))
        with lake.filesystem().open(data_docs_path(result_path), "w") as fh:
            fh.write(html)
    except Exception as exc:  # a rendering library's error of any kind: the validation itself stands
        logging.getLogger(__name__).warning(f"no Data Docs page for {result_path}: {exc}")


def validate_frame(
    df: pd.DataFrame,
    rules: TableRules,
    window: tuple[datetime, datetime] | None,
    lake: Lake,
    run_id: str,
    related: Related | None = None,
) -> ValidationOutcome:
    result_path = result_path_for(lake, run_id, rules.suite_name)
    flags: dict = {}
    if rules.derive is not None:
        df, flags = rules.derive(df, related or (lambda table, columns: None))
    suite = build_suite(rules, window)
    batch = _batch_definition(rules.suite_name).get_batch(batch_parameters={"dataframe": df})
    key_cols = [c for c in rules.key if c in df.columns]
    result = batch.validate(
        suite,
        result_format={"result_format": "SUMMARY", "unexpected_index_column_names": key_cols},
    )
    failures = [_describe(r, rules.key) for r in result.results if not r.success]
    with lake.filesystem().open(result_path, "w") as fh:
        json.dump(result.to_json_dict(), fh, indent=1, default=str)
    write_data_docs(lake, result, result_path)
    return ValidationOutcome(
        rules.suite_name, bool(result.success), len(df), result_path, len(result.results), failures, flags
    )
