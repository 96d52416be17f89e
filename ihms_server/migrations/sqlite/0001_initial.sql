-- The state server's first schema on SQLite (the embedded default): master data, devices, the permanent event
-- log, the per-facility stock projection and the catalogue change log.

CREATE TABLE server_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
-- A catalogue cursor names the instance that issued it, so a cursor from another server or
-- from before a reset is recognised as unknown instead of silently skipping changes.
INSERT INTO server_meta (key, value) VALUES ('instance_id', lower(hex(randomblob(16))));

CREATE TABLE facility (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    district   text NOT NULL,
    block      text NOT NULL,
    type       text NOT NULL CHECK (type IN ('CHC', 'PHC', 'DH', 'SDH', 'SC')),
    active     integer NOT NULL DEFAULT 1,
    updated_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX facility_district ON facility (district, block, code);

CREATE TABLE item (
    code          text PRIMARY KEY,
    name          text NOT NULL,
    generic_name  text NOT NULL DEFAULT '',
    strength      text NOT NULL DEFAULT '',
    dosage_form   text NOT NULL DEFAULT '',
    unit_of_issue text NOT NULL,
    category      text NOT NULL CHECK (category IN ('drug', 'surgical', 'suture')),
    min_stock     integer NOT NULL DEFAULT 0 CHECK (min_stock >= 0),
    active        integer NOT NULL DEFAULT 1,
    updated_at    text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Every change of an item or facility, in the order desks must apply them. SQLite runs one
-- writer at a time, so id order is commit order; txid stays 0 and only keeps cursors in the
-- same shape as on PostgreSQL.
CREATE TABLE catalog_change (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    txid       integer NOT NULL DEFAULT 0,
    entity     text NOT NULL CHECK (entity IN ('item', 'facility')),
    key        text NOT NULL,
    data       text NOT NULL,
    changed_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX catalog_change_order ON catalog_change (txid, id);

CREATE TABLE enrolment_code (
    code_hash     text PRIMARY KEY,
    facility_code text NOT NULL REFERENCES facility (code),
    created_at    text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at    text NOT NULL,
    used_at       text,
    device_id     text
);

CREATE TABLE device (
    device_id       text PRIMARY KEY,
    facility_code   text NOT NULL REFERENCES facility (code),
    name            text NOT NULL,
    token_hash      text NOT NULL UNIQUE,
    enrolled_at     text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at      text,
    last_push_at    text,
    events_received bigint NOT NULL DEFAULT 0
);
CREATE INDEX device_facility ON device (facility_code);

-- The permanent event log: one row per event id, never updated or deleted.
CREATE TABLE event (
    event_id       text PRIMARY KEY,
    device_id      text NOT NULL REFERENCES device (device_id),
    facility_code  text NOT NULL REFERENCES facility (code),
    epoch          integer NOT NULL,
    sequence       bigint NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    hlc            text NOT NULL,
    wall_time      text NOT NULL,
    doc_number     text NOT NULL,
    body           text NOT NULL,  -- the whole event as received
    content_hash   text NOT NULL,
    received_at    text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (device_id, epoch, sequence)
);
CREATE INDEX event_facility_received ON event (facility_code, received_at);

-- How far each device's sequence has got per epoch; a gap exists when fewer events are
-- stored than the highest sequence seen, and only then are the missing ranges looked up.
CREATE TABLE device_epoch (
    device_id     text NOT NULL REFERENCES device (device_id),
    epoch         integer NOT NULL,
    stored_count  bigint NOT NULL,
    max_sequence  bigint NOT NULL,
    PRIMARY KEY (device_id, epoch)
);

-- The stock projection: the sum of every stored movement per facility and batch. It may go
-- negative for a while because events of one desk can arrive in any order.
CREATE TABLE stock (
    facility_code text NOT NULL REFERENCES facility (code),
    item_code     text NOT NULL,
    batch_no      text NOT NULL,
    expiry_month  text NOT NULL,
    qty           bigint NOT NULL,
    updated_at    text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (facility_code, item_code, batch_no)
);
