"""The OCPI client against the simulator over HTTP: discovery, paging, auth, retries, envelope errors."""

from datetime import UTC, datetime

import pytest

from extractors.common.errors import SourceError
from extractors.ocpi.helpers import OcpiClient, ocpi_datetime
from tests.conftest import SIM_PAGE_LIMIT, SIM_TOKEN, served

START, END = datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC)
PARAMS = {"date_from": ocpi_datetime(START), "date_to": ocpi_datetime(END), "offset": 0, "limit": 100}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")


def sessions_url(sim) -> str:
    return OcpiClient(sim.versions_url, SIM_TOKEN).negotiate().endpoints["sessions"]


def test_discovery_lists_all_five_modules(simulator):
    endpoints = OcpiClient(simulator.versions_url, SIM_TOKEN).negotiate().endpoints
    assert {"locations", "sessions", "cdrs", "tariffs", "tokens"} <= set(endpoints)


def test_paging_honours_x_limit_and_returns_every_object_once(simulator):
    client = OcpiClient(simulator.versions_url, SIM_TOKEN)
    pages = list(client.pages(sessions_url(simulator), PARAMS))
    assert len(pages) > 2
    assert all(len(p.records) <= SIM_PAGE_LIMIT for p in pages)
    got = [r["id"] for p in pages for r in p.records]
    assert got == [s["id"] for s in served("sessions", START, END)]
    assert all(START.isoformat()[:10] <= r["last_updated"][:10] for p in pages for r in p.records)


def test_wrong_token_is_refused_with_401_and_not_leaked(simulator):
    with pytest.raises(SourceError, match="401") as err:
        OcpiClient(simulator.versions_url, "not-the-token").negotiate()
    assert "not-the-token" not in str(err.value)


def test_plain_token_is_refused_by_a_base64_server(simulator):
    with pytest.raises(SourceError, match="401"):
        OcpiClient(simulator.versions_url, SIM_TOKEN, plain_token=True).negotiate()


def test_transient_5xx_and_429_are_retried(simulator, faults):
    url = sessions_url(simulator)
    faults(
        [
            {"module": "sessions", "kind": "http_503", "times": 2, "offset": 5},
            {"module": "sessions", "kind": "http_429", "times": 1, "offset": 10},
        ]
    )
    got = [r["id"] for p in OcpiClient(simulator.versions_url, SIM_TOKEN).pages(url, PARAMS) for r in p.records]
    assert got == [s["id"] for s in served("sessions", START, END)]


def test_persistent_5xx_fails_naming_the_page(simulator, faults, monkeypatch):
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "2")
    url = sessions_url(simulator)
    faults([{"module": "sessions", "kind": "http_500", "times": 5, "offset": 5}])
    with pytest.raises(SourceError, match=r"HTTP 500.*offset=5"):
        list(OcpiClient(simulator.versions_url, SIM_TOKEN).pages(url, PARAMS))


def test_ocpi_error_status_in_http_200_is_rejected(simulator, faults):
    url = sessions_url(simulator)
    faults([{"module": "sessions", "kind": "envelope_error", "times": 1, "offset": 5}])
    with pytest.raises(SourceError, match=r"status_code 3000.*offset=5"):
        list(OcpiClient(simulator.versions_url, SIM_TOKEN).pages(url, PARAMS))
