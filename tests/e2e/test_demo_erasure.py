"""`chargelake privacy erase` on a copy of the demo: every trace of one simulator card is gone from the
lake (raw, its Delta logs, landing, quarantine, audit, mart exports) and the warehouses after the
next build, whatever the file format, while the other cards' figures are unchanged."""

import shutil
import subprocess
import sys

import duckdb

from chargelake.pseudonymise import pseudonym
from simulator.server import SimConfig
from tests.e2e.conftest import DAYS, SEED, UNTIL
from tests.e2e.lake_copy import KEY, ROOT, lake_env, per_card, rebuild, traces


def test_erasure_removes_every_trace_of_one_card_and_keeps_the_others(demo, tmp_path, monkeypatch):
    from datetime import timedelta

    source, proc = demo
    assert proc.returncode == 0
    root = tmp_path / "copy"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("dagster"))
    before = per_card(root)
    network = SimConfig(seed=SEED, start=UNTIL - timedelta(days=DAYS), end=UNTIL).build()
    card = max(network.tokens, key=lambda t: before.get(pseudonym(KEY, t.uid), (0, 0))[0])
    needles = {pseudonym(KEY, v) for v in (card.uid, card.contract_id, card.visual_number)}
    assert before[pseudonym(KEY, card.uid)][0] > 0 and traces(root, needles)

    env = lake_env(root)
    erased = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "privacy", "erase", "--token", card.uid, "--vacuum-now"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert erased.returncode == 0, erased.stderr[-3000:]
    assert "ocpi/sessions" in erased.stdout and "ocpi/tokens: 1" in erased.stdout
    rebuild(root, monkeypatch)

    assert traces(root, needles | {card.uid, card.contract_id}) == []
    after = per_card(root)
    assert pseudonym(KEY, card.uid) not in after
    assert after == {k: v for k, v in before.items() if k != pseudonym(KEY, card.uid)}
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        energy = float(con.execute("select sum(energy_consumption_mwh) from marts.rpt_csrd_e1").fetchone()[0])
    finally:
        con.close()
    assert energy > 0
    from deltalake import DeltaTable

    audit = DeltaTable(str(root / "lake" / "audit" / "erasures")).to_pandas()
    assert len(audit) == 1 and audit["vacuumed"].iloc[0] and "ocpi/cdrs" in audit["table_rows"].iloc[0]
