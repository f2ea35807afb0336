"""The store's schema as numbered migrations. ``PRAGMA user_version`` says which have run;
an old store is brought up to date when it is opened."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: orders, their cancellation requests and disputes, the audit log, the outbox --------
    """
    CREATE TABLE orders (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        supplier TEXT NOT NULL,
        supplier_order_id TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        name_num INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        supplier_status TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        paid_at INTEGER,
        shipped_at INTEGER,
        delivered_at INTEGER,
        payment TEXT NOT NULL DEFAULT '',
        currency TEXT NOT NULL,
        total_price INTEGER NOT NULL,
        total_cost INTEGER NOT NULL,
        profit INTEGER NOT NULL,
        shipping_cost INTEGER,
        customer_name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
        customer_email TEXT NOT NULL DEFAULT '',
        customer_phone TEXT NOT NULL DEFAULT '',
        address1 TEXT NOT NULL DEFAULT '',
        address2 TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '',
        province TEXT NOT NULL DEFAULT '',
        zip TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        items_summary TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
        items_text TEXT NOT NULL DEFAULT '',
        quantity INTEGER NOT NULL DEFAULT 0,
        items TEXT NOT NULL DEFAULT '[]',
        carrier TEXT NOT NULL DEFAULT '',
        tracking_number TEXT NOT NULL DEFAULT '',
        tracking_url TEXT NOT NULL DEFAULT '',
        events BLOB,
        last_event TEXT NOT NULL DEFAULT '',
        last_event_at INTEGER,
        supplier_url TEXT NOT NULL DEFAULT '',
        cancellation_state TEXT,
        dispute_state TEXT,
        synced_at INTEGER NOT NULL,
        UNIQUE (supplier, supplier_order_id)
    );
    CREATE INDEX orders_created ON orders (created_at, id);
    CREATE INDEX orders_status ON orders (status, created_at, id);
    CREATE INDEX orders_name ON orders (name);

    CREATE TABLE cancellations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        requested_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        source TEXT NOT NULL,
        supplier_message TEXT NOT NULL DEFAULT '',
        client_key TEXT NOT NULL DEFAULT '',
        history TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX cancellations_order ON cancellations (order_id, id);
    -- one live request per order, even when two sessions press `c` at the same moment
    CREATE UNIQUE INDEX cancellations_one_active ON cancellations (order_id)
        WHERE state IN ('requested', 'info_requested');

    CREATE TABLE disputes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        supplier_dispute_id TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '[]',
        messages TEXT NOT NULL DEFAULT '[]',
        offer INTEGER,
        refunded INTEGER,
        source TEXT NOT NULL,
        client_key TEXT NOT NULL DEFAULT '',
        history TEXT NOT NULL DEFAULT '[]',
        last_message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX disputes_order ON disputes (order_id, id);
    CREATE INDEX disputes_state ON disputes (state, updated_at);
    CREATE UNIQUE INDEX disputes_one_open ON disputes (order_id)
        WHERE state NOT IN ('resolved_refunded', 'resolved_rejected', 'withdrawn');

    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        order_id INTEGER,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_order ON audit (order_id, id);
    CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        order_id INTEGER NOT NULL,
        supplier TEXT NOT NULL,
        action TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        ambiguous INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        next_at INTEGER NOT NULL,
        first_sent_at INTEGER,
        last_error TEXT NOT NULL DEFAULT '',
        result TEXT
    );
    CREATE INDEX outbox_due ON outbox (state, next_at);
    CREATE INDEX outbox_order ON outbox (order_id);

    CREATE TABLE sync_state (
        supplier TEXT PRIMARY KEY,
        cursor TEXT,
        started_at INTEGER,
        finished_at INTEGER,
        last_error TEXT NOT NULL DEFAULT '',
        next_retry_at INTEGER
    );
    """,
    # 2: search, "needs attention", sort indexes and counts kept by triggers --------------
    """
    ALTER TABLE orders ADD COLUMN attention INTEGER NOT NULL DEFAULT 0;
    UPDATE orders SET attention = 1
        WHERE cancellation_state = 'info_requested' OR dispute_state = 'awaiting_merchant';
    CREATE INDEX orders_attention ON orders (attention, created_at, id) WHERE attention = 1;
    CREATE INDEX orders_total ON orders (total_price, id);
    CREATE INDEX orders_cost ON orders (total_cost, id);
    CREATE INDEX orders_profit ON orders (profit, id);
    CREATE INDEX orders_customer ON orders (customer_name, id);
    CREATE INDEX orders_country ON orders (country, created_at, id);
    CREATE INDEX orders_items ON orders (items_summary, id);
    CREATE INDEX orders_supplier ON orders (supplier, created_at, id);
    CREATE INDEX orders_tracking ON orders (tracking_number, id);
    CREATE INDEX orders_name_num ON orders (name_num, id);

    CREATE VIRTUAL TABLE orders_fts USING fts5 (
        name, supplier_order_id, customer_name, customer_email, tracking_number, items_text,
        content = 'orders', content_rowid = 'id', detail = none,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
    );
    INSERT INTO orders_fts (orders_fts) VALUES ('rebuild');
    CREATE TRIGGER orders_fts_i AFTER INSERT ON orders BEGIN
        INSERT INTO orders_fts (rowid, name, supplier_order_id, customer_name, customer_email,
                                tracking_number, items_text)
        VALUES (new.id, new.name, new.supplier_order_id, new.customer_name, new.customer_email,
                new.tracking_number, new.items_text);
    END;
    CREATE TRIGGER orders_fts_d AFTER DELETE ON orders BEGIN
        INSERT INTO orders_fts (orders_fts, rowid, name, supplier_order_id, customer_name,
                                customer_email, tracking_number, items_text)
        VALUES ('delete', old.id, old.name, old.supplier_order_id, old.customer_name,
                old.customer_email, old.tracking_number, old.items_text);
    END;
    CREATE TRIGGER orders_fts_u AFTER UPDATE OF name, supplier_order_id, customer_name,
            customer_email, tracking_number, items_text ON orders BEGIN
        INSERT INTO orders_fts (orders_fts, rowid, name, supplier_order_id, customer_name,
                                customer_email, tracking_number, items_text)
        VALUES ('delete', old.id, old.name, old.supplier_order_id, old.customer_name,
                old.customer_email, old.tracking_number, old.items_text);
        INSERT INTO orders_fts (rowid, name, supplier_order_id, customer_name, customer_email,
                                tracking_number, items_text)
        VALUES (new.id, new.name, new.supplier_order_id, new.customer_name, new.customer_email,
                new.tracking_number, new.items_text);
    END;

    -- how many orders each (supplier, status, attention) has, so that the orders screen
    -- never counts a million rows to show a number
    CREATE TABLE order_counts (
        supplier TEXT NOT NULL, status TEXT NOT NULL, attention INTEGER NOT NULL,
        n INTEGER NOT NULL, PRIMARY KEY (supplier, status, attention)
    ) WITHOUT ROWID;
    INSERT INTO order_counts (supplier, status, attention, n)
        SELECT supplier, status, attention, COUNT(*) FROM orders
        GROUP BY supplier, status, attention;
    CREATE TRIGGER order_counts_i AFTER INSERT ON orders BEGIN
        INSERT INTO order_counts (supplier, status, attention, n)
            VALUES (new.supplier, new.status, new.attention, 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER order_counts_d AFTER DELETE ON orders BEGIN
        UPDATE order_counts SET n = n - 1 WHERE supplier = old.supplier
            AND status = old.status AND attention = old.attention;
    END;
    CREATE TRIGGER order_counts_u AFTER UPDATE OF supplier, status, attention ON orders
        WHEN old.supplier IS NOT new.supplier OR old.status IS NOT new.status
             OR old.attention IS NOT new.attention BEGIN
        UPDATE order_counts SET n = n - 1 WHERE supplier = old.supplier
            AND status = old.status AND attention = old.attention;
        INSERT INTO order_counts (supplier, status, attention, n)
            VALUES (new.supplier, new.status, new.attention, 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    """,
    # 3: returns, refunds, money recovered from suppliers, the returns stock, and what the
    # buyer-protection filter needs (each supplier's window; delivery dates per supplier) ----
    """
    CREATE TABLE returns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        destination TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        tracking_number TEXT NOT NULL DEFAULT '',
        condition TEXT NOT NULL DEFAULT '',
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        history TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX returns_order ON returns (order_id, id);
    CREATE INDEX returns_state ON returns (state, updated_at);

    CREATE TABLE return_items (
        return_id INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
        item_key TEXT NOT NULL,
        sku TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        variant TEXT NOT NULL DEFAULT '',
        product_id TEXT NOT NULL DEFAULT '',
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        UNIQUE (return_id, item_key)
    );

    CREATE TABLE refunds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        reason TEXT NOT NULL,
        item_returned INTEGER NOT NULL DEFAULT 0,
        return_id INTEGER REFERENCES returns (id) ON DELETE SET NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX refunds_order ON refunds (order_id, id);
    CREATE INDEX refunds_return ON refunds (return_id);

    CREATE TABLE recoveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        at INTEGER NOT NULL
    );
    CREATE INDEX recoveries_order ON recoveries (order_id, id);

    CREATE TABLE stock (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sku TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        variant TEXT NOT NULL DEFAULT '',
        product_id TEXT NOT NULL DEFAULT '',
        restocked INTEGER NOT NULL CHECK (restocked > 0),
        used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= restocked),
        condition TEXT NOT NULL DEFAULT '',
        order_id INTEGER REFERENCES orders (id) ON DELETE CASCADE,
        return_id INTEGER REFERENCES returns (id) ON DELETE CASCADE,
        unit_cost INTEGER,
        currency TEXT NOT NULL DEFAULT '',
        restocked_at INTEGER NOT NULL
    );
    CREATE INDEX stock_sku ON stock (sku, id);
    CREATE INDEX stock_order ON stock (order_id);
    CREATE INDEX stock_return ON stock (return_id);

    CREATE TABLE stock_uses (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        stock_id INTEGER NOT NULL REFERENCES stock (id) ON DELETE CASCADE,
        order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        at INTEGER NOT NULL
    );
    CREATE INDEX stock_uses_stock ON stock_uses (stock_id);
    CREATE INDEX stock_uses_order ON stock_uses (order_id, id);

    -- each configured supplier's buyer-protection window, written from the config by the
    -- services, so that "protection ends within N days" is one indexed query
    CREATE TABLE supplier_protection (
        supplier TEXT PRIMARY KEY,
        days INTEGER NOT NULL,
        basis TEXT NOT NULL CHECK (basis IN ('delivery', 'order'))
    ) WITHOUT ROWID;
    CREATE INDEX orders_supplier_delivered ON orders (supplier, delivered_at)
        WHERE delivered_at IS NOT NULL;
    """,
    # 4: search prefixes of 5 and 6 characters kept in the index too: a name typed into the
    # live filter ("willia") is found from the index's prefix lists, not by merging every
    # matching word (about 7 times faster at a million orders)
    """
    DROP TABLE orders_fts;
    CREATE VIRTUAL TABLE orders_fts USING fts5 (
        name, supplier_order_id, customer_name, customer_email, tracking_number, items_text,
        content = 'orders', content_rowid = 'id', detail = none,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4 5 6'
    );
    INSERT INTO orders_fts (orders_fts) VALUES ('rebuild');
    """,
    # 5: what the suppliers decided, as news for every session open on the store: the one
    # that synced it and the one that asked alike (an append-only tail each session reads
    # from where it last read)
    """
    CREATE TABLE news (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        order_id INTEGER,
        order_name TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,
        old TEXT,
        new TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT ''
    );
    """,
    # 6: money as it actually moved (a cancelled order's sale and supplier charge count for
    # nothing: the sort indexes follow what the table shows), the refund a cancelled order
    # owes its customer as something that needs attention, and stalled tracking found fast
    """
    ALTER TABLE orders ADD COLUMN counted_price INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE orders ADD COLUMN counted_cost INTEGER NOT NULL DEFAULT 0;
    UPDATE orders SET
        counted_price = CASE status WHEN 'cancelled' THEN 0 ELSE total_price END,
        counted_cost = CASE status WHEN 'cancelled' THEN 0 ELSE total_cost END,
        profit = CASE status WHEN 'cancelled' THEN 0 ELSE total_price - total_cost END;
    DROP INDEX orders_total;
    DROP INDEX orders_cost;
    CREATE INDEX orders_total ON orders (counted_price, id);
    CREATE INDEX orders_cost ON orders (counted_cost, id);

    -- set when an order ordertui knew turns cancelled, cleared once its refunds reach what
    -- the customer paid; orders first seen already cancelled were settled before
    ALTER TABLE orders ADD COLUMN refund_due INTEGER NOT NULL DEFAULT 0;
    CREATE TRIGGER orders_refund_due AFTER UPDATE OF status ON orders
        WHEN new.status = 'cancelled' AND old.status != 'cancelled' AND new.total_price > 0
    BEGIN
        UPDATE orders SET refund_due = 1 WHERE id = new.id
            AND COALESCE((SELECT SUM(amount) FROM refunds WHERE order_id = new.id), 0)
                < new.total_price;
    END;
    CREATE TRIGGER refunds_settle AFTER INSERT ON refunds BEGIN
        UPDATE orders SET refund_due = 0 WHERE id = new.order_id AND refund_due = 1
            AND (SELECT SUM(amount) FROM refunds WHERE order_id = new.order_id)
                >= total_price;
    END;
    -- what needs the merchant, kept with the order: the supplier asks about a cancellation,
    -- a dispute waits on them, or a cancelled order still owes its customer a refund
    CREATE TRIGGER orders_attention_flag AFTER UPDATE OF cancellation_state, dispute_state,
            refund_due ON orders BEGIN
        UPDATE orders SET attention = (new.cancellation_state IS 'info_requested'
                                       OR new.dispute_state IS 'awaiting_merchant'
                                       OR new.refund_due = 1)
            WHERE id = new.id AND attention IS NOT (new.cancellation_state IS 'info_requested'
                                                    OR new.dispute_state IS 'awaiting_merchant'
                                                    OR new.refund_due = 1);
    END;
    CREATE INDEX orders_stalled ON orders (COALESCE(last_event_at, shipped_at))
        WHERE status = 'shipped';
    """,
    # 7: the merchant's shops: their orders (what the customer bought and paid), each shop's
    # sync cursor, the links from supplier orders to the shop orders they were placed for,
    # suggestions the merchant turned down, and exchange rates by day
    """
    CREATE TABLE shop_orders (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        shop TEXT NOT NULL,
        shop_order_id TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        cancelled_at INTEGER,
        financial_status TEXT NOT NULL,
        fulfillment_status TEXT NOT NULL,
        currency TEXT NOT NULL,
        total INTEGER NOT NULL,
        shipping INTEGER NOT NULL,
        taxes INTEGER NOT NULL,
        refunded INTEGER NOT NULL,
        customer_name TEXT NOT NULL DEFAULT '',
        customer_email TEXT NOT NULL DEFAULT '',
        zip TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        -- paid, not cancelled, something still to send: somebody has to order it
        waiting INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL,
        synced_at INTEGER NOT NULL,
        UNIQUE (shop, shop_order_id)
    );
    CREATE INDEX shop_orders_name ON shop_orders (name, shop);
    CREATE INDEX shop_orders_waiting ON shop_orders (created_at) WHERE waiting = 1;
    CREATE INDEX shop_orders_customer ON shop_orders (zip, created_at);

    CREATE TABLE shop_sync_state (
        shop TEXT PRIMARY KEY,
        cursor TEXT,
        started_at INTEGER,
        finished_at INTEGER,
        last_error TEXT NOT NULL DEFAULT ''
    );

    CREATE TABLE order_links (
        order_id INTEGER PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
        shop_order INTEGER NOT NULL REFERENCES shop_orders (id) ON DELETE CASCADE,
        source TEXT NOT NULL CHECK (source IN ('auto', 'manual')),
        -- {supplier line index: shop line id}
        lines TEXT NOT NULL DEFAULT '{}',
        linked_at INTEGER NOT NULL
    );
    CREATE INDEX order_links_shop_order ON order_links (shop_order);

    CREATE TABLE link_refusals (
        order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        shop_order INTEGER NOT NULL REFERENCES shop_orders (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        PRIMARY KEY (order_id, shop_order)
    ) WITHOUT ROWID;

    -- how many units of ``currency`` one euro buys on ``day`` (the ECB's reference rates)
    CREATE TABLE fx_rates (
        day TEXT NOT NULL,
        currency TEXT NOT NULL,
        per_eur TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (currency, day)
    ) WITHOUT ROWID;

    -- a linked order's money as the shop sold it: revenue in the shop's currency and the
    -- supplier's cost converted to it (NULL: no rate for the day, so no profit is shown)
    ALTER TABLE orders ADD COLUMN revenue INTEGER;
    ALTER TABLE orders ADD COLUMN revenue_currency TEXT;
    ALTER TABLE orders ADD COLUMN cost_converted INTEGER;
    -- the orders a sync brought, for linking them and sending their tracking to the shop
    -- (a shop order's supplier orders are found by name through orders_name)
    CREATE INDEX orders_synced ON orders (synced_at);

    -- a refund made through the shop, or in the shop's own admin and read back by a sync:
    -- the shop's id of it, so that it is counted once
    ALTER TABLE refunds ADD COLUMN shop_refund_id TEXT;
    CREATE UNIQUE INDEX refunds_shop ON refunds (shop_refund_id)
        WHERE shop_refund_id IS NOT NULL;
    """,
    # 8: who did it, when several people share a store: the login's user name, and the
    # database user it worked as (on PostgreSQL; empty on SQLite)
    """
    ALTER TABLE audit ADD COLUMN login TEXT NOT NULL DEFAULT '';
    ALTER TABLE audit ADD COLUMN db_user TEXT NOT NULL DEFAULT '';
    """,
    # 9: what an adapter must keep once for the whole team rather than once per machine (a
    # supplier's token pair, the journal of the writes it sent), as JSON by (adapter, kind,
    # key); used when the store is shared (PostgreSQL): on SQLite the adapters keep theirs
    # in their own directories, and this table stays empty
    """
    CREATE TABLE adapter_state (
        adapter TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (adapter, kind, key)
    ) WITHOUT ROWID;
    """,
]

LATEST = len(MIGRATIONS)

#: the disputes whose refund came back from the supplier (a WHERE condition on disputes)
DISPUTE_REFUNDED = "state = 'resolved_refunded' AND refunded IS NOT NULL AND refunded > 0"
