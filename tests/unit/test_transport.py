"""Token auth, the OCPI envelope and redaction, without a server: responses are built by hand."""

import base64
import json

import pytest
import requests

from extractors.common.errors import SourceError, redact_text, redact_url
from extractors.ocpi.helpers import OcpiClient, auth_header


def response(status: int, body, url: str = "http://127.0.0.1:9/ocpi/cpo/2.2.1/sessions?offset=20") -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    resp.url = url
    resp.reason = "X"
    return resp


@pytest.fixture
def client(monkeypatch):
    c = OcpiClient("http://127.0.0.1:9/ocpi/versions", "s3cret-token")
    return c


def serve(monkeypatch, client, resp):
    monkeypatch.setattr(client.session, "get", lambda *a, **k: resp)


def test_auth_header_is_base64_by_default_and_plain_on_request():
    assert auth_header("abc") == {"Authorization": "Token " + base64.b64encode(b"abc").decode()}
    assert auth_header("abc", plain=True) == {"Authorization": "Token abc"}


def test_client_session_sends_the_token_header(client):
    assert client.session.headers["Authorization"] == "Token " + base64.b64encode(b"s3cret-token").decode()


def test_success_envelope_returns_data(monkeypatch, client):
    serve(monkeypatch, client, response(200, {"data": [{"id": "1"}], "status_code": 1000, "status_message": "ok"}))
    data, _ = client.envelope("http://127.0.0.1:9/x")
    assert data == [{"id": "1"}]


def test_http_200_with_error_status_code_is_rejected_naming_the_page(monkeypatch, client):
    serve(monkeypatch, client, response(200, {"data": None, "status_code": 3001, "status_message": "backend down"}))
    with pytest.raises(SourceError) as err:
        client.envelope("http://127.0.0.1:9/x")
    message = str(err.value)
    assert "status_code 3001" in message and "backend down" in message
    assert "sessions?offset=20" in message


def test_401_says_the_token_was_refused_without_showing_it(monkeypatch, client):
    serve(monkeypatch, client, response(401, {"data": None, "status_code": 2000, "status_message": "Unauthorized"}))
    with pytest.raises(SourceError, match=r"401.*refused") as err:
        client.envelope("http://127.0.0.1:9/x")
    assert "s3cret" not in str(err.value)


def test_truncated_json_is_a_clear_error(monkeypatch, client):
    serve(monkeypatch, client, response(200, b'{"data": [{"id": "1"}, {"id'))
    with pytest.raises(SourceError, match="not valid JSON"):
        client.envelope("http://127.0.0.1:9/x")


def routes(monkeypatch, client, table: dict[str, dict]):
    """Answer GETs by URL; record the Authorization header each request carried."""
    seen = []

    def get(url, params=None):
        seen.append((url, client.session.headers["Authorization"]))
        return response(200, {"data": table[url], "status_code": 1000}, url)

    monkeypatch.setattr(client.session, "get", get)
    return seen


def details(version: str) -> dict:
    return {
        "version": version,
        "endpoints": [
            {"identifier": "sessions", "role": "SENDER", "url": f"http://127.0.0.1:9/{version}/sessions"},
            {"identifier": "tokens", "role": "RECEIVER", "url": f"http://127.0.0.1:9/{version}/tokens"},
        ],
    }


def test_versions_we_do_not_speak_are_refused_in_one_sentence(monkeypatch, client):
    routes(monkeypatch, client, {client.versions_url: [{"version": "2.0", "url": "u"}]})
    with pytest.raises(SourceError, match=r"offers OCPI 2\.0; ChargeLake speaks 2\.2\.1, 2\.2, 2\.1\.1"):
        client.negotiate()


def test_the_highest_mutual_version_is_chosen(monkeypatch, client):
    routes(
        monkeypatch,
        client,
        {
            client.versions_url: [
                {"version": "2.1.1", "url": "http://127.0.0.1:9/2.1.1"},
                {"version": "2.2.1", "url": "http://127.0.0.1:9/2.2.1"},
                {"version": "3.0", "url": "http://127.0.0.1:9/3.0"},
            ],
            "http://127.0.0.1:9/2.2.1": details("2.2.1"),
        },
    )
    agreed = client.negotiate()
    assert agreed.version == "2.2.1"
    assert agreed.endpoints == {"sessions": "http://127.0.0.1:9/2.2.1/sessions"}
    assert "RECEIVER" in agreed.not_sent["tokens"]


def test_a_211_cpo_gets_its_token_as_is(monkeypatch, client):
    seen = routes(
        monkeypatch,
        client,
        {
            client.versions_url: [{"version": "2.1.1", "url": "http://127.0.0.1:9/2.1.1"}],
            "http://127.0.0.1:9/2.1.1": {
                "version": "2.1.1",
                "endpoints": [{"identifier": "cdrs", "url": "http://127.0.0.1:9/2.1.1/cdrs"}],
            },
        },
    )
    agreed = client.negotiate()
    assert agreed.version == "2.1.1" and agreed.endpoints == {"cdrs": "http://127.0.0.1:9/2.1.1/cdrs"}
    assert seen[-1] == ("http://127.0.0.1:9/2.1.1", "Token s3cret-token")
    assert client.session.headers["Authorization"] == "Token s3cret-token"


def test_redaction_of_urls_and_text():
    assert redact_url("https://user:pw@h.test/a?token=abc&offset=1") == "https://h.test/a?token=%2A%2A%2A&offset=1"
    assert "abc123xyz" not in redact_text("header Token abc123xyz failed")
    assert redact_text("bad key K3Y!", "K3Y!") == "bad key ***"
