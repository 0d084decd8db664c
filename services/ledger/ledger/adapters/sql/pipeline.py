"""An append's writes whose results nobody reads, sent to the database together.

After the events are stored (their positions come back from the insert), an append writes the Merkle
nodes, the signed checkpoint, the log head, the entries index, the references, the registry rows and
the idempotency record: seven statements, each a round trip, most of them while the store's table
lock is held and every other append waits. On PostgreSQL they are kept here and sent as one string of
statements in one round trip (``flush``): multi-row ``INSERT ... VALUES`` lists, rendered by psycopg2's
own quoting (``mogrify``: psycopg2 always interpolates on the client, so the server sees the same
statements it would have). A failure of any of them fails the append, as before (the string runs in
the append's transaction: a unique-key refusal is the same ``IntegrityError``). SQLite runs in
process, where a statement costs no round trip: there they run one by one, at once, as before.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg2.extensions import encodings
from sqlalchemy import Table, insert, update
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.orm import Session


class Pipeline:
    """Writes of one transaction, sent together at ``flush`` (PostgreSQL) or at once (elsewhere)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.batched = session.get_bind().dialect.name == "postgresql"
        self.pending: list[str] = []
        self._cursor: Any = None

    def insert(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """``INSERT`` of rows that all name the same columns."""
        if not rows:
            return
        if not self.batched:
            self.session.execute(insert(table), list(rows))
            return
        columns = [table.c[name].name for name in rows[0]]  # a name the table lacks: KeyError, as insert()
        values = render_rows(self._cursor_now(), len(columns), [[row[c] for c in columns] for row in rows])
        self.pending.append(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {values}")

    def update(self, table: Table, values: Mapping[str, Any], where: Mapping[str, Any]) -> None:
        """``UPDATE table SET values WHERE`` each of ``where`` equals its value."""
        if not self.batched:
            statement = update(table).values(**values)
            for name, value in where.items():
                statement = statement.where(table.c[name] == value)
            self.session.execute(statement)
            return
        cursor = self._cursor_now()
        sets = ", ".join(render(cursor, f"{table.c[name].name} = %s", [value]) for name, value in values.items())
        condition = " AND ".join(render(cursor, f"{table.c[name].name} = %s", [value])
                                 for name, value in where.items())
        self.pending.append(f"UPDATE {table.name} SET {sets} WHERE {condition}")

    def flush(self) -> None:
        """Send what is kept, in the order it was added, in one round trip."""
        if not self.pending:
            return
        statements, self.pending = self.pending, []
        self.close()
        send(self.session.connection(), ";\n".join(statements))

    def close(self) -> None:
        """Let go of the cursor that renders values (kept writes stay kept)."""
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None

    def _cursor_now(self) -> Any:
        if self._cursor is None:
            self._cursor = self.session.connection().connection.cursor()
        return self._cursor


def send(connection: Connection, sql: str) -> CursorResult[Any]:
    """Run rendered SQL (one statement or several; the result is the last one's) through SQLAlchemy, so
    that its error handling applies (a unique-key refusal is its ``IntegrityError``, a lost server
    invalidates the connection). No parameters: the driver still reads ``%`` as a placeholder mark, so
    every ``%`` is doubled."""
    return connection.exec_driver_sql(sql.replace("%", "%%"))


def render(cursor: Any, sql: str, values: Sequence[Any]) -> str:
    """``sql`` with its ``%s`` replaced by ``values`` as psycopg2 quotes them for ``cursor``'s connection
    (in the connection's client encoding, decoded back with it)."""
    rendered: bytes = cursor.mogrify(sql, values)
    return rendered.decode(encodings[cursor.connection.encoding])


def render_rows(cursor: Any, width: int, rows: Sequence[Sequence[Any]]) -> str:
    """``(v, ...), (v, ...)`` for a VALUES list, quoted by psycopg2 in one call (a call a row costs more
    than the quoting)."""
    mark = "(" + ", ".join(["%s"] * width) + ")"
    return render(cursor, ", ".join([mark] * len(rows)), [value for row in rows for value in row])
