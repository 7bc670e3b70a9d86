package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LinkCustomer implements community.LinkStore: the customer's row is
// locked while community.ClaimCustomer decides.
func (s *Store) LinkCustomer(ctx context.Context, member community.MemberID, customerID string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var current sql.NullInt64
		err := tx.GetContext(ctx, &current, `SELECT member_id FROM customers WHERE id = $1 FOR UPDATE`, customerID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("link customer %q: %w", customerID, err)
		}
		if link, err := community.ClaimCustomer(member, community.MemberID(current.Int64), customerID); err != nil || !link {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
UPDATE customers SET member_id = NULL, linked_at = NULL, linked_via = '', updated_at = now()
WHERE member_id = $1`, int64(member)); err != nil {
			return fmt.Errorf("unlink member %d: %w", member, err)
		}
		if _, err := tx.ExecContext(ctx, `
INSERT INTO customers (id, member_id, linked_at, linked_via) VALUES ($1, $2, now(), 'token')
ON CONFLICT (id) DO UPDATE SET member_id = $2, linked_at = now(), linked_via = 'token', updated_at = now()`,
			customerID, int64(member)); err != nil {
			return fmt.Errorf("link customer %q: %w", customerID, err)
		}
		return writeAudit(ctx, tx, community.LinkedAudit(member, customerID))
	})
}

// LinkedCustomer implements community.LinkStore.
func (s *Store) LinkedCustomer(ctx context.Context, member community.MemberID) (string, error) {
	var id string
	err := s.db.GetContext(ctx, &id, `SELECT id FROM customers WHERE member_id = $1`, int64(member))
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("customer of member %d: %w", member, err)
	}
	return id, nil
}

// CustomerExists says whether the shop customer id is known: an order of
// theirs was imported or received, or a member linked to them.
func (s *Store) CustomerExists(ctx context.Context, id string) (bool, error) {
	var known bool
	if err := s.db.GetContext(ctx, &known, `SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1)`, id); err != nil {
		return false, fmt.Errorf("customer %q: %w", id, err)
	}
	return known, nil
}

// orderIDMatchesSQL reads the facts of community.OrderIDLinks: customers
// linked to nobody whose orders carry the Telegram or Discord id of a
// member. $1 limits it to some customers and $2 to one member (NULL: all).
const orderIDMatchesSQL = `
SELECT found.customer_id, found.member_id, found.updated_at,
       EXISTS (SELECT 1 FROM customers o WHERE o.member_id = found.member_id) AS member_linked
FROM (
    SELECT c.id AS customer_id, i.member_id, c.updated_at
    FROM customers c JOIN identities i ON i.platform = 'telegram' AND i.platform_user_id = c.telegram_id
    WHERE c.member_id IS NULL AND c.telegram_id <> ''
      AND ($1::text[] IS NULL OR c.id = ANY($1)) AND ($2::bigint IS NULL OR i.member_id = $2)
    UNION ALL
    SELECT c.id, i.member_id, c.updated_at
    FROM customers c JOIN identities i ON i.platform = 'discord' AND i.platform_user_id = c.discord_id
    WHERE c.member_id IS NULL AND c.discord_id <> ''
      AND ($1::text[] IS NULL OR c.id = ANY($1)) AND ($2::bigint IS NULL OR i.member_id = $2)
) found`

// linkByOrderIDsSQL is community.OrderIDLinks over every match at once,
// set-based for imports of many customers: members linked to nobody, the
// most recently updated customer per member, the smallest member per
// customer; the links are written with their audit entries.
const linkByOrderIDsSQL = `
WITH matches AS (` + orderIDMatchesSQL + `
), per_member AS (
    SELECT DISTINCT ON (member_id) customer_id, member_id
    FROM matches WHERE NOT member_linked
    ORDER BY member_id, updated_at DESC, customer_id
), candidates AS (
    SELECT DISTINCT ON (customer_id) customer_id, member_id
    FROM per_member ORDER BY customer_id, member_id
), linked AS (
    UPDATE customers c SET member_id = cand.member_id, linked_at = now(), linked_via = 'order', updated_at = now()
    FROM candidates cand
    WHERE c.id = cand.customer_id AND c.member_id IS NULL
    RETURNING c.id, c.member_id
)
INSERT INTO audit_log (action, target_member_id, details)
SELECT $3::text, member_id, jsonb_build_object('customer', id, 'via', 'order') FROM linked` // $3: community.AuditMemberLinked

// linkByOrderIDs links customers to members by the platform ids their
// orders carry; customers nil means all, member 0 any. It returns how many
// were linked. A concurrent link of the same member is retried once.
func linkByOrderIDs(ctx context.Context, db sqlx.ExtContext, customers []string, member community.MemberID) (int, error) {
	var ids any
	if customers != nil {
		ids = pq.Array(customers)
	}
	var memberArg any
	if member != 0 {
		memberArg = int64(member)
	}
	for attempt := 0; ; attempt++ {
		res, err := db.ExecContext(ctx, linkByOrderIDsSQL, ids, memberArg, community.AuditMemberLinked)
		if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23505" && attempt == 0 {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("link customers by order ids: %w", err)
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	}
}

// LinkByOrderIDs links every customer whose orders carry the Telegram or
// Discord id of a member not yet linked, and returns how many it linked.
func (s *Store) LinkByOrderIDs(ctx context.Context) (int, error) {
	return linkByOrderIDs(ctx, s.db, nil, 0)
}

type valueRow struct {
	CustomerID string          `db:"customer_id"`
	Orders     sql.NullInt64   `db:"orders"`
	FirstOrder sql.NullTime    `db:"first_order_at"`
	LastOrder  sql.NullTime    `db:"last_order_at"`
	Revenue    sql.NullFloat64 `db:"revenue"`
	Historical sql.NullFloat64 `db:"historical_clv"`
	Predicted  sql.NullFloat64 `db:"predicted_clv"`
	PAlive     sql.NullFloat64 `db:"p_alive"`
	Expected   sql.NullFloat64 `db:"expected_purchases"`
	Segment    sql.NullString  `db:"rfm_segment"`
	R          sql.NullInt64   `db:"rfm_recency"`
	F          sql.NullInt64   `db:"rfm_frequency"`
	M          sql.NullInt64   `db:"rfm_monetary"`
	ComputedAt sql.NullTime    `db:"computed_at"`
	Scored     bool            `db:"scored"`
	Repeat     sql.NullInt64   `db:"repeat_purchases"`
	Ranked     sql.NullInt64   `db:"ranked"`
}

const memberValueSQL = `
SELECT c.id AS customer_id, s.orders, s.first_order_at, s.last_order_at, s.revenue, s.historical_clv,
       s.predicted_clv, s.p_alive, s.expected_purchases, s.rfm_segment, s.rfm_recency, s.rfm_frequency,
       s.rfm_monetary, s.computed_at, s.customer_id IS NOT NULL AS scored, s.repeat_purchases, m.customers AS ranked
FROM customers c LEFT JOIN clv_snapshots s ON s.customer_id = c.id LEFT JOIN clv_models m ON m.id = s.model_id
WHERE c.member_id = $1`

// MemberValue implements community.ValueStore by community.LookUpValue.
func (s *Store) MemberValue(ctx context.Context, member community.MemberID) (community.Value, error) {
	return community.LookUpValue(ctx, valueReader{s}, member)
}

// valueReader implements community.ValueReader.
type valueReader struct{ s *Store }

// LinkMemberByOrderIDs links the member by the ids their customers'
// orders carry.
func (r valueReader) LinkMemberByOrderIDs(ctx context.Context, member community.MemberID) (bool, error) {
	n, err := linkByOrderIDs(ctx, r.s.db, nil, member)
	return n > 0, err
}

// LinkedValue reads the CLV snapshot of the member's customer.
func (r valueReader) LinkedValue(ctx context.Context, member community.MemberID) (community.Value, error) {
	var row valueRow
	err := r.s.db.GetContext(ctx, &row, memberValueSQL, int64(member))
	if errors.Is(err, sql.ErrNoRows) {
		return community.Value{}, community.NotLinkedToCustomer(member)
	}
	if err != nil {
		return community.Value{}, fmt.Errorf("value of member %d: %w", member, err)
	}
	return community.Value{
		CustomerID: row.CustomerID, Orders: int(row.Orders.Int64),
		FirstOrder: row.FirstOrder.Time, LastOrder: row.LastOrder.Time,
		Revenue: row.Revenue.Float64, Historical: row.Historical.Float64,
		HasModel: row.Predicted.Valid, Predicted: row.Predicted.Float64,
		PAlive: row.PAlive.Float64, Expected: row.Expected.Float64, Segment: row.Segment.String,
		RFM:        [3]int{int(row.R.Int64), int(row.F.Int64), int(row.M.Int64)},
		ComputedAt: row.ComputedAt.Time, Scored: row.Scored,
		Ranked: int(row.Ranked.Int64), OneTimeBuyer: row.Repeat.Valid && row.Repeat.Int64 == 0,
	}, nil
}
