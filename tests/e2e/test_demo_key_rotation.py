"""`chargelake privacy rotate-key` on a copy of the demo: after the rotation and the next build no
pseudonym of the old key is left in any file, every card keeps its sessions and energy under its new
pseudonym, the cost allocation (which reaches cost centres through the card's group) is unchanged,
and `key-status` shows every partition on the new key."""

import shutil
import subprocess
import sys
from datetime import timedelta

import duckdb
from deltalake import DeltaTable

from chargelake.pseudonymise import key_id, pseudonym, reveal
from simulator.server import SimConfig
from tests.e2e.conftest import DAYS, SEED, UNTIL
from tests.e2e.lake_copy import KEY, ROOT, lake_env, per_card, rebuild, traces

NEW_KEY = "rotated-key-0123456789abcdef0123456789abcdef"


def chargelake(root, *args, **env):
    command = list(args) if args[0] == "doctor" else ["privacy", *args]
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *command],
        env=lake_env(root, **env), cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def allocation(root) -> list[tuple]:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            "select month_start_local_date, location_key, cost_centre_id, session_count, round(energy_kwh, 6)"
            " from marts.rpt_cost_allocation order by all"
        ).fetchall()
    finally:
        con.close()


def test_rotation_rekeys_every_pseudonym_and_keeps_every_join(demo, tmp_path, monkeypatch):
    source, proc = demo
    assert proc.returncode == 0
    root = tmp_path / "copy"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("dagster"))
    network = SimConfig(seed=SEED, start=UNTIL - timedelta(days=DAYS), end=UNTIL).build()
    identifiers = {v for t in network.tokens for v in (t.uid, t.contract_id, t.visual_number) if v}
    old = {pseudonym(KEY, v) for v in identifiers}
    before, allocated = per_card(root), allocation(root)
    assert traces(root, old) and any(cc != "unallocated" for _, _, cc, _, _ in allocated)

    refused = chargelake(root, "rotate-key", CHARGELAKE_PSEUDONYM_KEY=NEW_KEY)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"key id {key_id(KEY)}" in refused.stderr and "CHARGELAKE_PSEUDONYM_KEY_PREVIOUS" in refused.stderr

    doctor = chargelake(root, "doctor", CHARGELAKE_PSEUDONYM_KEY=NEW_KEY)
    assert "[warn] pseudonym keys: raw partitions on an old key" in doctor.stdout and key_id(KEY) in doctor.stdout
    env = {"CHARGELAKE_PSEUDONYM_KEY": NEW_KEY, "CHARGELAKE_PSEUDONYM_KEY_PREVIOUS": KEY}
    rotated = chargelake(root, "rotate-key", "--vacuum-now", **env)
    assert rotated.returncode == 0, rotated.stderr[-3000:]
    assert f"from key {key_id(KEY)} to key {key_id(NEW_KEY)}" in rotated.stdout and "ocpi/cdrs" in rotated.stdout
    rebuild(root, monkeypatch, key=NEW_KEY)

    assert traces(root, old) == []
    after = per_card(root)
    assert after == {pseudonym(NEW_KEY, reveal([KEY], k)) if k else k: v for k, v in before.items()}
    assert allocation(root) == allocated
    status = chargelake(root, "key-status", CHARGELAKE_PSEUDONYM_KEY=NEW_KEY)
    assert status.returncode == 0 and "OLD" not in status.stdout and "ocpi/sessions: key" in status.stdout
    doctor = chargelake(root, "doctor", **env)
    assert "[  ok] pseudonym keys: no partition uses the previous key" in doctor.stdout
    again = chargelake(root, "rotate-key", **env)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    audit = DeltaTable(str(root / "lake" / "audit" / "key_rotations")).to_pandas()
    assert len(audit) == 1 and audit["from_key_ids"].iloc[0] == key_id(KEY)
    assert audit["to_key_id"].iloc[0] == key_id(NEW_KEY) and audit["vacuumed"].iloc[0]
    # A card's erasure after the rotation finds it by a pseudonym the marts showed before it.
    card = max(network.tokens, key=lambda t: before.get(pseudonym(KEY, t.uid), (0, 0))[0])
    erased = chargelake(root, "erase", "--token", pseudonym(KEY, card.uid), **env)
    assert erased.returncode == 0 and "ocpi/tokens: 1" in erased.stdout, erased.stderr[-2000:]
