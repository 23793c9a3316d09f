-- The raw-SQL ceiling for bench/ledger.py: what ledger.post() does for a 5-line document
-- (moving-average products, one warehouse), as plain SQL in one transaction:
--   1. lock the 5 balance rows, ordered by (product, warehouse), FOR NO KEY UPDATE;
--   2. insert the 5 ledger entries (value at the document's cost for receipts, at the current
--      average for issues, the last units carrying the residue; running qty/value after);
--   3. update the 5 balances in one statement.
-- Run by bench/ledger.py with: pgbench -n -M prepared -f bench/pgbench_5line.sql
--   -D pmin=<first product id> -D nprod=<moving-average products> -D wmin=<first warehouse id>
--   -D nwh=<warehouses> -D user=<user id> -D hot=<0|1>
-- hot=1: every document's first line is the hot product (pmin) in the first warehouse.
\set stride :nprod / 5
\set base random(1, :stride - 1)
\if :hot
\set w :wmin
\set p1 :pmin
\else
\set w :wmin + random(0, :nwh - 1)
\set p1 :pmin + :base
\endif
\set p2 :pmin + :base + :stride
\set p3 :pmin + :base + 2 * :stride
\set p4 :pmin + :base + 3 * :stride
\set p5 :pmin + :base + 4 * :stride
\set d1 random(1, 5) * (2 * random(0, 1) - 1)
\set d2 random(1, 5) * (2 * random(0, 1) - 1)
\set d3 random(1, 5) * (2 * random(0, 1) - 1)
\set d4 random(1, 5) * (2 * random(0, 1) - 1)
\set d5 random(1, 5) * (2 * random(0, 1) - 1)
\set c1 random(50, 50000)
\set c2 random(50, 50000)
\set c3 random(50, 50000)
\set c4 random(50, 50000)
\set c5 random(50, 50000)
BEGIN;
SELECT id, qty, value FROM inventory_stockbalance
 WHERE warehouse_id = :w AND product_id IN (:p1, :p2, :p3, :p4, :p5)
 ORDER BY product_id, warehouse_id FOR NO KEY UPDATE;
INSERT INTO inventory_stockledgerentry
 (qty, unit_cost, value, qty_after, value_after, source_type, source_id, source_number, source_line_id,
  date, posted_at, lot_id, product_id, reversal_of_id, user_id, warehouse_id)
SELECT v.d, CASE WHEN v.d > 0 THEN v.c ELSE round(x.val / v.d, 6) END, x.val, b.qty + v.d, b.value + x.val,
       'pgbench', :client_id, 'PGBENCH', v.n, current_date, now(), NULL, v.p, NULL, :user, :w
  FROM (VALUES (1, :p1::bigint, :d1::numeric, :c1::numeric / 100), (2, :p2::bigint, :d2::numeric, :c2::numeric / 100),
               (3, :p3::bigint, :d3::numeric, :c3::numeric / 100), (4, :p4::bigint, :d4::numeric, :c4::numeric / 100),
               (5, :p5::bigint, :d5::numeric, :c5::numeric / 100)) AS v(n, p, d, c)
  JOIN inventory_stockbalance b ON b.product_id = v.p AND b.warehouse_id = :w
  CROSS JOIN LATERAL (SELECT CASE WHEN v.d > 0 THEN round(v.d * v.c, 2)
                                  WHEN b.qty + v.d = 0 THEN -b.value
                                  ELSE -round(b.value * -v.d / NULLIF(b.qty, 0), 2) END AS val) AS x
 ORDER BY v.n;
UPDATE inventory_stockbalance AS b
   SET qty = b.qty + v.d,
       value = b.value + CASE WHEN v.d > 0 THEN round(v.d * v.c, 2)
                              WHEN b.qty + v.d = 0 THEN -b.value
                              ELSE -round(b.value * -v.d / NULLIF(b.qty, 0), 2) END,
       updated_at = now()
  FROM (VALUES (:p1::bigint, :d1::numeric, :c1::numeric / 100), (:p2::bigint, :d2::numeric, :c2::numeric / 100),
               (:p3::bigint, :d3::numeric, :c3::numeric / 100), (:p4::bigint, :d4::numeric, :c4::numeric / 100),
               (:p5::bigint, :d5::numeric, :c5::numeric / 100)) AS v(p, d, c)
 WHERE b.product_id = v.p AND b.warehouse_id = :w;
END;
