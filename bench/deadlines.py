"""Benchmark: due dates for many requests — fast index vs numpy.busday_offset vs workalendar.

Prints rows/s for the three paths and the ratios, all in one process on the same inputs:
- reference: the per-row workalendar path (``BangladeshCalendar.add_working_days``);
- baseline: bare ``numpy.busday_offset`` with a busdaycalendar of the same closures
  (weekmask Sun-Thu; working Saturdays cannot be expressed in a weekmask, so they are left
  out of the baseline — it is a speed baseline, checked for equality on other rows);
- fast: ``tracker.domain.deadlines.due_dates`` (precomputed working-day index: lookups per row).

Run: ``make bench`` or ``.venv/bin/python bench/deadlines.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

import numpy as np

from tracker.domain.calendar import load_calendar
from tracker.domain.deadlines import due_dates
from tracker.domain.status import statuses_as_of

N_VALUES = np.array([1, 2, 3, 5, 7, 10, 15, 30, 45, 60, 90])


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reference-rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    calendar = load_calendar()
    rng = np.random.default_rng(args.seed)
    first = np.datetime64("2024-01-01", "D")
    received = first + rng.integers(0, 3 * 365, args.rows).astype("timedelta64[D]")
    n = rng.choice(N_VALUES, args.rows)

    _ = calendar.index  # built once per calendar (cached); timed separately below
    # The whole index (mask from the calendar data, cumulative counts), as on first use.
    def rebuild_index() -> object:
        calendar.__dict__.pop("index", None)  # drop the cached_property value
        return calendar.index

    build = best_of(3, rebuild_index)

    # Baseline: numpy.busday_offset with the same closures.
    closures = [d for y in calendar.years.values() for d in (e.date for e in y.days
                if e.is_closure and e.applies_to(None))]
    busdaycal = np.busdaycalendar(weekmask="1111001", holidays=np.array(closures, "M8[D]"))

    def baseline() -> np.ndarray:
        # roll backward to the last working day <= r, then n working days: the n-th
        # working day strictly after r.
        return np.busday_offset(received, n, roll="backward", busdaycal=busdaycal)

    def fast() -> np.ndarray:
        return due_dates(received, n, calendar)

    ref_rows = min(args.reference_rows, args.rows)
    ref_days = received[:ref_rows].astype(object)
    ref_n = n[:ref_rows].tolist()

    def reference() -> list[date]:
        return [calendar.add_working_days(d, k) for d, k in zip(ref_days, ref_n, strict=True)]

    t_fast = best_of(5, fast)
    t_base = best_of(5, baseline)
    t_ref = best_of(1, reference)

    fast_out, base_out, ref_out = fast(), baseline(), reference()
    assert all(a.item() == b for a, b in zip(fast_out[:ref_rows], ref_out, strict=True)), (
        "fast path disagrees with the workalendar reference")
    working_weekends = {d for y in calendar.years.values() for d in (
        e.date for e in y.days if e.kind == "working_weekend")}
    differ = int((fast_out != base_out).sum())

    due = fast_out
    delivered = np.where(rng.random(args.rows) < 0.7,
                         due + rng.integers(-5, 8, args.rows).astype("timedelta64[D]"),
                         np.datetime64("NaT"))
    delivered = np.where(delivered > np.datetime64("2026-12-31"), np.datetime64("NaT"), delivered)
    t_status = best_of(5, lambda: statuses_as_of(due, delivered, date(2026, 6, 30), calendar))

    fast_rps, base_rps, ref_rps = args.rows / t_fast, args.rows / t_base, ref_rows / t_ref
    print(f"rows: {args.rows:,} (reference on the first {ref_rows:,})")
    print(f"index build (once per calendar): {build * 1000:.2f} ms")
    print(f"workalendar per-row reference : {ref_rps:>14,.0f} rows/s")
    print(f"numpy.busday_offset baseline  : {base_rps:>14,.0f} rows/s")
    print(f"tracker due_dates (index)     : {fast_rps:>14,.0f} rows/s")
    print(f"status as of a date (vector)  : {args.rows / t_status:>14,.0f} rows/s")
    print(f"ratio fast / workalendar      : {fast_rps / ref_rps:>14,.0f}x")
    print(f"ratio fast / busday_offset    : {fast_rps / base_rps:>14.2f}x")
    print(f"reference agreement           : {ref_rows:,}/{ref_rows:,} rows equal")
    print(f"busday_offset rows that differ: {differ:,} (working Saturdays "
          f"{sorted(str(d) for d in working_weekends)} are not expressible in its weekmask)")


if __name__ == "__main__":
    main()
