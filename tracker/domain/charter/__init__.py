"""Charter ingestion: real Citizen Charter documents -> a reviewed service catalog.

- :mod:`tracker.domain.charter.parser` — ``parse_charter(text)`` / ``parse_file(path)`` ->
  :class:`~tracker.domain.charter.model.ParsedCharter` (office, services, GRS, problems). Pure.
  Charters over ``MAX_CHARTER_BYTES`` (5 MB) are refused (InputError) before being read.
- :mod:`tracker.domain.charter.catalog` — the reviewed catalog ``data/charters/<office>.toml``:
  ``load_catalog(path)``, ``load_all()``, ``import_charter(...)``, ``diff_versions(...)``.

Helpers, one job each: ``reader`` (every layout -> rows and plain lines), with ``cells``
(rows and cutting a stream of cells into a table), ``pipes`` (cells ended by "|"),
``linecells`` (one cell per line), ``html`` (HTML tables), ``prose`` (numbered prose and a
table flattened onto one line); ``sections`` (headings and column headers, by meaning),
``ending`` (a document cut off inside its services), ``deadline`` and ``numbers`` (the
time-limit grammar of GUIDE §6), ``contacts`` (officer cells), ``text`` (Unicode/digits/
HTML), ``model`` (the typed results and their JSON).
"""
