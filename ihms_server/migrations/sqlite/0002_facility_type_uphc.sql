-- UPHC (urban primary health centre) becomes a facility type, as the desk already has it.
--
-- SQLite cannot change a CHECK constraint in place, so the facility table is rebuilt the way
-- SQLite documents for any other change of a table's definition
-- (https://www.sqlite.org/lang_altertable.html#otheralter): a new table with the new
-- definition, every row copied (rowid too), the old table dropped, the new one renamed to the
-- old name, its indexes made again. The runner turns foreign keys off before this script's
-- transaction (PRAGMA foreign_keys does nothing inside one) and runs PRAGMA foreign_key_check
-- before COMMIT. The table is renamed new -> old, never old -> something, so the foreign keys
-- of enrolment_code, device, event and stock, which name "facility", stay as they are.
-- facility has one index (facility_district) and no trigger; no view uses it.

CREATE TABLE new_facility (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    district   text NOT NULL,
    block      text NOT NULL,
    type       text NOT NULL CHECK (type IN ('CHC', 'PHC', 'UPHC', 'DH', 'SDH', 'SC')),
    active     integer NOT NULL DEFAULT 1,
    updated_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

INSERT INTO new_facility (rowid, code, name, district, block, type, active, updated_at)
    SELECT rowid, code, name, district, block, type, active, updated_at FROM facility;

DROP TABLE facility;

ALTER TABLE new_facility RENAME TO facility;

CREATE INDEX facility_district ON facility (district, block, code);
