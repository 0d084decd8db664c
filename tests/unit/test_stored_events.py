"""The stored events kept between batches: current only at the CO log size they were read at."""
from __future__ import annotations

from ledger.stored_events import StoredEvents


def test_entries_are_kept_while_the_log_has_not_moved() -> None:
    cache = StoredEvents()
    kept = cache.at("TC-001", 10)
    kept.keep("M-1", ["created", "allotted"])
    kept.keep("M-9", ())  # read, and not in the store
    assert cache.at("TC-001", 10).entries == {"M-1": ("created", "allotted"), "M-9": ()}


def test_entries_are_dropped_when_the_log_moved_without_this_cache() -> None:
    cache = StoredEvents()
    cache.at("TC-001", 10).keep("M-1", ["created"])
    assert cache.at("TC-001", 11).entries == {}  # another process appended: nothing kept is trusted


def test_a_committed_batch_extends_what_it_had_read_and_moves_the_size() -> None:
    cache = StoredEvents()
    kept = cache.at("TC-001", 10)
    kept.keep("M-1", ["created"])
    kept.keep("P-1", ())
    cache.advanced("TC-001", kept, 13, [("M-1", "allotted"), ("P-1", "paid"), ("X-1", "unread")])
    again = cache.at("TC-001", 13)
    assert again is kept
    assert again.entries == {"M-1": ("created", "allotted"), "P-1": ("paid",)}  # X-1 was never read whole


def test_a_batch_that_read_an_outdated_copy_changes_nothing() -> None:
    cache = StoredEvents()
    old = cache.at("TC-001", 10)
    old.keep("M-1", ["created"])
    cache.at("TC-001", 12).keep("M-1", ["created", "allotted"])  # another batch saw the log move
    cache.advanced("TC-001", old, 11, [("M-1", "stale")])
    assert cache.at("TC-001", 12).entries == {"M-1": ("created", "allotted")}


def test_the_cos_used_longest_ago_go_first_beyond_the_limit() -> None:
    cache = StoredEvents(limit=4)
    cache.at("TC-001", 1).keep("A", ["a1", "a2"])
    cache.at("TC-002", 1).keep("B", ["b1", "b2"])
    cache.at("TC-001", 1)  # used again: TC-002 is now the oldest
    cache.at("TC-003", 1).keep("C", ["c1"])
    cache.at("TC-003", 1)
    assert cache.count() <= 4
    assert cache.at("TC-001", 1).entries == {"A": ("a1", "a2")}
    assert cache.at("TC-002", 1).entries == {}


def test_a_co_that_alone_outgrows_the_limit_starts_again() -> None:
    cache = StoredEvents(limit=2)
    cache.at("TC-001", 1).keep("A", ["a1", "a2", "a3"])
    assert cache.at("TC-001", 1).entries == {}
