-- Issue 14: accounts for the web pages, the district's warehouse, indents from facilities,
-- issue vouchers (the warehouse's, and transfers between facilities), what was received
-- against them, and each facility's monthly consumption (for redistribution). Written once
-- for both backends (placeholders: migrations/common/README.md); the backfill of monthly
-- consumption reads JSON differently on each, so it is in postgresql/ and sqlite/ under
-- this file's name and runs after this part.

-- 1. The district drug warehouse (DDW): one per district; its code starts its vouchers' numbers.
CREATE TABLE warehouse (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    district   text NOT NULL UNIQUE,
    created_at {time} NOT NULL
);

-- 2. Web accounts. A state admin sees everything; a district officer and a warehouse account
--    are scoped to one district (the warehouse account issues that district's vouchers).
CREATE TABLE account (
    username      text PRIMARY KEY,
    full_name     text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('state_admin', 'district_officer', 'warehouse')),
    district      text,
    password_hash text NOT NULL,
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until  {time},
    disabled_at   {time},
    created_at    {time} NOT NULL,
    last_login_at {time},
    CHECK ((role = 'state_admin') = (district IS NULL))
);

-- A logged-in browser: only the hash of its cookie is kept; each session has its own token
-- that every form posts back (CSRF).
CREATE TABLE web_session (
    token_hash   text PRIMARY KEY,
    username     text NOT NULL REFERENCES account (username),
    csrf_token   text NOT NULL,
    created_at   {time} NOT NULL,
    last_seen_at {time} NOT NULL,
    expires_at   {time} NOT NULL
);
CREATE INDEX web_session_account ON web_session (username);

-- 3. Indents as received from desks (approved documents); the lines keep what the desk
--    computed them from, and how much was issued and received against each.
CREATE TABLE indent (
    id            {serial_id},
    facility_code text NOT NULL REFERENCES facility (code),
    number        text NOT NULL,
    event_id      text NOT NULL,
    doc_date      text NOT NULL,
    received_at   {time} NOT NULL,
    to_name       text NOT NULL DEFAULT '',
    months_max    real,
    emergency     integer NOT NULL DEFAULT 0,
    approved_by   text NOT NULL DEFAULT '',
    note          text,
    status        text NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'partly_issued', 'issued', 'closed', 'cancelled')),
    closed_at     {time},
    UNIQUE (facility_code, number)
);
CREATE INDEX indent_received ON indent (received_at);

CREATE TABLE indent_line (
    indent_id         {ref} NOT NULL REFERENCES indent (id),
    line_no           integer NOT NULL,
    item_code         text NOT NULL,
    qty               bigint NOT NULL CHECK (qty > 0),
    suggested         bigint,
    usable_stock      bigint,
    amc               real,
    on_order          bigint,
    days_out_of_stock integer,
    emergency         integer NOT NULL DEFAULT 0,
    issued_qty        bigint NOT NULL DEFAULT 0,
    received_qty      bigint NOT NULL DEFAULT 0,
    closed_at         {time},
    PRIMARY KEY (indent_id, line_no)
);

-- 4. Vouchers a facility pulls: the warehouse's issue vouchers (kind 'voucher') and transfers
--    from another facility of the district (kind 'transfer'). txid: as in catalog_change.
CREATE TABLE voucher (
    id             {serial_id},
    txid           {txid},
    kind           text NOT NULL CHECK (kind IN ('voucher', 'transfer')),
    number         text NOT NULL,
    from_code      text NOT NULL,
    from_name      text NOT NULL,
    to_facility    text NOT NULL REFERENCES facility (code),
    indent_id      {ref} REFERENCES indent (id),
    issued_on      text NOT NULL,
    issued_by      text,
    suggestion_id  text,
    created_at     {time} NOT NULL,
    received_at    {time},
    receipt_number text,
    receipt_date   text,
    UNIQUE (from_code, number)
);
CREATE INDEX voucher_pull ON voucher (to_facility, txid, id);
CREATE INDEX voucher_indent ON voucher (indent_id);

CREATE TABLE voucher_line (
    voucher_id     {ref} NOT NULL REFERENCES voucher (id),
    line_no        integer NOT NULL,
    item_code      text NOT NULL,
    batch_no       text NOT NULL,
    expiry_month   text NOT NULL,
    qty            bigint NOT NULL CHECK (qty > 0),
    manufacturer   text,
    unit_cost      text,
    received_qty   bigint,
    PRIMARY KEY (voucher_id, line_no)
);

-- What a facility recorded as short, excess or damaged when it received a voucher.
CREATE TABLE receipt_difference (
    voucher_id     {ref} NOT NULL REFERENCES voucher (id),
    voucher_line   integer,
    item_code      text NOT NULL,
    batch_no       text NOT NULL DEFAULT '',
    sent           bigint NOT NULL,
    received       bigint NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('short', 'excess', 'damaged')),
    reason         text NOT NULL DEFAULT '',
    receipt_number text NOT NULL
);
CREATE INDEX receipt_difference_voucher ON receipt_difference (voucher_id);

-- 5. Redistribution: a suggestion is computed when asked; once a transfer naming it is
--    stored, it is done and never suggested again.
CREATE TABLE suggestion_done (
    suggestion_id   text PRIMARY KEY,
    from_code       text NOT NULL,
    to_code         text NOT NULL,
    item_code       text NOT NULL,
    transfer_number text NOT NULL,
    done_at         {time} NOT NULL
);
CREATE INDEX suggestion_done_pair ON suggestion_done (from_code, to_code, item_code);

-- 6. What each facility dispensed per item and month (the server's AMC), kept by every push;
--    filled here from the dispenses already stored.
CREATE TABLE consumption_month (
    facility_code text NOT NULL REFERENCES facility (code),
    item_code     text NOT NULL,
    month         text NOT NULL,
    qty           bigint NOT NULL,
    PRIMARY KEY (facility_code, item_code, month)
);
