"""Accounts from a CSV file (username, full_name, role, password), so that a facility's staff
are added at set-up in one step: each row is checked with the rules of one account added by
hand, good rows are taken, and every bad row is listed with its number and why.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ihms_desk.store.base import StoreBase
from ihms_desk.store.catalogue import missing_columns, numbered_rows
from ihms_desk.store.errors import InvalidInput, Refusal
from ihms_desk.store.model import ImportReport
from ihms_desk.store.users import Role, User
from ihms_desk.wording import Said

USER_COLUMNS = ("username", "full_name", "role", "password")
#: How a role may be written in the file (the staff's own words, in either language's
#: spelling the districts use), beside the role's code itself.
ROLE_NAMES = {
    "pharmacist": Role.PHARMACIST, "store_clerk": Role.STORE_CLERK, "store clerk": Role.STORE_CLERK,
    "clerk": Role.STORE_CLERK, "in_charge": Role.IN_CHARGE, "in-charge": Role.IN_CHARGE,
    "mo in-charge": Role.IN_CHARGE, "incharge": Role.IN_CHARGE, "admin": Role.ADMIN,
}


class UserImportMixin(StoreBase):
    def import_users_csv(self, source: Path | str | TextIO) -> ImportReport:
        """Add the accounts of a users file (administrator only)::

            report = store.import_users_csv(Path("E:/users.csv"))
            report.added, report.rejected      # [(row number, reason), ...]
        """
        if isinstance(source, (str, Path)):
            try:
                with open(source, encoding="utf-8-sig", newline="") as handle:
                    return self.import_users_csv(io.StringIO(handle.read()))
            except UnicodeDecodeError:
                raise InvalidInput("file_not_utf8") from None
        reader = csv.DictReader(source)
        if missing := missing_columns(reader, USER_COLUMNS):
            raise InvalidInput("users_csv_columns_missing", missing=", ".join(missing), needed=", ".join(USER_COLUMNS))
        added = 0
        rejected: list[tuple[int, str]] = []
        seen = 0
        for row_number, row in numbered_rows(reader):
            values = {key: (row.get(key) or "").strip() for key in USER_COLUMNS}
            if not any(values.values()):
                continue
            seen += 1
            role = ROLE_NAMES.get(values["role"].lower())
            if role is None:
                rejected.append((row_number, Said("role_unknown", {"role": values["role"]})))
                continue
            try:
                self.create_user(values["username"], values["full_name"], role, row.get("password") or "")
            except Refusal as refusal:
                rejected.append((row_number, Said(refusal.kind, refusal.values)))
                continue
            added += 1
        if not seen:
            raise InvalidInput("users_csv_empty")
        return ImportReport(added, 0, rejected)

    if TYPE_CHECKING:
        # Provided by Store (api.py): one account added with every rule of adding it by hand.
        def create_user(self, username: str, full_name: str, role: Role | str, password: str) -> User: ...
