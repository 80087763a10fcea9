"""The measurement store against a real PostgreSQL server (issue 18): concurrent writers in
separate processes lose nothing, a version-1 database is upgraded (also by two processes
opening it at once), and an import is one transaction there too.

The server is a throwaway cluster started for this module with Debian's ``postgresql``
binaries (``initdb`` and ``pg_ctl`` from /usr/lib/postgresql/<version>/bin; .ci/run installs
the package): in a temporary folder, listening on 127.0.0.1 at a free port, trusting local
connections, stopped and deleted afterwards. PostgreSQL refuses to run as root, so as root (CI
and the development machine) it runs as the ``postgres`` user the package creates. Without the
binaries the tests skip on a developer's machine and fail in CI (``CI`` set), so CI never
passes without them.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.test_measurement_paging import readings
from tests.test_measurements import _check_nothing_lost, _writer, reading
from vbq.errors import InputError
from vbq.measurements import SCHEMA_VERSION, MeasurementStore
from vbq.measurements import _store as store_module

pytestmark = pytest.mark.slow
V1 = Path(__file__).parent / "data" / "measurements" / "v1.sqlite"


def _binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(command: list[str]) -> list[str]:
    """`command` as the postgres user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _unavailable() -> None:
    """Skip on a developer's machine without PostgreSQL; fail in CI (``CI`` set)."""
    message = ("PostgreSQL is not installed (Debian: apt-get install postgresql); the store's "
               "PostgreSQL tests need it")
    if os.environ.get("CI"):
        pytest.fail(message + ", and CI must run them")
    pytest.skip(message)


def test_without_postgresql_ci_fails_and_a_developer_skips(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run them"):
        _unavailable()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        _unavailable()


@pytest.fixture(scope="module")
def server():
    """The URL of a fresh PostgreSQL server's maintenance database (``postgres``)."""
    bindir = _binaries()
    if bindir is None:
        _unavailable()
    folder = Path(tempfile.mkdtemp(prefix="vbq-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    subprocess.run(_as_owner([str(bindir / "initdb"), "-D", str(data), "-U", "vbq",
                              "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True)
    subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60",
                              "-l", str(folder / "log"), "-o",
                              f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off",
                              "start"]), check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://vbq@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                  "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(server, request):
    """A new, empty database on the server for one test."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:50].lower()
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return f"{server}/{name}"


def _processes(target, args_list) -> list[int]:
    ctx = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    procs = [ctx.Process(target=target, args=args) for args in args_list]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    return [p.exitcode for p in procs]


def test_the_store_runs_on_postgresql(pg_url):
    with MeasurementStore(pg_url) as store:
        assert store.engine.dialect.name == "postgresql"
        assert store.schema_version == SCHEMA_VERSION
        store.save(reading("VBQ-001"))
        assert store.load()["si_mean"].tolist() == [300.0, 320.0, 310.0, 330.0, 110.0]
        assert store.readings()["levels"].tolist() == ["L1, L2, L3, L4, CSF"]
        assert "***" in store.url or "@" in store.url


def test_two_processes_saving_at_once_lose_nothing(pg_url):
    # no store opened first: the schema is created by the writers themselves, concurrently
    workers, n_patients, n_shared = 2, 12, 8
    codes = _processes(_writer, [(pg_url, w, n_patients, n_shared) for w in range(workers)])
    assert codes == [0] * workers
    _check_nothing_lost(pg_url, workers, n_patients, n_shared)


def test_four_processes_saving_at_once_lose_nothing(pg_url):
    workers, n_patients, n_shared = 4, 6, 5
    codes = _processes(_writer, [(pg_url, w, n_patients, n_shared) for w in range(workers)])
    assert codes == [0] * workers
    _check_nothing_lost(pg_url, workers, n_patients, n_shared)


def _v1_tables() -> tuple[sa.MetaData, dict[str, sa.Table]]:
    """The version-1 layout: today's tables with only the columns v1.sqlite has (version 2
    added the provenance columns), no index beyond the keys."""
    sqlite = sa.create_engine(f"sqlite:///{V1}")
    have = {t: {c["name"] for c in sa.inspect(sqlite).get_columns(t)}
            for t in ("vbq_meta", "vbq_roi_measurements", "vbq_roi_history")}
    sqlite.dispose()
    meta = sa.MetaData()
    tables = {}
    for table in (store_module._meta_table, store_module._rois, store_module._history):
        cols = [c._copy() for c in table.columns if c.name in have[table.name]]
        extra = []
        if table.name == "vbq_roi_measurements":
            extra = [sa.PrimaryKeyConstraint(*store_module.KEY_COLUMNS)]
            for c in cols:
                c.primary_key = False
        tables[table.name] = sa.Table(table.name, meta, *cols, *extra)
    return meta, tables


def _copy_v1_to(url: str) -> int:
    """The readings of tests/data/measurements/v1.sqlite, in the version-1 layout, on `url`;
    returns the ROI rows copied."""
    meta, tables = _v1_tables()
    source = sa.create_engine(f"sqlite:///{V1}")
    target = sa.create_engine(url)
    meta.create_all(target)
    with source.connect() as src, target.begin() as dst:
        for table in tables.values():
            rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
            if rows:
                dst.execute(sa.insert(table), rows)
    with target.connect() as conn:
        n = conn.execute(sa.text("select count(*) from vbq_roi_measurements")).scalar_one()
        version = conn.execute(sa.text(
            "select value from vbq_meta where key = 'schema_version'")).scalar_one()
    assert version == "1"
    source.dispose()
    target.dispose()
    return n


def test_a_version_1_database_is_upgraded_on_postgresql(pg_url):
    assert _copy_v1_to(pg_url) == 5
    with MeasurementStore(pg_url) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        table = store.load()
        assert table.loc[table["level"] == "L2", "si_mean"].item() == 325.0  # the correction
        assert table["series_flags"].isna().all()
        assert store.history()["reason"].tolist() == ["ROI moved off a vein", "wrong patient"]
        store.save(reading("VBQ-003", manufacturer="ACME"))  # the new columns take values
        assert set(store.load(patient_id="VBQ-003")["manufacturer"]) == {"ACME"}
    inspector = sa.inspect(sa.create_engine(pg_url))
    assert "ix_vbq_roi_measurements_observer" in {
        ix["name"] for ix in inspector.get_indexes("vbq_roi_measurements")}


def _open(url: str) -> None:
    MeasurementStore(url).close()


def test_two_processes_opening_an_old_database_at_once_upgrade_it_once(pg_url):
    _copy_v1_to(pg_url)
    assert _processes(_open, [(pg_url,), (pg_url,), (pg_url,)]) == [0, 0, 0]
    with MeasurementStore(pg_url) as store:
        assert store.schema_version == 3 and len(store.load()) == 5
    columns = [c["name"] for c in sa.inspect(sa.create_engine(pg_url)).get_columns(
        "vbq_roi_measurements")]
    assert len(columns) == len(set(columns)) == len(store_module._rois.columns)


def test_an_import_is_one_transaction_on_postgresql(pg_url, monkeypatch):
    import vbq.measurements._import as chunked

    monkeypatch.setattr(chunked, "_CHUNK_BYTES", 8 * 1024)
    source = MeasurementStore("sqlite://")
    source.save(readings(20))
    text = source.export_csv()
    broken = text.replace("\nP0019,AB,1,L1,", "\nP0019,AB,1,L9,", 1)
    with MeasurementStore(pg_url) as store:
        with pytest.raises(InputError):
            store.import_csv(broken.encode())
        assert store.count() == 0  # the slices saved before the bad row were rolled back
        assert store.import_csv(text.encode()).inserted == 400
        assert store.count_readings(search="p001") == 40


def _save_one(url: str, patient_id: str) -> None:
    with MeasurementStore(url) as store:
        store.save(reading(patient_id))


def test_a_write_in_another_process_changes_the_generation_on_postgresql(pg_url):
    # the app caches counts under the generation (ui.cache.store_read): a write by another
    # server process must replace it, and a refused import must not
    with MeasurementStore(pg_url) as store:
        before = store.generation()
        assert _processes(_save_one, [(pg_url, "VBQ-201")]) == [0]
        after = store.generation()
        assert after != before and store.count() == 5
        with pytest.raises(InputError):
            store.import_csv(b"patient_id,observer,session,level,si_mean\nP1,AB,x,L1,300\n")
        assert store.generation() == after
