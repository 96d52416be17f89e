-- Restores, re-enrolment and refusals the district can see (issue 10).
--
-- 1. A document number names one document of a facility. The number is also kept in
--    number_key, which is unique per facility; an event that would take a number another
--    document holds is refused (number_taken). Numbers shared before this migration (a desk
--    restored from a backup, two desks of one facility) keep number_key only on the first
--    event received, so the migration never fails on old data and no later event may take
--    the number again.
ALTER TABLE event ADD COLUMN number_key text;
UPDATE event SET number_key = doc_number
    WHERE rowid IN (SELECT min(rowid) FROM event GROUP BY facility_code, doc_number);
CREATE UNIQUE INDEX event_facility_number ON event (facility_code, number_key);

-- 2. Each desk of a facility gets a number in enrolment order (1, 2, 3: letters A, B, C in
--    its document numbers' series), and the epoch it currently numbers its events in. A desk
--    restored from a backup or copied to another PC claims a fresh epoch (epoch_claim); once
--    it has, a desk still pushing under an older epoch is the older copy and is refused.
ALTER TABLE device ADD COLUMN desk_number integer;
UPDATE device SET desk_number = (
    SELECT count(*) FROM device AS earlier
    WHERE earlier.facility_code = device.facility_code
      AND (earlier.enrolled_at < device.enrolled_at
           OR (earlier.enrolled_at = device.enrolled_at AND earlier.device_id <= device.device_id)));
CREATE UNIQUE INDEX device_desk_number ON device (facility_code, desk_number);
ALTER TABLE device ADD COLUMN current_epoch integer NOT NULL DEFAULT 1;
UPDATE device SET current_epoch = coalesce(
    (SELECT max(epoch) FROM device_epoch WHERE device_epoch.device_id = device.device_id), 1);
ALTER TABLE device ADD COLUMN epoch_claimed_at text;
ALTER TABLE device ADD COLUMN epoch_claimed_by text;
ALTER TABLE device ADD COLUMN superseded_refusals bigint NOT NULL DEFAULT 0;
ALTER TABLE device ADD COLUMN last_superseded_at text;

-- Every claim of a fresh epoch: who (the PC's name), why, from which epoch. ``claim`` is the
-- desk's own random id for the claim, so a claim whose answer was lost is answered again
-- with the same epoch.
CREATE TABLE epoch_claim (
    device_id   text NOT NULL REFERENCES device (device_id),
    epoch       integer NOT NULL,
    claim       text NOT NULL,
    from_epoch  integer NOT NULL,
    reason      text NOT NULL,
    take_over   integer NOT NULL DEFAULT 0,
    claimed_by  text NOT NULL,
    claimed_at  text NOT NULL,
    PRIMARY KEY (device_id, epoch),
    UNIQUE (device_id, claim)
);

-- 3. An enrolment whose answer was lost can be retried: the desk sends the same random nonce
--    again and gets the same device (with a new token).
ALTER TABLE enrolment_code ADD COLUMN enrol_nonce text;

-- 4. Every event the server refused, with its reason, for the district's dashboard. One row
--    per device, event id and reason; a repeat counts up.
CREATE TABLE rejected_event (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    facility_code text NOT NULL REFERENCES facility (code),
    device_id     text NOT NULL REFERENCES device (device_id),
    event_id      text NOT NULL,
    epoch         integer,
    sequence      bigint,
    type          text,
    doc_number    text,
    code          text NOT NULL,
    reason        text NOT NULL,
    body          text NOT NULL,  -- the event as received (JSON, at most 64 kB of it)
    first_seen_at text NOT NULL,
    last_seen_at  text NOT NULL,
    times         bigint NOT NULL DEFAULT 1,
    UNIQUE (device_id, event_id, code)
);
CREATE INDEX rejected_event_facility ON rejected_event (facility_code, last_seen_at);
