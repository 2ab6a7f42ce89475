"""The test run's own databases (tests/databases.py): a demo copy is the demo, writes to it
stay in it, and PostgreSQL copies are named after the run and dropped after use."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import DIGEST_DEMO, run_names
from tests.databases import BACKENDS, Backend, DemoCopy, DemoDatabases, database_url
from tests.databases import existing_databases as databases_on_server
from tracker.store.db import make_engine


def _names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.text(
            "SELECT full_name FROM app_user ORDER BY username")).scalars())


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_copy_is_the_demo_and_what_a_test_writes_stays_in_its_copy(
        backend: Backend, demo_databases: DemoDatabases, demo_copy: DemoCopy) -> None:
    shared = make_engine(demo_databases.shared(DIGEST_DEMO, backend))
    copy = make_engine(demo_copy(DIGEST_DEMO, backend))
    try:
        before = _names(shared)
        # the administrator, the officers of the 7 offices, the 7 districts' programmers
        assert len(before) == 1 + 7 + 7 and _names(copy) == before
        with copy.begin() as connection:
            connection.execute(sa.text("UPDATE app_user SET full_name = 'changed'"))
        assert set(_names(copy)) == {"changed"}
        assert _names(shared) == before
        assert _names(make_engine(demo_copy(DIGEST_DEMO, backend))) == before  # a new copy
    finally:
        shared.dispose()
        copy.dispose()


def test_postgresql_copies_are_the_runs_own_and_dropped_after_use(
        demo_databases: DemoDatabases, tmp_path: Path) -> None:
    url = demo_databases.copy(DIGEST_DEMO, Backend.POSTGRESQL, folder=tmp_path)
    name = sa.engine.make_url(url).database
    assert name and name.startswith(run_names().run + "_")
    assert name in databases_on_server()
    demo_databases.drop(url)
    assert name not in databases_on_server()
    with pytest.raises(AssertionError, match="not this worker's copy"):
        demo_databases.drop(database_url("postgres"))
