-- A receipt against a voucher may be reversed on the desk (the wrong voucher received, or
-- wrong counts); the voucher then waits again and the indent lines it closed open again,
-- unless the warehouse itself closed the indent ("nothing more will be issued"). Which
-- closes were the warehouse's was not kept before: this keeps it (ihms_server/indents.py).
ALTER TABLE indent ADD COLUMN warehouse_closed_at {time};

-- Filled for indents closed before: the warehouse closed an indent at the moment of a line
-- closed that no receipt had closed by then (a receipt closes a line at its own moment, the
-- warehouse every line still open at its moment).
UPDATE indent SET warehouse_closed_at = (
    SELECT min(l.closed_at) FROM indent_line l
    WHERE l.indent_id = indent.id AND l.closed_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM voucher v JOIN voucher_line vl ON vl.voucher_id = v.id
        WHERE v.indent_id = l.indent_id AND vl.item_code = l.item_code
          AND v.received_at IS NOT NULL AND v.received_at <= l.closed_at));
