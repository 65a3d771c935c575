"""When the CREATED and STATUS texts next change, checked against the formatter itself:
just before the moment the text is the same, at the moment it differs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.engine.aging import aged_status, duration_span, parse_duration
from desktop.engine.formatting import human_duration, next_change

MINUTE, HOUR = 60, 3600
DAY = 24 * HOUR
WEEK, MONTH, YEAR = 7 * DAY, 30 * DAY, 365 * DAY
#: Ages around every kind of boundary of go-units' HumanDuration.
AGES = [-5, 0, 0.3, 0.999, 1, 1.5, 4.2, 59.9, 60, 61, 119.5, 120, 59 * MINUTE + 59.5, HOUR, HOUR + 1799,
        HOUR + 1800, 3 * HOUR + 10, 47 * HOUR + 1799, 47.5 * HOUR, 2 * DAY, 13 * DAY + 23 * HOUR, 14 * DAY,
        8 * WEEK + 3 * DAY, 60 * DAY, 11 * MONTH, 24 * MONTH + 5 * DAY, 17519.5 * HOUR, 2 * YEAR + 1,
        9 * YEAR + 100 * DAY]


def _changes_exactly_after(age: float, wait: float) -> None:
    eps = 1e-6 * max(1.0, abs(age))  # well above the float spacing at these ages
    assert wait > 0
    assert human_duration(age + wait - eps) == human_duration(age), (age, wait)
    assert human_duration(age + wait) != human_duration(age), (age, wait)


@pytest.mark.parametrize("age", AGES)
def test_next_change_is_where_the_text_changes(age):
    _changes_exactly_after(age, next_change(age))


@given(st.floats(min_value=-10, max_value=10 * YEAR, allow_nan=False))
def test_next_change_for_any_age(age):
    _changes_exactly_after(age, next_change(age))


@pytest.mark.parametrize("age, wait", [
    (0.25, 0.75), (4.2, 0.8), (59.5, 0.5), (61, 59), (HOUR - 1, 1), (HOUR, 1800), (3 * HOUR + 10, 1790),
    (2 * DAY, 23.5 * HOUR), (14 * DAY, 7 * DAY - 1800), (60 * DAY, 30 * DAY - 1800), (17519.5 * HOUR, 0.5 * HOUR),
])
def test_next_change_examples(age, wait):
    assert next_change(age) == pytest.approx(wait)


@given(st.floats(min_value=0, max_value=10 * YEAR, allow_nan=False))
def test_a_text_changes_within_its_span(age):
    """The span of a text is the longest it can read the same: from the earliest age it
    can mean, it changes exactly then; from any age it means, no later."""
    text = human_duration(age)
    span = duration_span(f"{text} ago")
    assert span is not None and human_duration(age + span) != text
    low = parse_duration(text)
    if human_duration(low) == text:  # "1 years" reads back as a year, not its two (go-units' own)
        _changes_exactly_after(low, span)


def test_span_of_table_texts():
    assert duration_span("Up 5 seconds (healthy)") == 1
    assert duration_span("Exited (137) 3 minutes ago") == 60
    assert duration_span("Up About an hour") == 1800
    assert duration_span("Up 2 hours (Paused)") == HOUR
    assert duration_span("Less than a second ago") == 1
    assert duration_span("Created") is None and duration_span("Removal In Progress") is None


def test_aged_status_changes_within_its_span():
    for elapsed in (0, 0.4, 1, 7.5, 59.5, 3000):
        status = aged_status("Up Less than a second", elapsed)
        assert aged_status("Up Less than a second", elapsed + duration_span(status)) != status
