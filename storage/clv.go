package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"strings"

	"github.com/hearthbot/hearth/clv"
	"github.com/jmoiron/sqlx"
)

// ordersForCLVSQL reads the orders that can count towards CLV, with each
// order's refunds: the larger of what the order says and the refunds its
// source reported on their own.
const ordersForCLVSQL = `
SELECT o.id, o.customer_id, o.ordered_at, o.amount,
       GREATEST(o.refunded, COALESCE(r.total, 0)) AS refunded, o.currency, o.margin, o.status
FROM orders o
LEFT JOIN (SELECT source, order_id, sum(amount) AS total FROM refunds GROUP BY source, order_id) r
       ON r.source = o.source AND r.order_id = o.id
WHERE o.status = 'paid'
ORDER BY o.customer_id, o.ordered_at, o.id`

// EachCustomerOrders implements clv.Store: every paid order, refunds
// applied, read in customer and time order and handed to yield one
// customer's at a time, so that a CLV run holds one customer's orders in
// memory, never all of them. An error of yield stops the read and is
// returned as it is.
func (s *Store) EachCustomerOrders(ctx context.Context, yield func([]clv.Order) error) error {
	rows, err := s.db.QueryContext(ctx, ordersForCLVSQL)
	if err != nil {
		return fmt.Errorf("orders for CLV: %w", err)
	}
	defer rows.Close()
	var one []clv.Order // the customer's orders so far, reused
	for rows.Next() {
		var o clv.Order
		var margin sql.NullFloat64
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.OrderedAt, &o.Amount, &o.Refunded, &o.Currency, &margin, &o.Status); err != nil {
			return fmt.Errorf("orders for CLV: %w", err)
		}
		if margin.Valid {
			o.Margin = &margin.Float64
		}
		if len(one) > 0 && one[0].CustomerID != o.CustomerID {
			if err := yield(one); err != nil {
				return err
			}
			clear(one)
			one = one[:0]
		}
		one = append(one, o)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("orders for CLV: %w", err)
	}
	if len(one) == 0 {
		return nil
	}
	return yield(one)
}

// modelJSON is how a fitted model is kept in clv_models: its parameters,
// their standard errors and the fit's diagnostics. A number JSON cannot
// hold (the NaN standard errors of a fit that did not converge, a
// parameter that ran off to infinity) is stored as null.
func modelJSON(params, stdErr map[string]float64, info clv.FitInfo) map[string]any {
	return map[string]any{"params": finiteOrNulls(params), "std_err": finiteOrNulls(stdErr), "converged": info.Converged,
		"iterations": info.Iterations, "loglik": finiteOrNull(info.LogLikelihood),
		"customers": info.Customers, "excluded": info.Excluded, "status": info.Status}
}

// finiteOrNull is v, or nil (which JSON writes as null) for NaN and
// infinities.
func finiteOrNull(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// finiteOrNulls applies finiteOrNull to every value.
func finiteOrNulls(values map[string]float64) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		out[k] = finiteOrNull(v)
	}
	return out
}

var snapshotColumns = []string{"customer_id", "orders", "first_order_at", "last_order_at", "revenue", "historical_clv",
	"predicted_clv", "p_alive", "expected_purchases", "rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_segment",
	"repeat_purchases"}

// SaveCLVRun stores a run's models and replaces every customer's CLV
// snapshot with scores, in one transaction: readers see the previous run
// until the new one is complete. It returns the model's id.
func (s *Store) SaveCLVRun(ctx context.Context, run clv.ModelRun, scores iter.Seq[clv.CustomerScore]) (int64, error) {
	bg, gg := map[string]any{}, map[string]any{}
	if run.BGNBD != nil {
		bg = modelJSON(map[string]float64{"r": run.BGNBD.Model.R, "alpha": run.BGNBD.Model.Alpha, "a": run.BGNBD.Model.A, "b": run.BGNBD.Model.B},
			map[string]float64{"r": run.BGNBD.StdErr.R, "alpha": run.BGNBD.StdErr.Alpha, "a": run.BGNBD.StdErr.A, "b": run.BGNBD.StdErr.B}, run.BGNBD.Info)
	}
	if run.GammaGamma != nil {
		gg = modelJSON(map[string]float64{"p": run.GammaGamma.Model.P, "q": run.GammaGamma.Model.Q, "gamma": run.GammaGamma.Model.Gamma},
			map[string]float64{"p": run.GammaGamma.StdErr.P, "q": run.GammaGamma.StdErr.Q, "gamma": run.GammaGamma.StdErr.Gamma}, run.GammaGamma.Info)
	}
	bgJSON, err := json.Marshal(bg)
	if err != nil {
		return 0, fmt.Errorf("CLV model BG/NBD: %w", err)
	}
	ggJSON, err := json.Marshal(gg)
	if err != nil {
		return 0, fmt.Errorf("CLV model Gamma-Gamma: %w", err)
	}
	var id int64
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &id, `
INSERT INTO clv_models (computed_at, observation_end, period, customers, bgnbd, gammagamma, error)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			run.ComputedAt, run.End, run.Period.String(), run.Customers, bgJSON, ggJSON, run.Error); err != nil {
			return fmt.Errorf("save CLV model: %w", err)
		}
		if err := copySnapshots(ctx, tx, scores); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
INSERT INTO clv_snapshots AS s (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
    predicted_clv, p_alive, expected_purchases, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, repeat_purchases,
    computed_at)
SELECT n.customer_id, $1, n.orders, n.first_order_at, n.last_order_at, n.revenue, n.historical_clv, n.predicted_clv,
       n.p_alive, n.expected_purchases, n.rfm_recency, n.rfm_frequency, n.rfm_monetary, n.rfm_segment, n.repeat_purchases, $2
FROM new_snapshots n JOIN customers c ON c.id = n.customer_id
ON CONFLICT (customer_id) DO UPDATE SET model_id = EXCLUDED.model_id, orders = EXCLUDED.orders,
    first_order_at = EXCLUDED.first_order_at, last_order_at = EXCLUDED.last_order_at, revenue = EXCLUDED.revenue,
    historical_clv = EXCLUDED.historical_clv, predicted_clv = EXCLUDED.predicted_clv, p_alive = EXCLUDED.p_alive,
    expected_purchases = EXCLUDED.expected_purchases, rfm_recency = EXCLUDED.rfm_recency,
    rfm_frequency = EXCLUDED.rfm_frequency, rfm_monetary = EXCLUDED.rfm_monetary,
    rfm_segment = EXCLUDED.rfm_segment, repeat_purchases = EXCLUDED.repeat_purchases, computed_at = EXCLUDED.computed_at`, id, run.ComputedAt); err != nil {
			return fmt.Errorf("save CLV snapshots: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM clv_snapshots WHERE model_id <> $1`, id); err != nil {
			return fmt.Errorf("drop stale CLV snapshots: %w", err)
		}
		return nil
	})
	return id, err
}

// copySnapshots streams the scores into a temporary table with COPY.
func copySnapshots(ctx context.Context, tx *sqlx.Tx, scores iter.Seq[clv.CustomerScore]) error {
	if _, err := tx.ExecContext(ctx, `
CREATE TEMPORARY TABLE new_snapshots (
    customer_id text, orders integer, first_order_at timestamptz, last_order_at timestamptz, revenue double precision,
    historical_clv double precision, predicted_clv double precision, p_alive double precision,
    expected_purchases double precision, rfm_recency smallint, rfm_frequency smallint, rfm_monetary smallint,
    rfm_segment text, repeat_purchases integer
) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("CLV staging table: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, "COPY new_snapshots ("+strings.Join(snapshotColumns, ", ")+") FROM STDIN")
	if err != nil {
		return fmt.Errorf("copy CLV snapshots: %w", err)
	}
	defer stmt.Close()
	for sc := range scores {
		var predicted, alive, expected any
		if sc.HasModel {
			predicted, alive, expected = sc.Predicted, sc.PAlive, sc.Expected
		}
		if _, err := stmt.ExecContext(ctx, sc.CustomerID, sc.Orders, sc.First, sc.Last, sc.Revenue, sc.Historical,
			predicted, alive, expected, sc.Recency, sc.Frequency, sc.Monetary, sc.Segment, sc.RepeatPurchases); err != nil {
			return fmt.Errorf("copy CLV snapshot of %q: %w", sc.CustomerID, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy CLV snapshots: %w", err)
	}
	return nil
}
