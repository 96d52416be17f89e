-- 0009 on SQLite: the part that is more than types (the common script runs first). A desk
-- pulls its vouchers by (txid, id); a withdrawn voucher is handed out again after the desk's
-- cursor, as PostgreSQL does by giving it the withdrawing transaction's id. SQLite has no
-- transaction ids (one writer at a time), so txid becomes a counter: a withdrawal takes the
-- highest txid plus one (indents.py), and a new voucher the highest txid, so it still sorts
-- after every voucher before it. Vouchers stored before this keep txid 0, as their cursors do.
CREATE TRIGGER voucher_feed_position AFTER INSERT ON voucher
BEGIN
    UPDATE voucher SET txid = (SELECT max(txid) FROM voucher) WHERE id = NEW.id;
END;
