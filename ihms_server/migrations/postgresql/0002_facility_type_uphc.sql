-- UPHC (urban primary health centre) becomes a facility type, as the desk already has it.
-- The CHECK of 0001 was named by PostgreSQL (<table>_<column>_check); it is dropped by that
-- name, without IF EXISTS, so that a database where it is missing fails here instead of
-- ending up with two checks, and re-added under the same name with the wider list. Both run
-- in the migration's transaction; the new check is validated against every existing row.

ALTER TABLE facility DROP CONSTRAINT facility_type_check;
ALTER TABLE facility ADD CONSTRAINT facility_type_check
    CHECK (type IN ('CHC', 'PHC', 'UPHC', 'DH', 'SDH', 'SC'));
