"""Ageing the engine's STATUS text between lists, without asking the engine again.

The engine writes "Up 5 minutes" or "Exited (0) 3 seconds ago" when it answers a list.
Berth lists once and then learns of changes from events, so the text would freeze;
:func:`aged_status` moves the duration in it forward by the time since the list. The
duration is read back as the lower end of what the text can mean (for "5 minutes",
5m00s), which is exact for the first minute and never runs ahead of the engine.
"""

from __future__ import annotations

import re

from desktop.engine.formatting import human_duration, next_change

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400,
          "month": 30 * 86400, "year": 365 * 86400}
_DURATION = re.compile(r"Less than a second|About a minute|About an hour"
                       r"|\d+ (?:second|minute|hour|day|week|month|year)s?")
_STATUS = re.compile(r"^(?P<head>Up |(?:Exited|Restarting) \(-?\d+\) )(?P<dur>.+?)(?P<tail> ago)?(?P<rest> \(.*\))?$")


def parse_duration(text: str) -> float | None:
    """The fewest seconds that go-units' HumanDuration writes as ``text``, or None.

    Hours and longer are rounded to the nearest hour by go-units, hence the half hour.
    """
    fixed = {"Less than a second": 0.0, "About a minute": 60.0, "About an hour": 3600.0}
    if text in fixed:
        return fixed[text]
    m = re.fullmatch(r"(\d+) (second|minute|hour|day|week|month|year)s?", text)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    hours = {"hour": n, "day": 24 * n, "week": 24 * 7 * n, "month": 24 * 30 * n}.get(unit)
    if hours is not None:
        return (hours - 0.5) * 3600
    return float(n * _UNITS[unit])


def aged_status(status: str, elapsed: float) -> str:
    """``status`` as the engine would write it ``elapsed`` seconds later."""
    if elapsed < 1:
        return status
    m = _STATUS.match(status)
    if not m or not _DURATION.fullmatch(m.group("dur")):
        return status
    base = parse_duration(m.group("dur"))
    if base is None:
        return status
    return f"{m.group('head')}{human_duration(base + elapsed)}{m.group('tail') or ''}{m.group('rest') or ''}"


def duration_span(text: str) -> float | None:
    """The longest the docker duration in a table text ("Up 5 seconds (healthy)", "3 hours
    ago") can read the same as time passes; None when the text holds no duration
    ("Created"). A text that can still change is looked at again no later than this."""
    m = _DURATION.search(text)
    low = parse_duration(m.group(0)) if m else None
    return None if low is None else next_change(low)
