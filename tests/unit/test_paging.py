import pytest

from extractors.common.errors import SourceError
from extractors.common.paging import checked_next, next_link, same_origin


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            '<https://x.test/ocpi/cpo/2.2.1/cdrs/?offset=150&limit=50>; rel="next"',
            "https://x.test/ocpi/cpo/2.2.1/cdrs/?offset=150&limit=50",
        ),
        ('<https://x.test/a?p=1>; rel="prev", <https://x.test/a?p=3>; rel="next"', "https://x.test/a?p=3"),
        ("<https://x.test/a?p=3>; rel=next", "https://x.test/a?p=3"),
        ('<https://x.test/a?p=3>; title="x"; rel="last next"', "https://x.test/a?p=3"),
        ('<https://x.test/a?p=1>; rel="prev"', None),
        ("", None),
        (None, None),
    ],
)
def test_next_link(header, expected):
    assert next_link(header) == expected


def test_same_origin_compares_scheme_host_and_port():
    assert same_origin("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b?x=1")
    assert not same_origin("http://127.0.0.1:8000/a", "http://127.0.0.1:8001/a")
    assert not same_origin("http://127.0.0.1:8000/a", "https://127.0.0.1:8000/a")
    assert not same_origin("http://127.0.0.1:8000/a", "http://evil.test:8000/a")


def test_link_to_another_host_is_refused_before_any_request():
    with pytest.raises(SourceError, match=r"another origin.*evil\.test"):
        checked_next("http://127.0.0.1:8000/ocpi/cpo/2.2.1/cdrs", '<http://evil.test/steal?offset=10>; rel="next"')
