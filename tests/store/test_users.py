"""Accounts, scrypt password hashes, roles and permissions, the audit trail of logins, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidInput, LoginFailed, NotLoggedIn, NotSetUp, PermissionDenied
from ihms_desk.store.users import PERMISSIONS, Action, Role, hash_password, verify_password

PASSWORD = "test-pass-1"  # the password of every account the store fixture makes


def test_scrypt_hashes_are_salted_and_verify() -> None:
    first, second = hash_password("same password"), hash_password("same password")
    assert first != second
    assert first.startswith("scrypt$16384$8$1$")
    assert verify_password("same password", first) and verify_password("same password", second)
    assert not verify_password("same passworD", first)
    assert not verify_password("x", "not-a-hash") and not verify_password("x", "md5$1$1$1$00$00")
    # A damaged stored hash refuses the login; it does not crash it.
    for damaged in ("scrypt$abc$8$1$00$00", "scrypt$16384$8$1$zz$00", "scrypt$3$8$1$00$00", "scrypt$1099511627776$8$1$00$00"):
        assert not verify_password("x", damaged)


def test_passwords_are_stored_hashed(store: Store) -> None:
    rows = store.conn.execute("SELECT username, password_hash FROM app_user").fetchall()
    assert len(rows) == 4
    for username, stored in rows:
        assert PASSWORD not in stored and stored.startswith("scrypt$")
    assert len({stored for _, stored in rows}) == 4  # same password, four different hashes


def test_login_ok_and_refused_are_audited(store: Store) -> None:
    user = store.login(" Pharma ", PASSWORD)
    assert (user.username, user.role) == ("pharma", Role.PHARMACIST) and store.user == user
    with pytest.raises(LoginFailed) as refused:
        store.login("pharma", "wrong-password")
    assert refused.value.message == "Wrong user name or password." and refused.value.field == "password"
    with pytest.raises(LoginFailed) as unknown:
        store.login("nobody", PASSWORD)
    assert unknown.value.message == refused.value.message  # no hint whether the account exists
    trail = [(a["username"], a["action"], a["outcome"], a["detail"]) for a in store.audit_trail(3)]
    assert trail == [("nobody", "login", "refused", "wrong user name or password"),
                     ("pharma", "login", "refused", "wrong user name or password"),
                     ("pharma", "login", "ok", "")]


def test_login_with_a_damaged_hash_is_refused_and_audited(store: Store) -> None:
    with store._transaction() as conn:
        conn.execute("UPDATE app_user SET password_hash = 'scrypt$abc$8$1$00$00' WHERE username = 'clerk'")
    with pytest.raises(LoginFailed):
        store.login("clerk", PASSWORD)
    assert store.audit_trail(1)[0]["outcome"] == "refused"


def test_disabled_account_cannot_log_in(store: Store) -> None:
    store.deactivate_user("clerk")
    assert [u.username for u in store.users()] == ["admin", "incharge", "pharma"]
    with pytest.raises(LoginFailed):
        store.login("clerk", PASSWORD)
    assert store.audit_trail(1)[0]["detail"] == "account disabled"
    assert store.user is None  # a failed attempt leaves nobody logged in, not the previous user
    store.act_as("admin")
    with pytest.raises(InvalidInput):
        store.deactivate_user("admin")  # not one's own


def test_create_user_and_roles(store: Store) -> None:
    user = store.create_user("New.User", "New User", "store_clerk", "long-enough")
    assert (user.username, user.role) == ("new.user", Role.STORE_CLERK)
    assert store.login("new.user", "long-enough").role is Role.STORE_CLERK
    store.act_as("admin")
    for bad, field in [(("new.user", "Dup", "pharmacist", "long-enough"), "username"),
                       (("x y", "Space", "pharmacist", "long-enough"), "username"),
                       (("short", "Short", "pharmacist", "12345"), "password"),
                       (("role", "Role", "boss", "long-enough"), "role")]:
        with pytest.raises(InvalidInput) as refused:
            store.create_user(*bad)
        assert refused.value.field == field
    store.act_as("incharge")
    with pytest.raises(PermissionDenied):
        store.create_user("x2", "X", "admin", "long-enough")


@pytest.mark.parametrize("name", [
    "ph\u202earma",      # a right-to-left override: shows as another name
    "pha\u200brma",      # a zero-width space: two accounts that look the same
    "pha\u200drma",      # a zero-width joiner (allowed in Hindi text, never in a user name)
    "\u0430dmin",        # a Cyrillic а that looks like the Latin a of "admin"
    "सीता",              # another alphabet
    "...",               # no letter or digit at all
])
def test_user_names_that_could_pass_for_another_are_refused(store: Store, name: str) -> None:
    store.act_as("admin")
    with pytest.raises(InvalidInput) as refused:
        store.create_user(name, "Look Alike", "pharmacist", "long-enough")
    assert refused.value.field == "username"
    assert {u.username for u in store.users()} == {"admin", "clerk", "incharge", "pharma"}


def test_password_change(store: Store) -> None:
    store.act_as("pharma")
    store.set_password("pharma", "new-password")
    assert store.login("pharma", "new-password")
    with pytest.raises(PermissionDenied):
        store.set_password("clerk", "new-password")
    store.act_as("admin")
    store.set_password("clerk", "reset-pass")
    assert store.login("clerk", "reset-pass")


def test_permission_table() -> None:
    allowed = {action: {role.value for role in roles} for action, roles in PERMISSIONS.items()}
    assert allowed[Action.DISPENSE] == {"pharmacist", "in_charge", "admin"}
    assert allowed[Action.RECEIVE] == {"store_clerk", "in_charge", "admin"}
    assert allowed[Action.WRITE_OFF] == {"in_charge", "admin"}
    assert allowed[Action.REVERSE] == {"in_charge", "admin"}
    assert allowed[Action.MANAGE_USERS] == {"admin"}
    assert allowed[Action.VIEW_STOCK] == {"pharmacist", "store_clerk", "in_charge", "admin"}
    assert set(PERMISSIONS) == set(Action)


def test_nothing_without_a_login(store: Store) -> None:
    store.logout()
    assert store.audit_trail(1)[0]["action"] == "logout"
    with pytest.raises(NotLoggedIn):
        store.create_user("x", "X", "admin", "long-enough")
    with pytest.raises(PermissionDenied):
        store.set_setting("language", "hi")


def test_settings(store: Store) -> None:
    store.act_as("incharge")
    assert store.near_expiry_days() == 90
    store.set_setting("near_expiry_days", " 120 ")
    assert store.near_expiry_days() == 120
    for key, value in [("near_expiry_days", "731"), ("low_stock_months", "0"), ("nightly_sync_time", "25:00"),
                       ("nightly_sync_time", "9:00"), ("language", "fr"), ("backdate_days", "-1"), ("nope", "1")]:
        with pytest.raises(InvalidInput):
            store.set_setting(key, value)
    store.act_as("pharma")
    store.set_setting("language", "hi")  # each counter chooses its own language
    assert store.setting("language", "en") == "hi"


def test_set_up_once(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        assert store.facility() is None
        with pytest.raises(NotSetUp):
            store.require_facility()
        with pytest.raises(InvalidInput) as refused:
            store.set_up(code="X", name="X", district="D", block="B", type="clinic", admin_username="a",
                         admin_full_name="A", admin_password="long-enough")
        assert refused.value.field == "type"
        assert store.facility() is None and store.users() == []
        admin = store.set_up(code="rj-x-1", name="CHC X", district="Jaipur", block="B", type="chc", admin_username="Admin",
                             admin_full_name="A", admin_password="long-enough")
        assert admin.role is Role.ADMIN and admin.username == "admin"
        assert store.require_facility().code == "RJ-X-1" and store.require_facility().type == "CHC"
        with pytest.raises(InvalidInput, match="already set up"):
            store.set_up(code="Y", name="Y", district="D", block="B", type="CHC", admin_username="b",
                         admin_full_name="B", admin_password="long-enough")


def test_unknown_accounts_are_refused_not_silently_ignored(store: Store) -> None:
    before = store.conn.execute("SELECT username, password_hash, active FROM app_user ORDER BY id").fetchall()
    with pytest.raises(InvalidInput, match="no user 'pharma2'") as refused:
        store.set_password("pharma2", "new-password")
    assert refused.value.field == "username"
    with pytest.raises(InvalidInput, match="no user 'pharma2'"):
        store.deactivate_user("pharma2")
    assert store.conn.execute("SELECT username, password_hash, active FROM app_user ORDER BY id").fetchall() == before


def test_unknown_user_costs_a_password_check_too(store: Store) -> None:
    """An unknown name is refused only after the same scrypt work as a wrong password."""
    import time

    def refusal_time(name: str) -> float:
        started = time.perf_counter()
        with pytest.raises(LoginFailed):
            store.login(name, "wrong-password")
        return time.perf_counter() - started

    refusal_time("nobody")  # the dummy hash is made on first use
    known = min(refusal_time("clerk") for _ in range(3))
    unknown = min(refusal_time("nobody") for _ in range(3))
    assert unknown > known / 3
