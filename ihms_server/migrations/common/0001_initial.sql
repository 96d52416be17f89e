-- The state server's first schema, for both backends (placeholders: migrations/common/README.md):
-- master data, devices, the permanent event log, the per-facility stock projection and the
-- catalogue change log.

CREATE TABLE server_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
-- A catalogue cursor names the instance that issued it, so a cursor from another server or
-- from before a reset is recognised as unknown instead of silently skipping changes.
INSERT INTO server_meta (key, value) VALUES ('instance_id', {random_hex});

CREATE TABLE facility (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    district   text NOT NULL,
    block      text NOT NULL,
    type       text NOT NULL CHECK (type IN ('CHC', 'PHC', 'DH', 'SDH', 'SC')),
    active     {bool} NOT NULL DEFAULT {true},
    updated_at {time} NOT NULL DEFAULT {now}
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
    active        {bool} NOT NULL DEFAULT {true},
    updated_at    {time} NOT NULL DEFAULT {now}
);

-- Every change of an item or facility, in the order desks must apply them. txid is the
-- writing transaction's id: readers only hand out rows of transactions older than every
-- transaction still running, ordered by (txid, id), so a row committed late is never skipped.
-- SQLite runs one writer at a time, so id order is commit order there; txid stays 0 and only
-- keeps cursors in the same shape as on PostgreSQL.
CREATE TABLE catalog_change (
    id         {serial_id},
    txid       {txid},
    entity     text NOT NULL CHECK (entity IN ('item', 'facility')),
    key        text NOT NULL,
    data       {json} NOT NULL,
    changed_at {time} NOT NULL DEFAULT {now}
);
CREATE INDEX catalog_change_order ON catalog_change (txid, id);

CREATE TABLE enrolment_code (
    code_hash     text PRIMARY KEY,
    facility_code text NOT NULL REFERENCES facility (code),
    created_at    {time} NOT NULL DEFAULT {now},
    expires_at    {time} NOT NULL,
    used_at       {time},
    device_id     {uuid}
);

CREATE TABLE device (
    device_id       {uuid} PRIMARY KEY,
    facility_code   text NOT NULL REFERENCES facility (code),
    name            text NOT NULL,
    token_hash      text NOT NULL UNIQUE,
    enrolled_at     {time} NOT NULL DEFAULT {now},
    revoked_at      {time},
    last_push_at    {time},
    events_received bigint NOT NULL DEFAULT 0
);
CREATE INDEX device_facility ON device (facility_code);

-- The permanent event log: one row per event id, never updated or deleted.
CREATE TABLE event (
    event_id       {uuid} PRIMARY KEY,
    device_id      {uuid} NOT NULL REFERENCES device (device_id),
    facility_code  text NOT NULL REFERENCES facility (code),
    epoch          integer NOT NULL,
    sequence       bigint NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    hlc            text NOT NULL,
    wall_time      {time} NOT NULL,
    doc_number     text NOT NULL,
    body           {json} NOT NULL,  -- the whole event as received
    content_hash   text NOT NULL,
    received_at    {time} NOT NULL DEFAULT {now},
    UNIQUE (device_id, epoch, sequence)
);
CREATE INDEX event_facility_received ON event (facility_code, received_at);

-- How far each device's sequence has got per epoch; a gap exists when fewer events are
-- stored than the highest sequence seen, and only then are the missing ranges looked up.
CREATE TABLE device_epoch (
    device_id     {uuid} NOT NULL REFERENCES device (device_id),
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
    updated_at    {time} NOT NULL DEFAULT {now},
    PRIMARY KEY (facility_code, item_code, batch_no)
);
