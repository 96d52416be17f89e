-- Issue 15: patient data kept to what the state needs, and enrolment codes no longer guessable.

-- 1. Every enrolment attempt, kept in the database (not in a worker's memory) so that the limit
--    holds across requests, across the worker processes of `serve --workers N` and across a
--    restart, and so that the attempts can be read back later (ihms_server/security.py). The
--    client is the address uvicorn reports (behind a reverse proxy, the proxy's
--    X-Forwarded-For; an IPv6 address as its /64). Attempts refused by the limit itself are
--    logged, not kept. Rows older than 30 days are pruned as new attempts come in.
CREATE TABLE enrolment_attempt (
    id            {identity_id},
    attempted_at  {time} NOT NULL,
    facility_code text NOT NULL,
    client        text NOT NULL,
    outcome       text NOT NULL   -- 'enrolled' or the refusal ('unknown', 'used', ...)
);
CREATE INDEX enrolment_attempt_facility ON enrolment_attempt (facility_code, attempted_at);
CREATE INDEX enrolment_attempt_client ON enrolment_attempt (client, attempted_at);
CREATE INDEX enrolment_attempt_time ON enrolment_attempt (attempted_at);

-- 2. Stored events keep patient identifiers only while the state has patient-level reporting on
--    (ihms_server/privacy.py): the events stored before this migration are redacted by the
--    program right after it (it must hash each event's identity first, which SQL cannot spell
--    the way the protocol does), and this marks how far that got.
INSERT INTO server_meta (key, value) VALUES ('redacted_through', '');
