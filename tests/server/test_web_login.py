"""The web pages' login over HTTP on both backends: pages that need it refuse without it,
accounts see their own district only, wrong passwords lock an account, forms need their
CSRF token, and the admin's commands make and mend accounts."""

from __future__ import annotations

import io
import re

import pytest
import requests

from ihms_server import accounts, cli, indents
from ihms_server.store import Store
from ihms_server.testing import EnrolledDevice, add_facility, make_event
from ihms_server.testing_supply import PASSWORD, csrf_of, indent_event, web_login

PROTECTED = ["/facility/CHC-JPR-001", "/facility/CHC-JPR-001/batches?item=PARA500",
             "/facility/CHC-JPR-001/near-expiry", "/facility/CHC-JPR-001/refused",
             "/refused", "/refused?district=Jaipur", "/warehouse", "/warehouse/indents/1",
             "/warehouse/vouchers/new", "/supply?district=Jaipur"]


def test_pages_with_stock_refuse_without_a_login(server: str, device: EnrolledDevice,
                                                 accounts_made: None) -> None:
    assert device.push([make_event(device, 1, type="receipt")]).status_code == 200
    for path in PROTECTED:
        response = requests.get(f"{server}{path}", timeout=30, allow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=%2F"), path
        assert "PARA500" not in response.text and "B1" not in response.text
    for path in ("/warehouse/indents/1/vouchers", "/warehouse/vouchers", "/logout"):
        response = requests.post(f"{server}{path}", timeout=30, allow_redirects=False,
                                 data={"csrf": "x"})
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    public = requests.get(f"{server}/?district=Jaipur", timeout=30)
    assert public.status_code == 200 and "CHC Chaksu" in public.text and "Live" in public.text
    # After logging in, the page asked for comes back.
    session = requests.Session()
    form = session.get(f"{server}/login?next=%2Ffacility%2FCHC-JPR-001", timeout=30)
    answer = session.post(f"{server}/login", allow_redirects=False, timeout=30, data={
        "username": "officer", "password": PASSWORD, "csrf": csrf_of(form.text),
        "next": "/facility/CHC-JPR-001"})
    assert answer.status_code == 303 and answer.headers["location"] == "/facility/CHC-JPR-001"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "B1" in session.get(f"{server}/facility/CHC-JPR-001", timeout=30).text


def test_an_account_sees_its_own_district_only(server: str, store: Store, device: EnrolledDevice,
                                               accounts_made: None) -> None:
    add_facility(store, "CHC-AJM-001", name="CHC Kishangarh", district="Ajmer")
    accounts.add_account(store, "ajmer", PASSWORD, "district_officer", "Ajmer")
    ajmer = web_login(server, "ajmer")
    for path in ("/facility/CHC-JPR-001", "/refused?district=Jaipur", "/refused",
                 "/supply?district=Jaipur", "/warehouse?district=Jaipur"):
        response = ajmer.get(f"{server}{path}", timeout=30)
        assert response.status_code == 403, path
        assert "Not for this account" in response.text
    assert ajmer.get(f"{server}/facility/CHC-AJM-001", timeout=30).status_code == 200
    admin = web_login(server, "admin")
    for path in ("/facility/CHC-JPR-001", "/facility/CHC-AJM-001", "/refused"):
        assert admin.get(f"{server}{path}", timeout=30).status_code == 200, path
    assert "DDW Jaipur (DDW-JAI)" in admin.get(f"{server}/warehouse", timeout=30).text
    # A district officer sees the indents but records no voucher.
    assert device.push([indent_event(device, 1, [{"item_code": "PARA500", "qty": 10}])]).json()[
        "results"][0]["status"] == "applied"
    assert ajmer.get(f"{server}/warehouse/indents/1", timeout=30).status_code == 403
    officer = web_login(server, "officer")
    page = officer.get(f"{server}/warehouse/indents/1", timeout=30)
    assert page.status_code == 200 and "Record issue voucher" not in page.text
    answer = officer.post(f"{server}/warehouse/indents/1/vouchers", timeout=30, data={
        "csrf": csrf_of(page.text), "item_code": "PARA500", "batch_no": "B1",
        "expiry_month": "2030-01", "qty": "10"})
    assert answer.status_code == 403


def test_wrong_passwords_lock_the_account_until_the_admin_unlocks_it(
        server: str, db_url: str, store: Store, accounts_made: None) -> None:
    session = requests.Session()

    def attempt(password: str) -> requests.Response:
        form = session.get(f"{server}/login", timeout=30)
        return session.post(f"{server}/login", allow_redirects=False, timeout=30, data={
            "username": "ware", "password": password, "csrf": csrf_of(form.text)})

    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        answer = attempt("not-the-password")
        assert answer.status_code == 401 and "Wrong username or password" in answer.text
    answer = attempt("not-the-password")
    assert answer.status_code == 401 and "locked until" in answer.text
    assert attempt(PASSWORD).status_code == 401  # the right password waits too
    unknown = session.post(f"{server}/login", timeout=30, data={
        "username": "nobody", "password": PASSWORD,
        "csrf": csrf_of(session.get(f"{server}/login", timeout=30).text)})
    assert unknown.status_code == 401 and "Wrong username or password" in unknown.text
    assert cli.main(["account", "unlock", "ware", "--db", db_url]) == 0
    assert attempt(PASSWORD).status_code == 303
    with store._read() as cur:
        cur.execute("SELECT password_hash FROM account WHERE username = 'ware'")
        assert cur.fetchone()[0].startswith("$argon2id$")


def test_forms_need_their_csrf_token_and_this_sites_origin(
        server: str, store: Store, device: EnrolledDevice, accounts_made: None) -> None:
    assert device.push([indent_event(device, 1, [{"item_code": "PARA500", "qty": 10}])]).json()[
        "results"][0]["status"] == "applied"
    ware = web_login(server, "ware")
    page = ware.get(f"{server}/warehouse/indents/1", timeout=30).text
    lines = {"item_code": "PARA500", "batch_no": "B1", "expiry_month": "2030-01", "qty": "10"}
    for data, headers in (({**lines}, {}), ({**lines, "csrf": "forged"}, {}),
                          ({**lines, "csrf": csrf_of(page)}, {"Origin": "https://evil.example"}),
                          ({**lines, "csrf": csrf_of(page)}, {"Sec-Fetch-Site": "cross-site"})):
        answer = ware.post(f"{server}/warehouse/indents/1/vouchers", data=data, headers=headers,
                           timeout=30, allow_redirects=False)
        assert answer.status_code == 403, data
    assert indents.vouchers(store, district="Jaipur") == []  # nothing was recorded
    # The login form has a token of its own.
    fresh = requests.Session()
    fresh.get(f"{server}/login", timeout=30)
    answer = fresh.post(f"{server}/login", timeout=30, data={"username": "ware", "password": PASSWORD,
                                                            "csrf": "guessed"})
    assert answer.status_code == 400 and "expired" in answer.text
    # Logging out ends the session on the server.
    cookie = ware.cookies.get("ihms_session")
    out = ware.post(f"{server}/logout", data={"csrf": csrf_of(page)}, timeout=30, allow_redirects=False)
    assert out.status_code == 303
    again = requests.get(f"{server}/warehouse", cookies={"ihms_session": cookie}, timeout=30,
                         allow_redirects=False)
    assert again.status_code == 303


def test_login_goes_back_only_to_this_site(server: str, accounts_made: None) -> None:
    session = requests.Session()
    form = session.get(f"{server}/login", timeout=30)
    answer = session.post(f"{server}/login", allow_redirects=False, timeout=30, data={
        "username": "ware", "password": PASSWORD, "csrf": csrf_of(form.text),
        "next": "//evil.example/x"})
    assert answer.headers["location"] == "/warehouse"


def test_the_admin_makes_accounts_from_the_command_line(
        db_url: str, store: Store, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = db_url
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert cli.main(["account", "add", "ware2", "--role", "warehouse", "--district", "Kota",
                     "--password-stdin", "--db", url]) == 2
    assert "has no warehouse yet" in capsys.readouterr().err
    assert cli.main(["warehouse", "add", "ddw-kot", "--name", "DDW Kota", "--district", "Kota",
                     "--db", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert cli.main(["account", "add", "ware2", "--role", "warehouse", "--district", "Kota",
                     "--password-stdin", "--db", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["account", "add", "admin2", "--role", "state_admin", "--password-stdin",
                     "--db", url]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert cli.main(["account", "list", "--db", url]) == 0
    assert re.search(r"ware2\s+warehouse\s+Kota\s+active", capsys.readouterr().out)
    token, _ = accounts.login(store, "ware2", "a-long-password")
    assert cli.main(["account", "disable", "ware2", "--db", url]) == 0
    assert accounts.session(store, token) is None
    with pytest.raises(accounts.LoginRefused):
        accounts.login(store, "ware2", "a-long-password")
