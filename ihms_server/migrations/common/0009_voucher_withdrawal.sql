-- A transfer to another facility becomes a voucher that facility pulls; when the sender
-- reverses the transfer, the stock is back on its shelf and the voucher must not be received
-- as well (the units would exist twice). See ihms_server/indents.py and docs/indents.md.

-- 1. Every reversal of a transfer, as it arrived: also when it arrives before the transfer
--    itself (a transfer refused and sent again under a fresh epoch), so that the transfer's
--    voucher is then never issued.
CREATE TABLE transfer_reversal (
    facility_code   text NOT NULL,
    transfer_number text NOT NULL,
    reversal_number text NOT NULL,
    reversed_on     text NOT NULL,
    received_at     {time} NOT NULL,
    PRIMARY KEY (facility_code, transfer_number)
);

-- 2. The voucher withdrawn: when (withdrawn_at), if the receiver had not received it. One
--    the receiver received all the same (before or after the withdrawal) is a conflict the
--    district settles, with who settled it and how.
ALTER TABLE voucher ADD COLUMN withdrawn_at {time};
ALTER TABLE voucher ADD COLUMN conflict_settled_at {time};
ALTER TABLE voucher ADD COLUMN conflict_settled_by text;
ALTER TABLE voucher ADD COLUMN conflict_note text;
