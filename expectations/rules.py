"""The shape every suite shares: a table's rules as data, turned into a GE ExpectationSuite.

Knowing one table's rules teaches all of them; a new raw table adds a `TableRules`, not code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import great_expectations as gx
import pandas as pd

# Another table of the same source, for cross-table checks: `related(table, columns)` gives its rows
# as this run landed them, else as last published (None if neither exists).
Related = Callable[[str, list[str]], "pd.DataFrame | None"]

# Row conditions of `required_when` refer to the API version.
API_COLUMNS = ("_api_version",)


@dataclass(frozen=True)
class TableRules:
    source: str
    table: str
    key: tuple[str, ...]  # unique per landed partition (with the window column: every version kept)
    required: tuple[str, ...]  # columns that must exist and never be null
    required_when: dict[str, str] = field(default_factory=dict)  # column -> pandas row condition
    non_negative: tuple[str, ...] = ()
    maximums: dict[str, float] = field(default_factory=dict)  # plausibility bounds (units as in the column)
    enums: dict[str, frozenset[str]] = field(default_factory=dict)
    window_column: str | None = "last_updated"
    not_before: tuple[tuple[str, str], ...] = ()  # (a, b): a >= b in every row (received after measured)
    # Checks across rows or tables (a register's order, power against the EVSE's maximum): adds
    # boolean columns that must be False, and returns counts of what is flagged but not failed. It is
    # given the rows and a `Related` to read another table of the same source (landed or published).
    derive: Callable[[pd.DataFrame, Related], tuple[pd.DataFrame, dict]] | None = None
    must_be_false: tuple[str, ...] = ()
    derive_reads: tuple[str, ...] = ()  # columns `derive` needs

    def columns(self) -> set[str]:
        """Every column the suite reads (the gate converts only these for validation)."""
        cols = {*self.key, *self.required, *self.required_when, *self.non_negative, *self.maximums, *self.enums}
        cols |= {c for pair in self.not_before for c in pair}
        if self.window_column:
            cols.add(self.window_column)
        if self.derive is not None:
            cols |= set(self.derive_reads)
        cols |= set(API_COLUMNS)
        return cols

    @property
    def suite_name(self) -> str:
        return f"{self.source}.{self.table}"


def build_suite(rules: TableRules, window: tuple[datetime, datetime] | None) -> gx.ExpectationSuite:
    """The suite for one partition: the window bounds come from the run, the rest from the rules."""
    e = gx.expectations
    items: list = []
    for col in rules.required:
        items.append(e.ExpectColumnToExist(column=col))
        items.append(e.ExpectColumnValuesToNotBeNull(column=col))
    for col, condition in sorted(rules.required_when.items()):
        items.append(e.ExpectColumnToExist(column=col))
        items.append(e.ExpectColumnValuesToNotBeNull(column=col, row_condition=condition, condition_parser="pandas"))
    if len(rules.key) == 1:
        items.append(e.ExpectColumnValuesToBeUnique(column=rules.key[0]))
    else:
        items.append(e.ExpectCompoundColumnsToBeUnique(column_list=list(rules.key)))
    for col in rules.non_negative:
        items.append(e.ExpectColumnValuesToBeBetween(column=col, min_value=0))
    for col, top in sorted(rules.maximums.items()):
        items.append(e.ExpectColumnValuesToBeBetween(column=col, max_value=top))
    for col, allowed in sorted(rules.enums.items()):
        items.append(e.ExpectColumnValuesToBeInSet(column=col, value_set=sorted(allowed)))
    for col in rules.must_be_false:
        items.append(e.ExpectColumnValuesToBeInSet(column=col, value_set=[False]))
    for later, earlier in rules.not_before:
        items.append(e.ExpectColumnPairValuesAToBeGreaterThanB(column_A=later, column_B=earlier, or_equal=True))
    if rules.window_column and window:
        start, end = window
        items.append(
            e.ExpectColumnValuesToBeBetween(column=rules.window_column, min_value=start, max_value=end, strict_max=True)
        )
    return gx.ExpectationSuite(name=rules.suite_name, expectations=items)
