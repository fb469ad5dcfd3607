"""The performance regression guard (bench/guard.py) in the test suite: the front page and the
section feed may not cost more than 15% over the figures recorded in bench/guard.json, in SQL
statements, wire round trips or Python calls per request.

It measures on a scratch database of its own on the test server (the demo newsroom plus a fixed
synthetic set, committed, so the app runs with its own pools as `broadsheet serve` does). After
an intended change, re-record with `python bench/guard.py --record` and commit the new file.
"""

from __future__ import annotations

from bench.guard import GUARDED, TOLERANCE, Figures, compare, guard_database, load, measure


async def test_front_page_and_section_feed_cost_no_more_than_recorded(database_url: str) -> None:
    async with guard_database(database_url) as url:
        measured = await measure(url)
    problems = compare(measured, load())
    assert not problems, "\n".join(problems)


def test_the_recorded_figures_cover_every_guarded_scenario() -> None:
    recorded = load()
    assert sorted(recorded) == sorted(GUARDED)
    for figures in recorded.values():
        assert figures.statements >= 1
        assert figures.round_trips >= figures.statements
        assert figures.calls >= 1000


def test_a_figure_that_grows_past_the_tolerance_fails_the_guard() -> None:
    recorded = {name: Figures(statements=4, round_trips=5, calls=10_000) for name in GUARDED}
    within = {name: Figures(4, 5, 10_000 * (1 + TOLERANCE)) for name in GUARDED}
    assert compare(within, recorded) == []
    grown = dict(within, **{GUARDED[0]: Figures(5, 5, 10_000)})
    problems = compare(grown, recorded)
    assert len(problems) == 1
    assert "front page: statements per request grew from 4.0 to 5.0 (+25%" in problems[0]
