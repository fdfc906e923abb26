"""A short run of bench/bench_load.py (the full one is `make bench`): concurrent clients see no error,
and while imports commit every response is exactly one revision's (body and ETag as that revision's)."""

from __future__ import annotations

import pathlib

from bench import bench_load
from settlecal.db.engine import make_engine
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import SAMPLES


def test_load_and_imports_during_load(database_url: str, tmp_path: pathlib.Path) -> None:
    engine = make_engine(database_url)
    for name in ("sample-release.csv", "amendment.csv"):
        import_release(engine, read_release(SAMPLES / name), operator="tests", notify=False)
    paths = bench_load.all_calendar_paths(database_url)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    config = bench_load.quiet_configuration(tmp_path)
    with bench_load.server_for(backend, database_url, 2, config) as server:
        memory = bench_load.MemoryTrace(server)
        steady = bench_load.run_load(server.url, paths, seconds=3, concurrency=8, max_requests=5000,
                                      every_kind=True, on_progress=memory.sample)
        assert steady.errors == []
        # How many answers fit in 3 s depends on the machine's load (figures belong to `make bench`); the
        # run goes on until each kind of request was answered once.
        assert len(steady.samples) >= 8
        assert {sample.kind for sample in steady.samples} == set(bench_load.KINDS)

        memory.next_phase()
        during = bench_load.run_during_imports(server.url, database_url, seconds=4, concurrency=8,
                                               max_requests=5000, on_progress=memory.sample)
    # The server's memory is traced over both phases on one clock, judged from a third of the way in.
    rss = memory.figures()
    assert rss["rss_samples"] >= 10 and rss["rss_traced_seconds"] >= 7
    assert 0 < rss["rss_third_mib"] <= rss["rss_peak_mib"] and 0 < rss["rss_end_mib"] <= rss["rss_peak_mib"]
    assert during["errors"] == 0, during["error_examples"]
    assert during["mismatches"] == 0, during["mismatch_examples"]
    assert during["commits"] >= 2 and during["revisions_seen"] >= 2
    assert during["responses_verified"] == during["requests"] > 0
