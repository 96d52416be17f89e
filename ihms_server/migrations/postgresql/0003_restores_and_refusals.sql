-- Restores, re-enrolment and refusals the district can see (issue 10). The SQLite script of
-- the same number explains each step.

ALTER TABLE event ADD COLUMN number_key text;
UPDATE event SET number_key = first.doc_number
    FROM (SELECT DISTINCT ON (facility_code, doc_number) event_id, doc_number FROM event
          ORDER BY facility_code, doc_number, received_at, event_id) AS first
    WHERE event.event_id = first.event_id;
CREATE UNIQUE INDEX event_facility_number ON event (facility_code, number_key);

ALTER TABLE device ADD COLUMN desk_number integer;
UPDATE device SET desk_number = numbered.n
    FROM (SELECT device_id, row_number() OVER (PARTITION BY facility_code
                                               ORDER BY enrolled_at, device_id) AS n
          FROM device) AS numbered
    WHERE device.device_id = numbered.device_id;
CREATE UNIQUE INDEX device_desk_number ON device (facility_code, desk_number);
ALTER TABLE device ADD COLUMN current_epoch integer NOT NULL DEFAULT 1;
UPDATE device SET current_epoch = coalesce(
    (SELECT max(epoch) FROM device_epoch WHERE device_epoch.device_id = device.device_id), 1);
ALTER TABLE device ADD COLUMN epoch_claimed_at timestamptz;
ALTER TABLE device ADD COLUMN epoch_claimed_by text;
ALTER TABLE device ADD COLUMN superseded_refusals bigint NOT NULL DEFAULT 0;
ALTER TABLE device ADD COLUMN last_superseded_at timestamptz;

CREATE TABLE epoch_claim (
    device_id   uuid NOT NULL REFERENCES device (device_id),
    epoch       integer NOT NULL,
    claim       text NOT NULL,
    from_epoch  integer NOT NULL,
    reason      text NOT NULL,
    take_over   boolean NOT NULL DEFAULT false,
    claimed_by  text NOT NULL,
    claimed_at  timestamptz NOT NULL,
    PRIMARY KEY (device_id, epoch),
    UNIQUE (device_id, claim)
);

ALTER TABLE enrolment_code ADD COLUMN enrol_nonce text;

CREATE TABLE rejected_event (
    id            bigserial PRIMARY KEY,
    facility_code text NOT NULL REFERENCES facility (code),
    device_id     uuid NOT NULL REFERENCES device (device_id),
    event_id      text NOT NULL,
    epoch         integer,
    sequence      bigint,
    type          text,
    doc_number    text,
    code          text NOT NULL,
    reason        text NOT NULL,
    body          text NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    times         bigint NOT NULL DEFAULT 1,
    UNIQUE (device_id, event_id, code)
);
CREATE INDEX rejected_event_facility ON rejected_event (facility_code, last_seen_at);
