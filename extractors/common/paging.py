"""RFC 8288 `Link: <url>; rel="next"` paging, guarded so credentials never leave the origin."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from extractors.common.errors import SourceError

_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")


def next_link(header: str | None) -> str | None:
    """The target of the `rel="next"` entry of a Link header, if any."""
    if not header:
        return None
    for match in _LINK.finditer(header):
        params = match.group(2)
        if re.search(r';\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?', params):
            return match.group(1).strip()
    return None


def same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


def checked_next(current_url: str, header: str | None) -> str | None:
    """Next page URL; refuses a link to another origin (the token would be sent there)."""
    nxt = next_link(header)
    if nxt and not same_origin(current_url, nxt):
        raise SourceError(f"refusing Link rel=next to another origin ({urlsplit(nxt).netloc})", current_url)
    return nxt
