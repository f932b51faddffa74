"""Several hand-written SELECTs in one round trip."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def one_round_trip(db) -> bool:
    """Can several statements go in one query string on this connection?"""
    binding = str(db.settings_dict.get("OPTIONS", {}).get("server_side_binding", ""))
    return db.vendor == "postgresql" and binding.lower() not in ("1", "true")


def select_each(cursor, statements: list[tuple[str, list]]) -> list[list[tuple]]:
    """Each SELECT's rows, in order. Where one_round_trip(): all in one query string, one round
    trip (under READ COMMITTED each statement still has a snapshot of its own); otherwise (SQLite,
    or server-side binding, which takes one statement at a time) one after the other."""
    if not one_round_trip(cursor.db) or len(statements) < 2:
        results = []
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
        return results
    cursor.execute(
        "; ".join(sql for sql, _params in statements), [p for _s, ps in statements for p in ps]
    )
    results = [cursor.fetchall()]
    while cursor.nextset():
        results.append(cursor.fetchall())
    return results


@dataclass(frozen=True)
class Read:
    """SELECTs and what makes their answer from their rows, so that reads of different modules
    can share one round trip (read_together)."""

    statements: tuple[tuple[str, list], ...]
    answer: Callable[[list[list[tuple]]], Any]


def read_together(cursor, *reads: Read) -> list:
    """Each read's answer, all of their statements in one select_each."""
    results = select_each(cursor, [s for read in reads for s in read.statements])
    answers, at = [], 0
    for read in reads:
        answers.append(read.answer(results[at : at + len(read.statements)]))
        at += len(read.statements)
    return answers
