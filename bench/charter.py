"""Benchmark: parsing charters — the real ones, big hostile ones at the size limit, and one
over it (issue 11 item 15).

Prints, for each input, its size and the parse's CPU time (best of ``--repeat``):
- the five real charters (data/charters/*.txt, 11-36 KB);
- inputs of ``--mb`` MB (default: MAX_CHARTER_BYTES) built to stress the parser: a real
  charter's service row repeated, one long line, one huge cell, a cell of many lines, rows
  continuing one service; each was quadratic before (a 20 KB line took 100 s);
- a 50 MB file, refused before it is read (the time to say so).

Run: ``.venv/bin/python bench/charter.py [--mb 1] [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from tracker.config import PROJECT_ROOT
from tracker.domain.charter.parser import MAX_CHARTER_BYTES, parse_charter, parse_file
from tracker.domain.geo import load_geography
from tracker.errors import InputError

CHARTERS = PROJECT_ROOT / "data" / "charters"
GEO = load_geography()


def cpu_time(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def _fit(head: str, unit: str, size: int, tail: str = "") -> str:
    """``head`` + ``unit`` repeated + ``tail``, as close to ``size`` UTF-8 bytes as fits."""
    room = size - len((head + tail).encode("utf-8"))
    return head + unit * max(0, room // len(unit.encode("utf-8"))) + tail


def hostile(size: int) -> Iterator[tuple[str, str]]:
    patgram = (CHARTERS / "patgram.txt").read_text(encoding="utf-8").split("\n")
    head, row = "\n".join(patgram[:25]), patgram[25]
    cells = row.split("\t")
    magura = (CHARTERS / "magura-unnamed-upazila.txt").read_text(encoding="utf-8").split("\n")
    continuing = "\t".join(["", "আরও", *cells[2:]])
    yield "a service row repeated", _fit(head, "\n" + row, size)
    yield "one long line", _fit("", "x", size, "\n" + head)
    yield "one huge officer cell", _fit(head + "\n" + "\t".join(cells[:6]) + "\t", "ক ", size)
    yield "a cell of many lines", _fit("\n".join(magura[:60]), "\nআরও লেখা", size)
    yield "rows continuing a service", _fit(head + "\n" + row, "\n" + continuing, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=MAX_CHARTER_BYTES / 1024 / 1024)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for path in sorted(CHARTERS.glob("*.txt")):
        seconds = cpu_time(args.repeat, partial(parse_file, path, geo=GEO))
        print(f"{path.name:32} {path.stat().st_size / 1024:8.1f} KB  {seconds:7.3f} s")
    size = min(int(args.mb * 1024 * 1024), MAX_CHARTER_BYTES)
    for name, text in hostile(size):
        seconds = cpu_time(args.repeat, partial(parse_charter, text, geo=GEO))
        print(f"{name:32} {len(text.encode('utf-8')) / 1024 / 1024:8.1f} MB  {seconds:7.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        huge = Path(tmp) / "huge.txt"
        with huge.open("wb") as handle:
            handle.truncate(50 * 1024 * 1024)
        start = time.perf_counter()
        try:
            parse_file(huge, geo=GEO)
        except InputError as exc:
            print(f"{'a 50 MB file: refused':32} {'50.0':>8} MB  "
                  f"{time.perf_counter() - start:7.3f} s  ({exc})")


if __name__ == "__main__":
    main()
