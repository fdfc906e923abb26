"""ETags that name the database revision their answer was made at.

A client that fetched through a server on the primary (or on a replica further ahead) holds a tag of
a revision a lagging replica has not replayed yet. Reading the revision back from the tag lets that
replica answer 503 + Retry-After (edge/lagging.py) instead of a 200 that would hand the client an
older calendar than the one it has. The digest after the revision keeps the tag exact: it changes
with everything else that changes the bytes (path, options, render version).
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

# r<revision>-<hex>, quoted; anything else (another server's tag, `*`) names none.
_REVISION_TAG: Final = re.compile(r'"r(\d{1,18})-[0-9a-f]{8,64}"')


def revision_etag(revision: int, seed: str, *, weak: bool = False) -> str:
    """`"r<revision>-<digest of seed>"`: `seed` holds whatever else changes the answer's bytes."""
    digest = hashlib.sha256(seed.encode()).hexdigest()[:32]
    return f'{"W/" if weak else ""}"r{revision}-{digest}"'


def tags(if_none_match: str | None) -> frozenset[str]:
    """The entity tags an If-None-Match header lists, weak ones in their strong form: it is compared
    weakly (RFC 9110 §13.1.2). `*` stays as it is, for the caller to decide."""
    return frozenset(tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",") if tag.strip())


def newest_revision(if_none_match: str | None) -> int | None:
    """The newest revision the tags of an If-None-Match header name, or None when none names one."""
    if not if_none_match or len(if_none_match) > 8192:
        return None
    revisions = [int(found.group(1)) for tag in tags(if_none_match)
                 if (found := _REVISION_TAG.fullmatch(tag)) is not None]
    return max(revisions, default=None)
