-- 0005 on PostgreSQL, after the common script of the same name: each facility's first dispense
-- received (with the desk's own time and number of it).
UPDATE facility_rollout AS r SET first_dispense_at = first.received_at,
    first_dispense_saved_at = first.wall_time, first_dispense_number = first.doc_number
    FROM (SELECT DISTINCT ON (facility_code) facility_code, received_at, wall_time, doc_number
          FROM event WHERE type = 'dispense' ORDER BY facility_code, received_at, wall_time) AS first
    WHERE r.facility_code = first.facility_code;
