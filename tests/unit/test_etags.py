"""ETags that name their revision: what a lagging replica reads back from If-None-Match."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from caldav_plugin.etags import newest_revision, revision_etag

revisions = st.integers(min_value=0, max_value=10**18 - 1)


@given(revisions, st.text(), st.booleans())
def test_a_tag_names_the_revision_it_was_made_at(revision: int, seed: str, weak: bool) -> None:
    assert newest_revision(revision_etag(revision, seed, weak=weak)) == revision


@given(st.lists(st.tuples(revisions, st.text()), min_size=1, max_size=5))
def test_a_header_of_several_tags_names_the_newest(tags: list[tuple[int, str]]) -> None:
    header = ", ".join(revision_etag(revision, seed) for revision, seed in tags)
    assert newest_revision(f'"elsewhere", {header}, *') == max(revision for revision, _ in tags)


def test_the_seed_changes_the_tag_not_the_revision() -> None:
    one, other = revision_etag(7, "/bsp/es-eur-monthly/"), revision_etag(7, "/bsp/fr-eur-monthly/")
    assert one != other and one.startswith('"r7-') and other.startswith('"r7-')


def test_tags_that_name_no_revision() -> None:
    for header in (None, "", "*", '"abc"', 'W/"feed"', '"r12"', '"r-12-abcdef01"', '"r12-NOTHEX00"',
                   "r12-abcdef01", '"r1234567890123456789-abcdef01"', '"r1-abcdef01", ' * 1000):
        assert newest_revision(header) is None, header
