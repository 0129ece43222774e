"""Alembic, run from code: every store is brought to the newest schema when opened.

Alembic is imported only when a store needs upgrading: every command opens a store, and
importing Alembic costs a fifth of a second a time for nothing when the schema is current.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).parent
# Each revision is named by the number its file starts with ("0007_outcome_records.py" is
# revision "0007", after "0006"); tests/models/test_migrations.py holds Alembic to this.
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    return config


def head_revision() -> str | None:
    """The newest revision, as Alembic works it out from the scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def newest_script() -> str | None:
    """The newest revision, from the scripts' file names (without Alembic)."""
    numbers = [m.group(1) for p in (HERE / "versions").iterdir()
               if (m := _REVISION_FILE.match(p.name))]
    return max(numbers, default=None)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_to_head(engine: Engine) -> None:
    if current_revision(engine) == newest_script():
        return
    from alembic import command

    config = alembic_config()
    with engine.connect() as conn:
        driver = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        # Batch migrations rebuild a table (copy, drop, rename); with foreign keys on,
        # dropping a table that rows point at fails, so no store with data could be
        # upgraded. SQLite ignores this pragma inside a transaction: it is set on the
        # driver's connection before the migration's transaction begins.
        if driver is not None:
            driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        finally:
            if driver is not None:
                driver.execute("PRAGMA foreign_keys = ON")
