-- 0005 on SQLite, after the common script of the same name: each facility's first dispense
-- received (with the desk's own time and number of it).
UPDATE facility_rollout SET
    first_dispense_at = (SELECT min(received_at) FROM event e WHERE e.facility_code = facility_rollout.facility_code
                         AND e.type = 'dispense'),
    first_dispense_saved_at = (SELECT wall_time FROM event e WHERE e.facility_code = facility_rollout.facility_code
                               AND e.type = 'dispense' ORDER BY received_at, wall_time LIMIT 1),
    first_dispense_number = (SELECT doc_number FROM event e WHERE e.facility_code = facility_rollout.facility_code
                             AND e.type = 'dispense' ORDER BY received_at, wall_time LIMIT 1);
