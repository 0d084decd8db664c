"""The stored events kept between batches: current only at the version of the CO's log they were read at."""
from __future__ import annotations

from dataclasses import dataclass

from ledger.adapters.sql.entity_cache import ENTRY_BYTES, StoredEvents


@dataclass(frozen=True)
class Stored:
    """A stand-in for a stored event: its bytes."""

    state: bytes


def at(size: int) -> tuple[int, str]:
    """A version of the CO's log: its size and its latest checkpoint."""
    return size, f"checkpoint {size}"


def test_entries_are_kept_while_the_log_has_not_moved() -> None:
    cache = StoredEvents()
    kept = cache.at("TC-001", at(10))
    kept.keep("M-1", ["created", "allotted"], 300)
    kept.keep("M-9", (), 0)  # read, and not in the store
    assert cache.at("TC-001", at(10)).entries == {"M-1": ("created", "allotted"), "M-9": ()}


def test_entries_are_dropped_when_the_log_moved_without_this_cache() -> None:
    cache = StoredEvents()
    cache.at("TC-001", at(10)).keep("M-1", ["created"], 100)
    assert cache.at("TC-001", at(11)).entries == {}  # another process appended: nothing kept is trusted


def test_a_log_restored_and_grown_back_to_the_same_size_is_another_version() -> None:
    cache = StoredEvents()
    cache.at("TC-001", (10, "checkpoint signed at 09:00")).keep("M-1", ["created"], 100)
    assert cache.at("TC-001", (10, "checkpoint signed at 09:30")).entries == {}


def test_a_committed_batch_extends_what_it_had_read_and_moves_the_version() -> None:
    cache = StoredEvents()
    kept = cache.at("TC-001", at(10))
    kept.keep("M-1", ["created"], 100)
    kept.keep("P-1", (), 0)
    cache.advanced("TC-001", kept, at(13), [("M-1", Stored(b"x" * 40)), ("P-1", Stored(b"y" * 30)),
                                            ("X-1", Stored(b"z"))])
    again = cache.at("TC-001", at(13))
    assert again is kept
    assert again.entries == {"M-1": ("created", Stored(b"x" * 40)), "P-1": (Stored(b"y" * 30),)}  # never read
    assert again.bytes == 140 + 30 + 2 * ENTRY_BYTES


def test_a_batch_that_read_an_outdated_copy_changes_nothing() -> None:
    cache = StoredEvents()
    old = cache.at("TC-001", at(10))
    old.keep("M-1", ["created"], 100)
    cache.at("TC-001", at(12)).keep("M-1", ["created", "allotted"], 200)  # another batch saw the log move
    cache.advanced("TC-001", old, at(11), [("M-1", Stored(b"stale"))])
    assert cache.at("TC-001", at(12)).entries == {"M-1": ("created", "allotted")}


def test_the_cos_used_longest_ago_go_first_beyond_the_limit() -> None:
    cache = StoredEvents(limit=1_000)
    cache.at("TC-001", at(1)).keep("A", ["a1", "a2"], 400)
    cache.at("TC-002", at(1)).keep("B", ["b1", "b2"], 400)
    cache.at("TC-001", at(1))  # used again: TC-002 is now the oldest
    cache.at("TC-003", at(1)).keep("C", ["c1"], 300)
    cache.at("TC-003", at(1))
    assert cache.bytes() <= 1_000
    assert cache.at("TC-001", at(1)).entries == {"A": ("a1", "a2")}
    assert cache.at("TC-002", at(1)).entries == {}


def test_a_co_that_alone_outgrows_the_limit_starts_again_and_the_others_stay() -> None:
    cache = StoredEvents(limit=1_000)
    cache.at("TC-001", at(1)).keep("A", ["a1"], 100)
    cache.at("TC-002", at(1)).keep("B", ["b1", "b2", "b3"], 5_000)
    assert cache.at("TC-002", at(1)).entries == {}
    assert cache.at("TC-001", at(1)).entries == {"A": ("a1",)}
