package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// OrderImport streams orders into a staging table with COPY and applies
// them all in one transaction at Commit: upserted by source and order id,
// so that importing the same orders again changes nothing.
//
// The customers' contact details are gathered in memory as the orders go
// by (one entry per customer, not per order), so that Commit writes each
// customer with one row instead of sorting every order by customer.
type OrderImport struct {
	ctx       context.Context
	db        *sqlx.DB
	conn      *sqlx.Conn // the import's own, for COPY (see rowCopy)
	tx        *sqlx.Tx
	copy      *rowCopy
	source    OrderSource
	rows      int
	customers map[string]*contacts
}

// contacts are a customer's contact details, each from the latest order
// that has it: by order time, then the order added last.
type contacts struct {
	email, phone, telegramID, telegramUsername, discordID dated
}

// dated is a contact detail and the time (in microseconds, as PostgreSQL
// keeps it) of the order it came from.
type dated struct {
	value string
	at    int64
}

// keep takes v unless it is empty or from an earlier order. It keeps a
// copy: v may share its memory with the whole row it was read from.
func (d *dated) keep(v string, at int64) {
	if v == "" || at < d.at {
		return
	}
	if v != d.value {
		d.value = strings.Clone(v)
	}
	d.at = at
}

// createStagingSQL creates the staging tables, and gives the joins and
// sorts of the import room to run in memory.
const createStagingSQL = `
SET LOCAL work_mem = '64MB';
CREATE TEMPORARY TABLE import_orders (
    line bigint, id text, customer_id text, ordered_at timestamptz, amount numeric, refunded numeric,
    currency text, margin numeric, status text
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_customers (
    id text, email text, phone text, telegram_id text, telegram_username text, discord_id text
) ON COMMIT DROP`

// BeginImport starts an import of orders from source.
func (s *Store) BeginImport(ctx context.Context, source OrderSource) (*OrderImport, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", err)
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin import: %w", err)
	}
	if _, err := tx.ExecContext(ctx, createStagingSQL); err != nil {
		tx.Rollback()
		conn.Close()
		return nil, fmt.Errorf("create staging tables: %w", err)
	}
	staging := startCopy(ctx, conn, `COPY import_orders (line, id, customer_id, ordered_at, amount, refunded, currency, margin, status) FROM STDIN`)
	return &OrderImport{ctx: ctx, db: s.db, conn: conn, tx: tx, copy: staging, source: source,
		customers: make(map[string]*contacts)}, nil
}

// Add queues one order. A later order with the same id wins. The COPY
// runs behind: a failure to store an order is Commit's error.
func (i *OrderImport) Add(o clv.Order) error {
	i.rows++
	status := o.Status
	if status == "" {
		status = clv.StatusPaid
	}
	c := i.copy
	c.int(i.rows)
	c.text(o.ID)
	c.text(o.CustomerID)
	c.time(o.OrderedAt)
	c.float(o.Amount)
	c.float(o.Refunded)
	c.text(o.Currency)
	if o.Margin != nil {
		c.float(*o.Margin)
	} else {
		c.null()
	}
	c.text(string(status))
	c.endRow()
	i.addContacts(&o)
	return nil
}

// addContacts notes the contact details o carries for its customer.
func (i *OrderImport) addContacts(o *clv.Order) {
	c := i.customers[o.CustomerID]
	if c == nil {
		never := dated{at: math.MinInt64}
		c = &contacts{never, never, never, never, never}
		i.customers[strings.Clone(o.CustomerID)] = c
	}
	at := o.OrderedAt.Round(time.Microsecond).UnixMicro()
	c.email.keep(o.Email, at)
	c.phone.keep(o.Phone, at)
	c.telegramID.keep(o.TelegramID, at)
	c.telegramUsername.keep(o.TelegramUsername, at)
	c.discordID.keep(o.DiscordID, at)
}

// updateCustomersSQL and insertCustomersSQL store the staged customers
// (one row each) as upsertCustomersSQL does, joined to the stored ones
// instead of one conflict at a time: a customer stored as it is stays
// untouched, not even locked. A customer stored by someone else between the
// two makes the insert fail; upsertCustomersSQL then does it all.
const (
	updateCustomersSQL = `
UPDATE customers c SET
    email = COALESCE(NULLIF(s.email, ''), c.email),
    phone = COALESCE(NULLIF(s.phone, ''), c.phone),
    telegram_id = COALESCE(NULLIF(s.telegram_id, ''), c.telegram_id),
    telegram_username = COALESCE(NULLIF(s.telegram_username, ''), c.telegram_username),
    discord_id = COALESCE(NULLIF(s.discord_id, ''), c.discord_id),
    updated_at = now()
FROM import_customers s
WHERE c.id = s.id
  AND (c.email, c.phone, c.telegram_id, c.telegram_username, c.discord_id) IS DISTINCT FROM
      (COALESCE(NULLIF(s.email, ''), c.email), COALESCE(NULLIF(s.phone, ''), c.phone),
       COALESCE(NULLIF(s.telegram_id, ''), c.telegram_id),
       COALESCE(NULLIF(s.telegram_username, ''), c.telegram_username),
       COALESCE(NULLIF(s.discord_id, ''), c.discord_id))`
	insertCustomersSQL = `
INSERT INTO customers (id, email, phone, telegram_id, telegram_username, discord_id)
SELECT id, email, phone, telegram_id, telegram_username, discord_id FROM import_customers s
WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = s.id)`
)

// upsertCustomersSQL creates the staged customers and keeps each contact
// detail they bring; an empty one leaves the stored one.
const upsertCustomersSQL = `
INSERT INTO customers AS c (id, email, phone, telegram_id, telegram_username, discord_id)
SELECT id, email, phone, telegram_id, telegram_username, discord_id FROM import_customers
ON CONFLICT (id) DO UPDATE SET
    email = COALESCE(NULLIF(EXCLUDED.email, ''), c.email),
    phone = COALESCE(NULLIF(EXCLUDED.phone, ''), c.phone),
    telegram_id = COALESCE(NULLIF(EXCLUDED.telegram_id, ''), c.telegram_id),
    telegram_username = COALESCE(NULLIF(EXCLUDED.telegram_username, ''), c.telegram_username),
    discord_id = COALESCE(NULLIF(EXCLUDED.discord_id, ''), c.discord_id),
    updated_at = now()
WHERE (c.email, c.phone, c.telegram_id, c.telegram_username, c.discord_id) IS DISTINCT FROM
      (COALESCE(NULLIF(EXCLUDED.email, ''), c.email), COALESCE(NULLIF(EXCLUDED.phone, ''), c.phone),
       COALESCE(NULLIF(EXCLUDED.telegram_id, ''), c.telegram_id),
       COALESCE(NULLIF(EXCLUDED.telegram_username, ''), c.telegram_username),
       COALESCE(NULLIF(EXCLUDED.discord_id, ''), c.discord_id))`

// saveCustomers copies the customers' contact details into their staging
// table and upserts them; it returns how many customers were created or
// changed, and those whose orders carry a platform id.
func (i *OrderImport) saveCustomers() (int, []string, error) {
	c := startCopy(i.ctx, i.conn, `COPY import_customers (id, email, phone, telegram_id, telegram_username, discord_id) FROM STDIN`)
	var withIDs []string
	for id, cust := range i.customers {
		c.text(id)
		c.text(cust.email.value)
		c.text(cust.phone.value)
		c.text(cust.telegramID.value)
		c.text(cust.telegramUsername.value)
		c.text(cust.discordID.value)
		c.endRow()
		if cust.telegramID.value != "" || cust.discordID.value != "" {
			withIDs = append(withIDs, id)
		}
	}
	if err := c.end(); err != nil {
		return 0, nil, fmt.Errorf("copy customers: %w", err)
	}
	if _, err := i.tx.ExecContext(i.ctx, `ANALYZE import_customers`); err != nil {
		return 0, nil, fmt.Errorf("analyze staged customers: %w", err)
	}
	var saved int
	done, err := i.try("save customers", func() error {
		for _, query := range []string{updateCustomersSQL, insertCustomersSQL} {
			res, err := i.tx.ExecContext(i.ctx, query)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			saved += int(n)
		}
		return nil
	}, "23505") // unique_violation
	if err != nil || done {
		return saved, withIDs, err
	}
	res, err := i.tx.ExecContext(i.ctx, upsertCustomersSQL)
	if err != nil {
		return 0, nil, fmt.Errorf("save customers: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), withIDs, nil
}

// insertOrdersSQL writes the staged orders of source $1, for its first
// import: no conflict to look for, no stored row to compare.
const insertOrdersSQL = `
INSERT INTO orders (id, customer_id, ordered_at, amount, refunded, currency, margin, status, source)
SELECT id, customer_id, ordered_at, amount, refunded, currency, margin, status, $1 FROM import_orders`

// upsertOrdersSQL writes the staged orders of source $1 and counts new and
// changed ones; an order stored as it is stays untouched. %s picks the rows:
// all of them, or the last of each id when an id was added twice.
const upsertOrdersSQL = `
WITH up AS (
    INSERT INTO orders AS o (id, customer_id, ordered_at, amount, refunded, currency, margin, status, source)
    %s
    ON CONFLICT (source, id) DO UPDATE SET
        customer_id = EXCLUDED.customer_id, ordered_at = EXCLUDED.ordered_at, amount = EXCLUDED.amount,
        refunded = EXCLUDED.refunded, currency = EXCLUDED.currency, margin = EXCLUDED.margin,
        status = EXCLUDED.status, updated_at = now()
    WHERE (o.customer_id, o.ordered_at, o.amount, o.refunded, o.currency, o.margin, o.status) IS DISTINCT FROM
          (EXCLUDED.customer_id, EXCLUDED.ordered_at, EXCLUDED.amount, EXCLUDED.refunded, EXCLUDED.currency,
           EXCLUDED.margin, EXCLUDED.status)
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up`

const (
	stagedOrders     = `SELECT id, customer_id, ordered_at, amount, refunded, currency, margin, status, $1 FROM import_orders`
	lastStagedOrders = `SELECT DISTINCT ON (id) id, customer_id, ordered_at, amount, refunded, currency, margin, status, $1
    FROM import_orders ORDER BY id, line DESC`
)

// saveOrders writes the staged orders, counting them in res, the cheapest
// way that works: a plain insert for the source's first import (checking
// the foreign keys once for all when the table is empty, see
// insertIntoEmpty); an upsert of every staged row when the insert meets a
// stored order (one stored meanwhile, or an id staged twice); and when an
// id was staged twice, an upsert of the last row of each id, which has to
// sort them. A way that fails is undone to a savepoint, and the next one is
// tried.
func (i *OrderImport) saveOrders(res *ImportResult) error {
	var first bool
	if err := i.tx.GetContext(i.ctx, &first, `SELECT NOT EXISTS (SELECT 1 FROM orders WHERE source = $1)`, string(i.source)); err != nil {
		return fmt.Errorf("look for %s orders: %w", i.source, err)
	}
	if first {
		done, err := i.try("save orders", func() error {
			if i.rows >= bulkOrders {
				return i.insertIntoEmpty()
			}
			_, err := i.tx.ExecContext(i.ctx, insertOrdersSQL, string(i.source))
			return err
		}, "23505", "40P01", "42501") // unique_violation; locking or altering the tables: deadlock_detected, insufficient_privilege
		if err != nil {
			return err
		}
		if done {
			res.Inserted = i.rows
			return nil
		}
	}
	done, err := i.try("save orders", func() error {
		return i.upsertOrders(res, stagedOrders, i.rows)
	}, "21000") // cardinality_violation: an id staged twice, "cannot affect row a second time"
	if done || err != nil {
		return err
	}
	var distinct int
	if err := i.tx.GetContext(i.ctx, &distinct, `SELECT count(DISTINCT id) FROM import_orders`); err != nil {
		return fmt.Errorf("count orders: %w", err)
	}
	if err := i.upsertOrders(res, lastStagedOrders, distinct); err != nil {
		return fmt.Errorf("save orders: %w", err)
	}
	return nil
}

// bulkOrders is how many orders make an import into an empty orders table
// worth locking it (see insertIntoEmpty).
const bulkOrders = 10_000

// errNotEmpty says that the orders table was not empty once locked.
var errNotEmpty = errors.New("orders are stored")

// insertIntoEmpty inserts the staged orders into an empty orders table
// with its foreign keys set aside, and puts them back, which checks every
// order's customer in one join instead of one lookup per order (which
// costs more than the insert itself). It locks orders and customers for
// the rest of the transaction, waiting at most 2 seconds for them; when
// they stay busy, or orders turn out not to be empty, it fails with 55P03
// or errNotEmpty, for try to undo (as it undoes 42501, when Hearth's role
// may not lock or alter the tables).
func (i *OrderImport) insertIntoEmpty() error {
	if _, err := i.tx.ExecContext(i.ctx, `SET LOCAL lock_timeout = '2s'`); err != nil {
		return err
	}
	if _, err := i.tx.ExecContext(i.ctx, `LOCK TABLE orders, customers IN ACCESS EXCLUSIVE MODE`); err != nil {
		return err
	}
	var empty bool
	if err := i.tx.GetContext(i.ctx, &empty, `SELECT NOT EXISTS (SELECT 1 FROM orders)`); err != nil {
		return err
	}
	if !empty {
		return errNotEmpty
	}
	var keys []struct {
		Name string `db:"name"`
		Def  string `db:"def"`
	}
	if err := i.tx.SelectContext(i.ctx, &keys, `
SELECT quote_ident(conname) AS name, pg_get_constraintdef(oid) AS def
FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f' ORDER BY conname`); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := i.tx.ExecContext(i.ctx, `ALTER TABLE orders DROP CONSTRAINT `+k.Name); err != nil {
			return err
		}
	}
	if _, err := i.tx.ExecContext(i.ctx, insertOrdersSQL, string(i.source)); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := i.tx.ExecContext(i.ctx, `ALTER TABLE orders ADD CONSTRAINT `+k.Name+` `+k.Def); err != nil {
			return err
		}
	}
	return nil
}

// try runs save (what it saves, for errors) under a savepoint and says
// whether it succeeded. When save fails with one of the SQLSTATE codes
// given, or because a lock was not granted in time (55P03) or orders were
// stored (errNotEmpty), the savepoint undoes it and try returns false and
// no error, for another way to be tried.
func (i *OrderImport) try(what string, save func() error, codes ...string) (bool, error) {
	if _, err := i.tx.ExecContext(i.ctx, `SAVEPOINT import_step`); err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	err := save()
	pqErr, isPQ := errors.AsType[*pq.Error](err)
	if errors.Is(err, errNotEmpty) || isPQ && (pqErr.Code == "55P03" || slices.Contains(codes, string(pqErr.Code))) {
		if _, err := i.tx.ExecContext(i.ctx, `ROLLBACK TO SAVEPOINT import_step`); err != nil {
			return false, fmt.Errorf("%s: %w", what, err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	if _, err := i.tx.ExecContext(i.ctx, `RELEASE SAVEPOINT import_step`); err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return true, nil
}

// upsertOrders upserts the staged rows picked by rows, distinct orders in
// all, and counts them in res.
func (i *OrderImport) upsertOrders(res *ImportResult, rows string, distinct int) error {
	var counts struct {
		Inserted int `db:"inserted"`
		Updated  int `db:"updated"`
	}
	if err := i.tx.GetContext(i.ctx, &counts, fmt.Sprintf(upsertOrdersSQL, rows), string(i.source)); err != nil {
		return err
	}
	res.Inserted, res.Updated, res.Unchanged = counts.Inserted, counts.Updated, distinct-counts.Inserted-counts.Updated
	return nil
}

// Commit applies the queued orders and links their customers to members
// by the platform ids the orders carry (members seen later are linked by
// the nightly CLV run, or when staff look them up).
func (i *OrderImport) Commit() (ImportResult, error) {
	res := ImportResult{Rows: i.rows}
	var withIDs []string // customers whose orders carry a platform id
	err := func() error {
		if err := i.copy.end(); err != nil {
			return fmt.Errorf("copy orders: %w", err)
		}
		var err error
		if res.Customers, withIDs, err = i.saveCustomers(); err != nil {
			return err
		}
		return i.saveOrders(&res)
	}()
	if err != nil {
		i.Rollback()
		return ImportResult{}, err
	}
	err = i.tx.Commit()
	i.conn.Close()
	if err != nil {
		return ImportResult{}, fmt.Errorf("commit import: %w", err)
	}
	if len(withIDs) == 0 {
		return res, nil
	}
	linked, err := linkByOrderIDs(i.ctx, i.db, withIDs, 0)
	if err != nil {
		return res, err
	}
	res.Linked = linked
	return res, nil
}

// Rollback abandons the import; nothing of it is stored. It is safe to
// call after Commit.
func (i *OrderImport) Rollback() error {
	i.copy.end() // its error does not matter: nothing is kept
	err := i.tx.Rollback()
	i.conn.Close()
	if err != nil && err != sql.ErrTxDone {
		return fmt.Errorf("roll back import: %w", err)
	}
	return nil
}
