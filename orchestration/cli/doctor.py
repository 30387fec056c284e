"""`chargelake doctor`: one line per thing a run needs (configuration, key, lake, warehouse, each
source's reachability and credentials), each with a verdict, before a night's run finds out.

Requests are made once with a short timeout (no retries): a doctor should answer in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chargelake.config import ConfigError, Settings

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"


@dataclass
class Check:
    name: str
    verdict: str
    message: str

    def line(self) -> str:
        return f"  [{self.verdict:>4}] {self.name}: {self.message}"


def _attempt(name: str, probe: Callable[[], str]) -> Check:
    from extractors.common.errors import SourceError

    try:
        return Check(name, OK, probe())
    except (SourceError, ConfigError) as exc:
        return Check(name, FAIL, str(exc))


def _key(settings: Settings) -> Check:
    from chargelake.config import DEMO_PSEUDONYM_KEY, MAKE_A_KEY, MIN_KEY_LENGTH

    if settings.pseudonym_key == DEMO_PSEUDONYM_KEY:
        return Check(
            "pseudonyms",
            FAIL,
            f"CHARGELAKE_PSEUDONYM_KEY is not set (or is the public demo key): runs will refuse to start; {MAKE_A_KEY}",
        )
    if len(settings.pseudonym_key) < MIN_KEY_LENGTH:
        return Check(
            "pseudonyms",
            FAIL,
            f"the key has {len(settings.pseudonym_key)} characters, fewer than {MIN_KEY_LENGTH}: "
            "runs will refuse to start",
        )
    return Check("pseudonyms", OK, "key set (not shown)")


def _key_use(settings: Settings) -> Check:
    """Which keys the lake's pseudonyms were made with (from the Delta log's statistics): a partition
    on an old key needs `privacy rotate-key`; a previous key nothing uses any more can be destroyed."""
    from chargelake.lake import Lake
    from chargelake.pseudonymise import key_id
    from orchestration.housekeeping.privacy.rotate import key_status

    current = key_id(settings.pseudonym_key)
    try:
        status = key_status(Lake(settings.lake_url))
    except Exception as exc:  # the lake check above says why the lake cannot be read
        return Check("pseudonym keys", WARN, f"could not read the raw zone: {str(exc).splitlines()[0]}")
    used: dict[str, int] = {}
    for by_key in status.values():
        for kid, days in by_key.items():
            used[kid] = used.get(kid, 0) + len(days)
    old = {kid: n for kid, n in used.items() if kid != current}
    if old:
        listed = ", ".join(f"{n} on key id {kid}" for kid, n in sorted(old.items()))
        return Check(
            "pseudonym keys", WARN, f"raw partitions on an old key ({listed}): run `chargelake privacy rotate-key`"
        )
    if settings.previous_pseudonym_key:
        done = "no partition uses the previous key: unset CHARGELAKE_PSEUDONYM_KEY_PREVIOUS and destroy it"
        return Check("pseudonym keys", OK, done)
    return Check("pseudonym keys", OK, f"{sum(used.values())} partitions with pseudonyms, all on key id {current}")


def _lake(settings: Settings) -> Check:
    from chargelake.lake import Lake
    from expectations.audit import read_publications

    def probe() -> str:
        settings.lake().check_writable()
        lake = Lake(settings.lake_url)
        published = read_publications(lake).num_rows if lake.filesystem().exists(lake.publications()) else 0
        return f"{settings.lake_url} is writable; {published} publication rows"

    return _attempt("lake", probe)


def _warehouse(settings: Settings) -> Check:
    path = Path(settings.warehouse_path)
    if not path.exists():
        return Check("warehouse", WARN, f"{path} is not built yet (the first run builds it)")
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            (marts,) = con.execute(
                "select count(*) from information_schema.tables where table_schema = 'marts'"
            ).fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        return Check("warehouse", FAIL, f"{path} cannot be read: {str(exc).splitlines()[0]}")
    built = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0)
    return Check("warehouse", OK, f"{path}: {marts} marts, built {built.isoformat()}")


def _ocpi(settings: Settings) -> Check:
    if not settings.ocpi_url or not settings.ocpi_token:
        return Check("ocpi", FAIL, "CHARGELAKE_OCPI_URL and CHARGELAKE_OCPI_TOKEN are required for `run`")

    def probe() -> str:
        from extractors.ocpi.helpers import OcpiClient

        negotiated = OcpiClient(settings.ocpi_url, settings.ocpi_token, settings.ocpi_token_plain).negotiate()
        modules = ", ".join(sorted(negotiated.endpoints))
        return f"OCPI {negotiated.version} at {settings.ocpi_url}, token accepted; modules {modules}"

    return _attempt("ocpi", probe)


def _telemetry(settings: Settings) -> Check:
    if not settings.telemetry_url:
        return Check("telemetry", SKIP, "not configured (meter values, alarms: CHARGELAKE_TELEMETRY_URL)")

    def probe() -> str:
        from extractors.telemetry.helpers import TelemetryClient

        TelemetryClient(settings.telemetry_url, settings.telemetry_token or "").body("charge-points", {"limit": 1})
        return f"{settings.telemetry_url} reachable, token accepted"

    return _attempt("telemetry", probe)


def _ocpp_logs(settings: Settings) -> Check:
    if not settings.ocpp_log_url:
        return Check("ocpp logs", SKIP, "not configured (OCPP-J message logs: CHARGELAKE_OCPP_LOG_URL)")

    def probe() -> str:
        from extractors.common.errors import SourceError
        from extractors.ocpp_logs.helpers import list_log_files

        try:
            files = list_log_files(settings.ocpp_log_url)
        except OSError as exc:
            raise SourceError(f"{settings.ocpp_log_url} cannot be listed: {exc}") from None
        if not files:
            raise SourceError(
                f"no log files (*.jsonl, *.ndjson, *.json, *.log, *.txt, gzip or not) under {settings.ocpp_log_url}"
            )
        days = sorted(f.day for f in files)
        return f"{len(files)} log files under {settings.ocpp_log_url}, days {days[0]}..{days[-1]}"

    return _attempt("ocpp logs", probe)


def _carbon(settings: Settings) -> list[Check]:
    if not settings.carbon_zones:
        return [Check("carbon", SKIP, "not configured (CHARGELAKE_CARBON_ZONES)")]
    from extractors.carbon import _client
    from extractors.carbon.helpers import EmClient, GbClient

    gb = GbClient(settings.carbon_gb_url) if settings.carbon_gb_url else None
    em = EmClient(settings.carbon_em_url, settings.carbon_em_token or "") if settings.carbon_em_url else None
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    checks = []
    for zone in settings.carbon_zones:
        client = _client(zone, gb, em)
        if client is None:
            checks.append(Check(f"carbon {zone}", FAIL, f"no intensity source for zone {zone}: set its API URL"))
            continue

        def probe(client=client, zone=zone) -> str:
            rows = sum(1 for _ in client.rows(zone, end - timedelta(hours=3), end))
            return f"{rows} intensity periods in the last 3 hours"

        checks.append(_attempt(f"carbon {zone}", probe))
    return checks


def run_doctor() -> tuple[list[Check], bool]:
    from extractors.common.http import single_attempt

    # One quick attempt per source (no retries, a 10 s timeout); the process's own runs keep theirs.
    with single_attempt(timeout=10):
        return _checks()


def _checks() -> tuple[list[Check], bool]:
    try:
        settings = Settings.from_env(needs_key=False)  # the key gets its own verdict
    except ConfigError as exc:
        return [Check("config", FAIL, str(exc))], False
    checks = [Check("config", OK, "environment parses"), _key(settings), _lake(settings), _key_use(settings)]
    checks.append(_warehouse(settings))
    checks += [_ocpi(settings), _telemetry(settings), _ocpp_logs(settings), *_carbon(settings)]
    return checks, all(c.verdict != FAIL for c in checks)
