-- A district's rollout (issue 16). The SQLite script of the same number explains each step.

ALTER TABLE enrolment_code ADD COLUMN kind text NOT NULL DEFAULT 'single'
    CHECK (kind IN ('single', 'rollout'));
ALTER TABLE enrolment_code ADD COLUMN revoked_at timestamptz;
ALTER TABLE enrolment_code ADD COLUMN package_id text;
CREATE INDEX enrolment_code_facility ON enrolment_code (facility_code, created_at);

CREATE TABLE server_setting (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL
);

ALTER TABLE device ADD COLUMN last_seen_at timestamptz;
UPDATE device SET last_seen_at = last_push_at;
CREATE TABLE facility_rollout (
    facility_code           text PRIMARY KEY REFERENCES facility (code),
    first_sync_at           timestamptz,
    first_dispense_at       timestamptz,
    first_dispense_saved_at timestamptz,
    first_dispense_number   text
);
INSERT INTO facility_rollout (facility_code, first_sync_at)
    SELECT facility_code, min(received_at) FROM event GROUP BY facility_code;
UPDATE facility_rollout AS r SET first_dispense_at = first.received_at,
    first_dispense_saved_at = first.wall_time, first_dispense_number = first.doc_number
    FROM (SELECT DISTINCT ON (facility_code) facility_code, received_at, wall_time, doc_number
          FROM event WHERE type = 'dispense' ORDER BY facility_code, received_at, wall_time) AS first
    WHERE r.facility_code = first.facility_code;
