"""The shape of a synthetic archive: who writes how much, about what, and when.

Real newsrooms are lopsided, and benchmarks that assume otherwise lie: a few papers, reporters
and tags carry most of the stories (Zipf's law), publishing follows the working week and the
news cycle, and events bring bursts of stories on one topic that fade over a few days. Each
distribution here is a pure function of a seeded `random.Random`, so the same seed gives the
same archive.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

PERIOD_START = datetime(2015, 1, 1, tzinfo=UTC)
PERIOD_END = datetime(2018, 7, 31, 23, 59, tzinfo=UTC)  # the demo's own stories start after this

# Bodies: 400 to 1,500 words, most near 550 (log-normal, redrawn when out of range).
BODY_WORDS = (400, 1500)
_BODY_MEDIAN, _BODY_SIGMA = 560.0, 0.38

# Relative output by weekday (Monday first) and by hour of the day (UTC).
_WEEKDAY = (1.0, 1.05, 1.05, 1.0, 0.95, 0.5, 0.4)
_HOURS = (1, 1, 2, 3, 5, 7, 8, 8, 7, 6, 6, 5, 5, 5, 4, 4, 4, 3, 3, 2, 2, 1, 1, 1)
EVENTS_PER_YEAR = 40  # news events that each bring a burst of stories on one topic
EVENT_DAYS = 7  # how long a burst lasts; its weight halves every day


class Zipf:
    """Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1) ** exponent."""

    def __init__(self, n: int, exponent: float = 1.0) -> None:
        if n < 1:
            raise ValueError("a Zipf distribution needs at least one item")
        self.cumulative = list(accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))

    def draw(self, rng: random.Random) -> int:
        total = self.cumulative[-1]
        return min(bisect_right(self.cumulative, rng.random() * total), len(self.cumulative) - 1)


def body_words(rng: random.Random) -> int:
    """A story's length in words, within BODY_WORDS."""
    low, high = BODY_WORDS
    while True:
        words = round(rng.lognormvariate(math.log(_BODY_MEDIAN), _BODY_SIGMA))
        if low <= words <= high:
            return words


@dataclass(frozen=True)
class Event:
    """A news event: from `day`, stories on topic number `topic` come in a fading burst."""

    day: int  # days after PERIOD_START
    topic: int  # an index into the caller's topic list
    size: float  # the first day's extra stories, in units of an ordinary day's output


class Calendar:
    """When stories are published: weekdays busier than weekends, output growing over the years,
    quiet holidays, and bursts around events. `draw` gives a time and, for a burst story, the
    event's topic."""

    def __init__(self, rng: random.Random, topics: int) -> None:
        self.days = (PERIOD_END.date() - PERIOD_START.date()).days + 1
        base = [self._ordinary(PERIOD_START.date() + timedelta(days=d)) for d in range(self.days)]
        mean = sum(base) / len(base)
        count = max(1, round(EVENTS_PER_YEAR * self.days / 365))
        popular = Zipf(topics, 0.8)  # big stories come back to the same few subjects
        self.events = sorted(
            (
                Event(rng.randrange(self.days), popular.draw(rng), rng.paretovariate(1.6) * 0.6)
                for _ in range(count)
            ),
            key=lambda e: e.day,
        )
        extra: list[list[tuple[float, int]]] = [[] for _ in range(self.days)]
        for event in self.events:
            for offset in range(EVENT_DAYS):
                if event.day + offset < self.days:
                    extra[event.day + offset].append((event.size * mean / 2**offset, event.topic))
        totals = [b + sum(w for w, _ in e) for b, e in zip(base, extra, strict=True)]
        self.cumulative = list(accumulate(totals))
        self.base = base
        self.extra = extra
        self.hours = list(accumulate(_HOURS))

    @staticmethod
    def _ordinary(day: date) -> float:
        growth = 0.7 + 0.6 * (day - PERIOD_START.date()).days / 1400  # more online output
        holiday = 0.35 if (day.month, day.day) in {(12, 25), (12, 26), (1, 1)} else 1.0
        summer = 0.85 if day.month == 8 else 1.0
        return _WEEKDAY[day.weekday()] * growth * holiday * summer

    def draw(self, rng: random.Random) -> tuple[datetime, int | None]:
        """A publication time, and the topic index of the event it covers (None: no event)."""
        day = bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        day = min(day, self.days - 1)
        topic = None
        extra = self.extra[day]
        if extra:
            pick = rng.random() * (self.base[day] + sum(w for w, _ in extra)) - self.base[day]
            for weight, event_topic in extra:
                if pick < weight:
                    topic = event_topic
                    break
                pick -= weight
        hour = bisect_right(self.hours, rng.random() * self.hours[-1])
        moment = PERIOD_START + timedelta(days=day, hours=min(hour, 23), minutes=rng.randrange(60))
        return min(moment, PERIOD_END), topic


def zipf_order(items: Sequence[str], salt: str) -> list[str]:
    """`items` in a fixed pseudo-random order (the head of a Zipf draw), the same on every run."""
    rng = random.Random(f"broadsheet-synthetic-order:{salt}")  # noqa: S311 -- not security
    ordered = sorted(items)
    rng.shuffle(ordered)
    return ordered
