-- 0006 on PostgreSQL: the part that is more than types (the common script of the same name runs
-- first, see migrations/common/): monthly consumption filled from the dispenses already
-- stored, read out of each event's JSON body.
INSERT INTO consumption_month (facility_code, item_code, month, qty)
    SELECT e.facility_code, m.value ->> 'item_code',
           substr(e.body -> 'payload' -> 'document' ->> 'doc_date', 1, 7),
           -sum((m.value ->> 'qty')::bigint)
    FROM event e, jsonb_array_elements(e.body -> 'payload' -> 'movements') m
    WHERE e.type = 'dispense'
    GROUP BY 1, 2, 3;
