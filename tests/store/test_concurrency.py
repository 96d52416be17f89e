"""Two connections writing at once (the counter and a worker thread, or two copies of the program):
the write lock is taken before stock is checked, so stock never goes below zero and numbers
never repeat or skip."""

from __future__ import annotations

import threading

from ledger_checks import batch_qty, check_invariants, receive

from ihms_desk.store import Store
from ihms_desk.store.errors import StockTooLow
from ihms_desk.store.model import DispenseLine, Patient


def test_two_writers_never_take_more_than_there_is(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    receive(store, ("D0001", "B1", "2027-03", 300))
    store.act_as("pharma")
    dispensed: dict[str, list[str]] = {"a": [], "b": []}
    refused: dict[str, int] = {"a": 0, "b": 0}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def counter(name: str) -> None:
        worker = store.open_another()  # its own connection, in its own thread
        try:
            start.wait()
            for n in range(60):
                try:
                    document = worker.dispense(patient=Patient(f"{name}/{n}", "P", 30, "F"), prescriber="Dr",
                                               lines=[DispenseLine("D0001", 7, 7)])
                    dispensed[name].append(document.number)
                except StockTooLow as error:
                    assert error.available < 7
                    refused[name] += 1
        except BaseException as error:  # reported to the main thread
            errors.append(error)
        finally:
            worker.close()

    threads = [threading.Thread(target=counter, args=(name,)) for name in dispensed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    numbers = dispensed["a"] + dispensed["b"]
    assert len(numbers) == 300 // 7 and len(set(numbers)) == len(numbers)
    assert len(dispensed["a"]) + refused["a"] == 60 and len(dispensed["b"]) + refused["b"] == 60  # nobody gave up locked
    assert sorted(numbers) == [f"DSP/2026-27/{n:06d}" for n in range(1, len(numbers) + 1)]
    assert refused["a"] + refused["b"] == 120 - len(numbers)
    assert batch_qty(store, "D0001", "B1") == 300 % 7
    check_invariants(store)


def test_a_reader_sees_only_committed_documents(make_store) -> None:  # type: ignore[no-untyped-def]
    store: Store = make_store(user="clerk")
    reader = store.open_another()
    try:
        with store._transaction() as conn:
            conn.execute("UPDATE setting SET value = value")  # hold the write lock, as a save in progress does
            assert reader.stock_on_hand()  # WAL: reading is not blocked by the writer
        receive(store, ("D0001", "B1", "2027-03", 5))
        assert [row.qty for row in reader.stock_on_hand() if row.item.code == "D0001"] == [5]
    finally:
        reader.close()
