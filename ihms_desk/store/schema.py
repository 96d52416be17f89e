"""The database schema, as an ordered list of sqlite-utils migrations.

Each migration runs in its own transaction together with the record of it. Never edit a
migration that has shipped: add a new one. ``tests/store/test_schema.py`` builds a database at
every earlier version and migrates it to the newest.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATION_SET = "ihms_desk"

migrations = Migrations(MIGRATION_SET)


def _script(db: Database, sql: str) -> None:
    # executescript() would COMMIT the migration's transaction, so run statement by statement.
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations(name="m001_ledger")
def m001_ledger(db: Database) -> None:
    """Facility, catalogue, batches, documents, ledger movements, balances, outbox, users."""
    _script(
        db,
        """
        CREATE TABLE facility (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            district TEXT NOT NULL,
            block TEXT NOT NULL,
            type TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE setting (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE device (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            epoch INTEGER NOT NULL DEFAULT 1 CHECK (epoch >= 1),
            next_sequence INTEGER NOT NULL DEFAULT 1 CHECK (next_sequence >= 1),
            hlc_wall_ms INTEGER NOT NULL DEFAULT 0,
            hlc_counter INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO device (id) VALUES (1);
        CREATE TABLE app_user (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            full_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('pharmacist', 'store_clerk', 'in_charge', 'admin')),
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            username TEXT,
            action TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE item (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            generic_name TEXT NOT NULL,
            strength TEXT NOT NULL,
            dosage_form TEXT NOT NULL,
            unit_of_issue TEXT NOT NULL,
            category TEXT NOT NULL CHECK (category IN ('drug', 'surgical', 'suture')),
            min_stock INTEGER NOT NULL DEFAULT 0 CHECK (min_stock >= 0),
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            search_text TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE batch (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES item(id),
            batch_no TEXT NOT NULL,
            expiry_month TEXT NOT NULL
                CHECK (expiry_month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
            manufacturer TEXT,
            unit_cost TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (item_id, batch_no)
        );
        CREATE TABLE stock (
            batch_id INTEGER PRIMARY KEY REFERENCES batch(id),
            item_id INTEGER NOT NULL REFERENCES item(id),
            qty INTEGER NOT NULL CHECK (qty >= 0)
        );
        CREATE INDEX stock_item ON stock (item_id);
        CREATE TABLE doc_counter (
            kind TEXT NOT NULL,
            financial_year TEXT NOT NULL,
            last_serial INTEGER NOT NULL,
            PRIMARY KEY (kind, financial_year)
        );
        CREATE TABLE document (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN
                ('receipt', 'dispense', 'adjustment', 'transfer', 'stocktake', 'reversal')),
            financial_year TEXT NOT NULL,
            serial INTEGER NOT NULL CHECK (serial >= 1),
            doc_date TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES app_user(id),
            header TEXT NOT NULL,
            reverses_id INTEGER REFERENCES document(id),
            reason TEXT,
            UNIQUE (kind, financial_year, serial)
        );
        CREATE INDEX document_date ON document (doc_date, kind);
        CREATE INDEX document_kind ON document (kind, id);
        -- Partial: almost no document is reversed, and an index full of NULLs misleads the
        -- query planner into scanning the whole table for "is this reversed?".
        CREATE UNIQUE INDEX document_reversal ON document (reverses_id) WHERE reverses_id IS NOT NULL;
        CREATE TABLE document_line (
            document_id INTEGER NOT NULL REFERENCES document(id),
            line_no INTEGER NOT NULL CHECK (line_no >= 1),
            item_id INTEGER NOT NULL REFERENCES item(id),
            qty_prescribed INTEGER CHECK (qty_prescribed IS NULL OR qty_prescribed >= 0),
            qty INTEGER NOT NULL,
            detail TEXT,
            PRIMARY KEY (document_id, line_no)
        ) WITHOUT ROWID;
        CREATE TABLE movement (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES document(id),
            line_no INTEGER NOT NULL,
            batch_id INTEGER NOT NULL REFERENCES batch(id),
            item_id INTEGER NOT NULL REFERENCES item(id),
            kind TEXT NOT NULL,
            qty INTEGER NOT NULL CHECK (qty <> 0),
            moved_on TEXT NOT NULL
        );
        CREATE INDEX movement_batch ON movement (batch_id);
        CREATE INDEX movement_document ON movement (document_id);
        CREATE INDEX movement_item_day ON movement (item_id, moved_on);
        CREATE TABLE consumption_month (
            item_id INTEGER NOT NULL REFERENCES item(id),
            month TEXT NOT NULL,
            qty INTEGER NOT NULL,
            PRIMARY KEY (item_id, month)
        ) WITHOUT ROWID;
        CREATE TABLE outbox (
            sequence INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            epoch INTEGER NOT NULL,
            document_id INTEGER NOT NULL UNIQUE REFERENCES document(id),
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            hlc TEXT NOT NULL,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'rejected')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            acknowledged_at TEXT
        );
        CREATE INDEX outbox_status ON outbox (status, sequence)
        """,
    )


@migrations(name="m002_ledger_guards")
def m002_ledger_guards(db: Database) -> None:
    """Make the ledger append-only in the schema itself, not only in the code."""
    for table in ("movement", "document", "document_line", "outbox"):
        db.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END"
        )
    for table in ("movement", "document_line"):
        db.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never edited'); END"
        )
    # A document's content never changes once saved; the outbox keeps what was sent.
    db.execute(
        "CREATE TRIGGER document_no_update BEFORE UPDATE ON document "
        "BEGIN SELECT RAISE(ABORT, 'documents are never edited: reverse them'); END"
    )
    db.execute(
        "CREATE TRIGGER outbox_payload_fixed BEFORE UPDATE OF payload, event_id, sequence, epoch, "
        "document_id ON outbox BEGIN SELECT RAISE(ABORT, 'an outbox event never changes'); END"
    )


@migrations(name="m003_barcodes_and_rejections")
def m003_barcodes_and_rejections(db: Database) -> None:
    """GTINs mapped to items (scanner) and why the server set an event aside."""
    _script(
        db,
        """
        CREATE TABLE item_gtin (
            gtin TEXT PRIMARY KEY CHECK (length(gtin) = 14),
            item_id INTEGER NOT NULL REFERENCES item(id),
            mapped_at TEXT NOT NULL,
            mapped_by TEXT NOT NULL
        );
        ALTER TABLE outbox ADD COLUMN reject_code TEXT;
        ALTER TABLE outbox ADD COLUMN reject_reason TEXT
        """,
    )


@migrations(name="m004_sync_state")
def m004_sync_state(db: Database) -> None:
    """Where the sync worker stands: server, device, catalogue cursor, last results, clock skew.

    One row in the database (not a side file) so that a catalogue page and its cursor commit
    in one transaction. The device token is a secret and lives in a file of its own.
    """
    _script(
        db,
        """
        CREATE TABLE sync_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            server_url TEXT,
            device_id TEXT,
            enrolled_at TEXT,
            catalogue_cursor TEXT NOT NULL DEFAULT '',
            catalogue_pulled_at TEXT,
            last_attempt_at TEXT,
            last_success_at TEXT,
            last_error TEXT,
            last_error_at TEXT,
            online INTEGER CHECK (online IN (0, 1)),
            clock_skew_seconds REAL,
            clock_skew_flagged INTEGER NOT NULL DEFAULT 0 CHECK (clock_skew_flagged IN (0, 1))
        );
        INSERT INTO sync_state (id) VALUES (1)
        """,
    )


@migrations(name="m005_movement_day_kind")
def m005_movement_day_kind(db: Database) -> None:
    """Registers and reports read the ledger by date: an index holding every column they need,
    so a month of a five-year ledger is read from the index alone (no table rows).

    An index rather than a table of monthly totals kept by each save: SQLite keeps it exactly
    in step with the ledger (existing ledgers included), a save adds one index entry per
    movement and nothing else, and any range of days can be read, not only whole months. The
    date leads, not the kind, so no existing query that filters on kind changes its plan.
    """
    db.execute("CREATE INDEX movement_day_kind ON movement (moved_on, kind, batch_id, qty)")


@migrations(name="m006_resend_after_restore")
def m006_resend_after_restore(db: Database) -> None:
    """What a desk restored from a backup, copied, or on a flaky line needs (docs/sync.md).

    - An outbox event keeps its id, content and place in the order for ever, but the epoch it
      is offered to the server under may move forward: after a restore the desk re-sends what
      the server lacks under a fresh epoch (m002's trigger forbade any change of epoch).
    - ``device``: the desk's number at its facility (the letter of its document numbers'
      series) and a claim of a fresh epoch not yet granted by the server (its random id, the
      epoch it left, why, and whether it takes the device over from another copy).
    - ``sync_state``: the enrolment nonce (so a retried enrolment gets the same device), when
      events were last delivered, and when the loop tries next.
    - ``sync_delivery``: events delivered per recorded batch, for "delivered in the last hour".
    """
    # Trigger bodies hold semicolons, so each trigger is one statement of its own.
    db.execute("DROP TRIGGER outbox_payload_fixed")
    db.execute(
        "CREATE TRIGGER outbox_payload_fixed BEFORE UPDATE OF payload, event_id, sequence, "
        "document_id, type, hlc, created_at ON outbox "
        "BEGIN SELECT RAISE(ABORT, 'an outbox event never changes'); END"
    )
    db.execute(
        "CREATE TRIGGER outbox_epoch_forward BEFORE UPDATE OF epoch ON outbox WHEN NEW.epoch < OLD.epoch "
        "BEGIN SELECT RAISE(ABORT, 'an outbox event only moves to a later epoch'); END"
    )
    _script(
        db,
        """
        ALTER TABLE device ADD COLUMN desk_number INTEGER CHECK (desk_number >= 1);
        ALTER TABLE device ADD COLUMN claim TEXT;
        ALTER TABLE device ADD COLUMN claim_from_epoch INTEGER;
        ALTER TABLE device ADD COLUMN claim_reason TEXT;
        ALTER TABLE device ADD COLUMN claim_take_over INTEGER NOT NULL DEFAULT 0
            CHECK (claim_take_over IN (0, 1));
        ALTER TABLE sync_state ADD COLUMN enrol_nonce TEXT;
        ALTER TABLE sync_state ADD COLUMN last_delivery_at TEXT;
        ALTER TABLE sync_state ADD COLUMN next_try_at TEXT;
        CREATE TABLE sync_delivery (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            events INTEGER NOT NULL CHECK (events >= 0)
        );
        CREATE INDEX sync_delivery_at ON sync_delivery (at)
        """,
    )


@migrations(name="m007_counter")
def m007_counter(db: Database) -> None:
    """The dispensing counter, faster than paper (issue 12).

    - ``item.synonyms``: the words a counter types for an item besides its name (pcm,
      amoxycillin, ORS, brand words, a Devanagari name), from the state's catalogue; the
      search text of every item is built again at the next open to take them and the shipped
      starter list in (``catalogue.refresh_search_text``).
    - ``draft``: a half-typed form (dispense, receive) kept in this file, not in the ledger,
      so that a power cut loses at most the keystroke being typed; one per screen and user.
    - ``dose_memory``: the dose last typed for each item at this counter (``1-0-1 x5``), offered
      for the next patient's line of it; kept beside the ledger, never sent.
    """
    _script(
        db,
        """
        ALTER TABLE item ADD COLUMN synonyms TEXT NOT NULL DEFAULT '';
        CREATE TABLE draft (
            screen TEXT NOT NULL,
            username TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            content TEXT NOT NULL,
            PRIMARY KEY (screen, username)
        );
        CREATE TABLE dose_memory (
            item_id INTEGER PRIMARY KEY REFERENCES item(id),
            dose TEXT NOT NULL,
            used_at TEXT NOT NULL
        )
        """,
    )


@migrations(name="m009_rollout")
def m009_rollout(db: Database) -> None:
    """Going live from a facility package (issue 16).

    - ``state_facility``: the state's facility list as the catalogue pull brings it (every
      facility, not only this desk's own), so a facility is chosen from a list, never typed;
      until the first pull the list shipped with the program stands in.
    - ``sync_state``: the server address and one-time enrolment code of the facility package
      the setup wizard opened, kept until the desk has enrolled itself with them (then cleared),
      with the code's expiry, the package's id and the district's help number.
    """
    _script(
        db,
        """
        CREATE TABLE state_facility (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            district TEXT NOT NULL,
            block TEXT NOT NULL,
            type TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            updated_at TEXT NOT NULL
        );
        CREATE INDEX state_facility_place ON state_facility (district, block, name);
        ALTER TABLE sync_state ADD COLUMN package_server_url TEXT;
        ALTER TABLE sync_state ADD COLUMN package_code TEXT;
        ALTER TABLE sync_state ADD COLUMN package_expires_at TEXT;
        ALTER TABLE sync_state ADD COLUMN package_id TEXT;
        ALTER TABLE sync_state ADD COLUMN helpline TEXT
        """,
    )


@migrations(name="m010_indents")
def m010_indents(db: Database) -> None:
    """Indents to the district drug warehouse, its issue vouchers, and redistribution (issue 14).

    - ``document.kind`` may be ``indent`` (an approved indent is a document without movements).
      The CHECK is widened in the table's stored definition (SQLite's documented procedure for
      loosening a constraint: no row can break the wider rule, so nothing is rewritten), not by
      copying the table: a five-year desk holds a million documents and the ledger's triggers
      and references would all have to be made again.
    - ``indent_draft`` / ``indent_draft_line``: the indent being prepared, local and editable
      (not in the ledger) until the in-charge approves it.
    - ``indent_closed``: an approved indent the in-charge closed (nothing more will come).
    - ``voucher`` / ``voucher_line``: issue vouchers (and transfers from other facilities)
      pulled from the server, and the receipt that received each; ``sync_state.voucher_cursor``.
    - ``transfer_suggestion``: the server's redistribution suggestions in which this facility
      sends (the transfer made from one names it in its header, so the ledger says which were
      acted on).
    """
    _widen_document_kinds(db, "indent")
    _script(
        db,
        """
        CREATE TABLE indent_draft (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE indent_draft_line (
            item_id INTEGER PRIMARY KEY REFERENCES item(id),
            position INTEGER NOT NULL,
            qty INTEGER NOT NULL CHECK (qty >= 0),
            suggested INTEGER NOT NULL CHECK (suggested >= 0),
            usable_stock INTEGER NOT NULL,
            amc INTEGER NOT NULL,
            on_order INTEGER NOT NULL,
            days_out_of_stock INTEGER NOT NULL,
            emergency INTEGER NOT NULL CHECK (emergency IN (0, 1))
        );
        CREATE TABLE indent_closed (
            document_id INTEGER PRIMARY KEY REFERENCES document(id),
            closed_at TEXT NOT NULL,
            closed_by TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE TABLE voucher (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('voucher', 'transfer')),
            from_code TEXT NOT NULL,
            from_name TEXT NOT NULL,
            indent_number TEXT,
            issued_on TEXT NOT NULL,
            pulled_at TEXT NOT NULL,
            receipt_id INTEGER REFERENCES document(id),
            UNIQUE (from_code, number)
        );
        CREATE INDEX voucher_indent ON voucher (indent_number);
        CREATE TABLE voucher_line (
            voucher_id INTEGER NOT NULL REFERENCES voucher(id),
            line_no INTEGER NOT NULL CHECK (line_no >= 1),
            item_code TEXT NOT NULL,
            batch_no TEXT NOT NULL,
            expiry_month TEXT NOT NULL,
            qty INTEGER NOT NULL CHECK (qty > 0),
            manufacturer TEXT,
            unit_cost TEXT,
            PRIMARY KEY (voucher_id, line_no)
        ) WITHOUT ROWID;
        ALTER TABLE sync_state ADD COLUMN voucher_cursor TEXT NOT NULL DEFAULT '';
        CREATE TABLE transfer_suggestion (
            id TEXT PRIMARY KEY,
            item_code TEXT NOT NULL,
            to_code TEXT NOT NULL,
            to_name TEXT NOT NULL,
            qty INTEGER NOT NULL CHECK (qty > 0),
            reason TEXT NOT NULL CHECK (reason IN ('surplus', 'near_expiry')),
            expires TEXT,
            pulled_at TEXT NOT NULL
        )
        """,
    )


def _widen_document_kinds(db: Database, kind: str) -> None:
    """Let ``document.kind`` hold ``kind`` too, by editing the CHECK in the stored CREATE TABLE
    (https://sqlite.org/lang_altertable.html, "making other kinds of table schema changes":
    loosening a CHECK needs no rewrite). The schema version is bumped so every connection
    reads the new definition; ``PRAGMA integrity_check`` is clean afterwards (a test checks)."""
    import re

    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'document'").fetchone()[0]
    found = re.search(r"CHECK \(kind IN\s*\(([^)]*)\)\)", sql)
    assert found is not None, "the document table's kind CHECK"
    if f"'{kind}'" in found.group(1):
        return
    widened = sql[:found.end(1)] + f", '{kind}'" + sql[found.end(1):]
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'document'", [widened])
    db.execute(f"PRAGMA schema_version = {version + 1}")
    db.execute("PRAGMA writable_schema = OFF")


@migrations(name="m011_footprint")
def m011_footprint(db: Database) -> None:
    """The payload of an acknowledged event may be dropped (``store/footprint.py``): stored as
    empty text once it was rebuilt from the ledger byte for byte, and only while the event is
    ``sent``; so may an OPD slip line's detail text, which its own columns make again. Nothing
    else of an event or a line changes, and no other ledger row ever does.

    Only triggers change and an unused index goes, so the migration takes about a second even
    on a 2.8 GB file (besides the copy ``database.migrate`` takes first): the payloads are
    dropped later in short passes behind the counter, and the file is rewritten smaller only by
    ``ihms-desk compact`` (a VACUUM of the five-year file needs minutes and the file to itself:
    never at the first start, in front of the counter).
    """
    db.execute("DROP TRIGGER outbox_payload_fixed")
    db.execute(
        "CREATE TRIGGER outbox_payload_fixed BEFORE UPDATE OF event_id, sequence, document_id, type, hlc, "
        "created_at ON outbox BEGIN SELECT RAISE(ABORT, 'an outbox event never changes'); END"
    )
    db.execute(
        "CREATE TRIGGER outbox_payload_dropped BEFORE UPDATE OF payload ON outbox "
        "WHEN NEW.payload IS NOT OLD.payload AND NOT (NEW.payload = '' AND OLD.status = 'sent' AND NEW.status = 'sent') "
        "BEGIN SELECT RAISE(ABORT, 'an outbox payload never changes: it is only dropped once the server acknowledged it'); END"
    )
    # An OPD slip's line may lose its detail text only when its own columns make the same JSON
    # (the code compares the exact text before it drops one); nothing else of a line changes.
    db.execute("DROP TRIGGER document_line_no_update")
    db.execute(
        "CREATE TRIGGER document_line_no_update BEFORE UPDATE ON document_line WHEN NOT ("
        "NEW.detail IS NULL AND NEW.document_id = OLD.document_id AND NEW.line_no = OLD.line_no "
        "AND NEW.item_id = OLD.item_id AND NEW.qty_prescribed IS OLD.qty_prescribed AND NEW.qty = OLD.qty "
        "AND (SELECT kind FROM document WHERE id = OLD.document_id) = 'dispense' "
        "AND json_valid(OLD.detail) AND json(OLD.detail) = json_object('line_no', OLD.line_no, "
        "'item_code', (SELECT code FROM item WHERE id = OLD.item_id), 'qty_prescribed', OLD.qty_prescribed, "
        "'qty_dispensed', OLD.qty, 'not_available', OLD.qty_prescribed - OLD.qty)) "
        "BEGIN SELECT RAISE(ABORT, 'document_line rows are never edited'); END"
    )
    # No query reads movements by item (the reports read movement_day_kind, a document's
    # movements come by movement_document): 81 MB of the five-year file, and without it the
    # doctor's consumption check runs from the documents (58 s against 80 s there).
    db.execute("DROP INDEX IF EXISTS movement_item_day")


@migrations(name="m012_search_stamp")
def m012_search_stamp(db: Database) -> None:
    """A count of the catalogue's changes, kept by the database itself: the item search holds
    the catalogue in memory (``store/item_search.py``), reads this one row before it answers,
    and builds its index again when the count moved.

    Triggers, not the code, count: an item changed by the sync worker's connection, by a
    catalogue import from the command line while the program runs, or by hand is counted
    alike. Every column counts (a hit shows the item's unit and strength too). A catalogue
    changes a few times a month, so the triggers cost nothing a counter would notice.
    """
    db.execute("CREATE TABLE search_stamp (id INTEGER PRIMARY KEY CHECK (id = 1), "
               "catalogue_changes INTEGER NOT NULL DEFAULT 0)")
    db.execute("INSERT INTO search_stamp (id) VALUES (1)")
    for change in ("INSERT", "UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER item_{change.lower()}_search_stamp AFTER {change} ON item "
            "BEGIN UPDATE search_stamp SET catalogue_changes = catalogue_changes + 1 WHERE id = 1; END"
        )


@migrations(name="m013_withdrawn_vouchers")
def m013_withdrawn_vouchers(db: Database) -> None:
    """A transfer another facility sent, then reversed: the server withdraws its voucher and
    the pull says so (``withdrawn``, docs/indents.md). The pulled voucher keeps the sender's
    reversal number and date (``withdrawn_by``, ``withdrawn_on``); a withdrawn voucher is
    never received (``store/vouchers.py``). Two columns, nothing rewritten."""
    _script(
        db,
        """
        ALTER TABLE voucher ADD COLUMN withdrawn_by TEXT;
        ALTER TABLE voucher ADD COLUMN withdrawn_on TEXT
        """,
    )


def latest_version() -> str:
    """Name of the newest migration: the schema version a fresh database gets."""
    return migrations._migrations[-1].name


def migration_names() -> list[str]:
    """Every migration's name, oldest first."""
    return [migration.name for migration in migrations._migrations]
