"""A database that has run out of disk, for the file store's 507 (``survey_app.filestore``): SQLite
really full (``max_page_count`` at the file's size after a VACUUM), PostgreSQL raising the error
its full disk raises (SQLSTATE 53100, ``disk_full``) on every new part of a stored file."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, text

from survey_app.extensions import db

PG_FULL = """CREATE OR REPLACE FUNCTION parindex_test_disk_full() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END
$$ LANGUAGE plpgsql"""


@contextmanager
def full_database(app):
    """Within the block, storing a file's bytes fails as on a full disk."""
    with app.app_context():
        engine = db.engine
        db.session.remove()
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text(PG_FULL))
                conn.execute(text("CREATE TRIGGER parindex_test_full BEFORE INSERT ON stored_file_part "
                                  "FOR EACH ROW EXECUTE FUNCTION parindex_test_disk_full()"))
            try:
                yield
            finally:
                with engine.begin() as conn:
                    conn.execute(text("DROP TRIGGER parindex_test_full ON stored_file_part"))
            return
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM")

        def no_more_pages(dbapi_connection, record, proxy):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        engine.pool.dispose()
        event.listen(engine, "checkout", no_more_pages)
        try:
            yield
        finally:
            event.remove(engine, "checkout", no_more_pages)
            engine.pool.dispose()  # the next connections have no page limit
