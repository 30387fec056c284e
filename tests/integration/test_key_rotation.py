"""Key rotation on a small hand-made raw zone: a partition whose file mixes two keys (a run that
straddled the key change) is found although its statistics cannot tell, only old-key values are
re-keyed, other columns and the publishing run are kept, and an unknown key stops it before writing."""

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from chargelake.config import ConfigError
from chargelake.lake import Lake
from chargelake.pseudonymise import key_id, pseudonym, reveal
from expectations.unchanged import read_partition
from orchestration.housekeeping.privacy.rotate import key_status, rotate

OLD, NEW, OTHER = "old-key-" + "o" * 32, "new-key-" + "n" * 32, "other-key-" + "x" * 32


def sessions(lake: Lake, rows: list[tuple[str, str, str]]) -> str:
    uri = lake.raw("ocpi", "sessions")
    data = pa.table(
        {
            "id": [f"S{i}" for i in range(len(rows))],
            "cdr_token__uid": [uid for _, uid, _ in rows],
            "cdr_token__type": ["RFID"] * len(rows),
            "_run_id": [run for run, _, _ in rows],
            "partition_date": [day for _, _, day in rows],
        }
    )
    write_deltalake(uri, data, partition_by=["partition_date"], mode="append")
    return uri


def test_mixed_partitions_are_found_and_only_old_values_rekeyed(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    uri = sessions(
        lake,
        [
            ("run-1", pseudonym(OLD, "CARD-1"), "2026-11-01"),
            ("run-2", pseudonym(OLD, "CARD-2"), "2026-11-02"),
            ("run-2", pseudonym(NEW, "CARD-3"), "2026-11-02"),
            ("run-3", pseudonym(NEW, "CARD-4"), "2026-11-03"),
        ],
    )
    assert key_status(lake) == {
        "ocpi/sessions": {key_id(OLD): ["2026-11-01", "2026-11-02"], key_id(NEW): ["2026-11-02", "2026-11-03"]}
    }
    refusal = f"ocpi/sessions partition 2026-11-01 holds pseudonyms of key id {key_id(OLD)}"
    with pytest.raises(ConfigError, match=refusal):
        rotate(lake, NEW, None)
    version = DeltaTable(uri).version()
    with pytest.raises(ConfigError, match="is another key"):
        rotate(lake, NEW, OTHER)
    assert DeltaTable(uri).version() == version  # refused before writing anything

    rotation = rotate(lake, NEW, OLD)
    assert rotation.values == 2 and rotation.table_partitions == {"ocpi/sessions": ["2026-11-01", "2026-11-02"]}
    assert key_status(lake) == {"ocpi/sessions": {key_id(NEW): ["2026-11-01", "2026-11-02", "2026-11-03"]}}
    day2 = read_partition(lake, uri, "2026-11-02").sort_by("id").to_pylist()
    assert [reveal([NEW], r["cdr_token__uid"]) for r in day2] == ["CARD-2", "CARD-3"]
    assert [r["_run_id"] for r in day2] == ["run-2", "run-2"] and {r["cdr_token__type"] for r in day2} == {"RFID"}
    assert DeltaTable(uri).version() == version + 2  # one commit per rewritten partition; day 3 untouched
    assert rotate(lake, NEW, OLD).lines()[0].endswith("nothing to do")
