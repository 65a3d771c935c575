"""STATUS ageing between lists: never ahead of the engine, exact in the first minute."""

from hypothesis import given
from hypothesis import strategies as st

from desktop.engine.aging import aged_status, parse_duration
from desktop.engine.formatting import human_duration

ages = st.floats(min_value=0, max_value=10 * 365 * 86400, allow_nan=False)


@given(ages)
def test_parsed_duration_is_the_lower_end_of_its_text(t):
    text = human_duration(t)
    low = parse_duration(text)
    assert low is not None and low <= t
    assert human_duration(low) == text


@given(ages, st.floats(min_value=0, max_value=30 * 86400, allow_nan=False))
def test_aged_status_never_runs_ahead_of_the_engine(t, elapsed):
    aged = aged_status(f"Up {human_duration(t)}", elapsed)
    assert aged.startswith("Up ")
    assert parse_duration(aged[3:]) <= t + elapsed


def test_examples():
    assert aged_status("Up 5 seconds", 10) == "Up 15 seconds"
    assert aged_status("Up 50 seconds", 46) == "Up About a minute"
    assert aged_status("Exited (137) 3 minutes ago", 120) == "Exited (137) 5 minutes ago"
    assert aged_status("Up 2 hours (Paused)", 3600) == "Up 3 hours (Paused)"
    assert aged_status("Up 3 minutes (healthy)", 60) == "Up 4 minutes (healthy)"
    assert aged_status("Created", 1000) == "Created"
    assert aged_status("Up 5 seconds", 0.5) == "Up 5 seconds"
    assert aged_status("Removal In Progress", 100) == "Removal In Progress"
