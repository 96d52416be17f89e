-- A district's rollout (issue 16): codes issued in bulk with facility packages, which the
-- admin can list, re-issue and revoke; server settings; and what the rollout view shows per
-- facility (first sync, first dispense; last sync comes from the devices). Written once for
-- both backends (placeholders: migrations/common/README.md); the first dispense of each
-- facility is found differently on each, in postgresql/ and sqlite/ under this file's name.

-- 1. Enrolment codes: how each was issued ('single': `ihms-server enrol`; 'rollout': in a
--    facility package), when it was revoked, and the package it went out in.
ALTER TABLE enrolment_code ADD COLUMN kind text NOT NULL DEFAULT 'single'
    CHECK (kind IN ('single', 'rollout'));
ALTER TABLE enrolment_code ADD COLUMN revoked_at {time};
ALTER TABLE enrolment_code ADD COLUMN package_id text;
CREATE INDEX enrolment_code_facility ON enrolment_code (facility_code, created_at);

-- 2. Settings of the server the admin may change (`ihms-server setting`), such as how long a
--    rollout code stays valid. A missing key takes the program's default.
CREATE TABLE server_setting (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at {time} NOT NULL
);

-- 3. When a device last made contact (any sync pass asks where it stands, even with nothing
--    to send), and each facility's firsts: its first sync, its first dispense received (with
--    the desk's own time and number of it). Written once each, on the first occasion.
ALTER TABLE device ADD COLUMN last_seen_at {time};
UPDATE device SET last_seen_at = last_push_at;
CREATE TABLE facility_rollout (
    facility_code           text PRIMARY KEY REFERENCES facility (code),
    first_sync_at           {time},
    first_dispense_at       {time},
    first_dispense_saved_at {time},
    first_dispense_number   text
);
INSERT INTO facility_rollout (facility_code, first_sync_at)
    SELECT facility_code, min(received_at) FROM event GROUP BY facility_code;
