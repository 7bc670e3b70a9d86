package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
	"github.com/jmoiron/sqlx"
)

var _ support.Store = (*Store)(nil)

// OpenTicket implements support.Store: the ticket and the effects of
// opening it, in one transaction.
func (s *Store) OpenTicket(ctx context.Context, t support.Ticket, effects func(support.Ticket) support.Effects) (support.Ticket, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		t, err = openTicket(ctx, tx, t, effects)
		return err
	})
	if err != nil {
		return support.Ticket{}, err
	}
	return t, nil
}

// openTicket saves a new ticket and the effects of opening it in tx.
func openTicket(ctx context.Context, tx *sqlx.Tx, t support.Ticket, effects func(support.Ticket) support.Effects) (support.Ticket, error) {
	if err := tx.GetContext(ctx, &t.ID, `
INSERT INTO tickets (member_id, platform, asked_in, text, opened_at, urgency, first_response_due, resolution_due, tier)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		int64(t.Member), t.Platform, t.AskedIn, t.Text, t.OpenedAt, urgencyOrLow(t.Urgency), t.FirstResponseDue, t.ResolutionDue, t.OpenTier); err != nil {
		return t, fmt.Errorf("open a ticket: %w", err)
	}
	return t, saveEffects(ctx, tx, effects(t))
}

// urgencyOrLow is a ticket's urgency as saved: one opened without triage
// is low.
func urgencyOrLow(u support.Urgency) string {
	if u == "" {
		return string(support.UrgencyLow)
	}
	return string(u)
}

type ticketRow struct {
	ID               int64           `db:"id"`
	Member           int64           `db:"member_id"`
	Name             string          `db:"display_name"`
	Platform         string          `db:"platform"`
	AskedIn          string          `db:"asked_in"`
	Text             string          `db:"text"`
	OpenedAt         time.Time       `db:"opened_at"`
	ClosedAt         sql.NullTime    `db:"closed_at"`
	ClosedBy         sql.NullInt64   `db:"closed_by"`
	Priority         sql.NullFloat64 `db:"priority"`
	Urgency          string          `db:"urgency"`
	FirstResponseDue time.Time       `db:"first_response_due"`
	ResolutionDue    time.Time       `db:"resolution_due"`
	FirstResponseAt  sql.NullTime    `db:"first_response_at"`
	Assignee         sql.NullInt64   `db:"assignee_id"`
	AssigneeName     sql.NullString  `db:"assignee_name"`
	Resolution       string          `db:"resolution"`
	ReopenedAt       sql.NullTime    `db:"reopened_at"`
	Tier             string          `db:"tier"`
	CSAT             sql.NullInt16   `db:"csat"`
	CSATComment      string          `db:"csat_comment"`
	CSATAt           sql.NullTime    `db:"csat_at"`
}

func (r ticketRow) ticket() support.Ticket {
	return support.Ticket{ID: r.ID, Member: community.MemberID(r.Member), Name: r.Name, Platform: community.Platform(r.Platform),
		AskedIn: r.AskedIn, Text: r.Text, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt.Time,
		ClosedBy: community.MemberID(r.ClosedBy.Int64), Priority: r.Priority.Float64, Ranked: r.Priority.Valid,
		Urgency: support.Urgency(r.Urgency), FirstResponseDue: r.FirstResponseDue, ResolutionDue: r.ResolutionDue,
		FirstResponseAt: r.FirstResponseAt.Time, Assignee: community.MemberID(r.Assignee.Int64), AssigneeName: r.AssigneeName.String,
		Resolution: r.Resolution, ReopenedAt: r.ReopenedAt.Time, OpenTier: r.Tier,
		CSAT: int(r.CSAT.Int16), CSATComment: r.CSATComment, CSATAt: r.CSATAt.Time}
}

// ticketsSQL reads tickets with their member's name and priority now and
// their assignee's name, each looked up by its key (a queue of a thousand
// open tickets reads a thousand rows of each, not every member).
const ticketsSQL = `
SELECT t.id, t.member_id, t.platform, t.asked_in, t.text, t.opened_at, t.closed_at, t.closed_by,
    (SELECT m.display_name FROM members m WHERE m.id = t.member_id) AS display_name,
    (SELECT st.priority FROM member_standings st WHERE st.member_id = t.member_id) AS priority,
    t.urgency, t.first_response_due, t.resolution_due, t.first_response_at, t.assignee_id,
    (SELECT a.display_name FROM members a WHERE a.id = t.assignee_id) AS assignee_name,
    t.resolution, t.reopened_at, t.tier, t.csat, t.csat_comment, t.csat_at
FROM tickets t
`

// Ticket returns one ticket with its member's name and priority now;
// ENotFound when there is none.
func (s *Store) Ticket(ctx context.Context, id int64) (support.Ticket, error) {
	return readTicket(ctx, s.db, id)
}

// readTicket reads one ticket; ENotFound when there is none.
func readTicket(ctx context.Context, q sqlx.QueryerContext, id int64) (support.Ticket, error) {
	var r ticketRow
	err := sqlx.GetContext(ctx, q, &r, ticketsSQL+`WHERE t.id = $1`, id)
	if err == sql.ErrNoRows {
		return support.Ticket{}, support.TicketNotFound(id)
	}
	if err != nil {
		return support.Ticket{}, fmt.Errorf("ticket %d: %w", id, err)
	}
	return r.ticket(), nil
}

// WaitingTickets implements support.Store.
func (s *Store) WaitingTickets(ctx context.Context, member community.MemberID) ([]support.Ticket, error) {
	var rows []ticketRow
	var err error
	if member == 0 { // two queries, so that each uses the partial index of open tickets
		err = s.db.SelectContext(ctx, &rows, ticketsSQL+`WHERE t.closed_at IS NULL`)
	} else {
		err = s.db.SelectContext(ctx, &rows, ticketsSQL+`WHERE t.closed_at IS NULL AND t.member_id = $1`, int64(member))
	}
	if err != nil {
		return nil, fmt.Errorf("open tickets: %w", err)
	}
	out := make([]support.Ticket, len(rows))
	for i, r := range rows {
		out[i] = r.ticket()
	}
	return out, nil
}

// ChangeTicket implements support.Store: the ticket is read locked, so
// that two staff members' changes of it are made one after the other.
func (s *Store) ChangeTicket(ctx context.Context, id int64, change func(support.Ticket) (support.Ticket, support.Effects, error)) (support.Ticket, error) {
	var t support.Ticket
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		old, err := lockTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		var effects support.Effects
		if t, effects, err = change(old); err != nil {
			return err
		}
		if err := writeTicket(ctx, tx, t); err != nil {
			return err
		}
		return saveEffects(ctx, tx, effects)
	})
	if err != nil {
		return t, err
	}
	return s.Ticket(ctx, id)
}

// writeTicket saves what a change of a ticket may change.
func writeTicket(ctx context.Context, tx *sqlx.Tx, t support.Ticket) error {
	if _, err := tx.ExecContext(ctx, `
UPDATE tickets SET closed_at = $2, closed_by = NULLIF($3, 0), resolution = $4, first_response_at = $5,
    assignee_id = NULLIF($6, 0), reopened_at = $7, resolution_due = $8,
    csat = NULLIF($9, 0), csat_comment = $10, csat_at = $11
WHERE id = $1`, t.ID, nullTime(t.ClosedAt), int64(t.ClosedBy), t.Resolution, nullTime(t.FirstResponseAt),
		int64(t.Assignee), nullTime(t.ReopenedAt), t.ResolutionDue, t.CSAT, t.CSATComment, nullTime(t.CSATAt)); err != nil {
		return fmt.Errorf("change ticket %d: %w", t.ID, err)
	}
	return nil
}

// lockTicket reads a ticket locked for the rest of tx.
func lockTicket(ctx context.Context, tx *sqlx.Tx, id int64) (support.Ticket, error) {
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE`, id); err != nil {
		return support.Ticket{}, fmt.Errorf("lock ticket %d: %w", id, err)
	}
	return readTicket(ctx, tx, id)
}

// TicketCustomer implements support.Store.
func (s *Store) TicketCustomer(ctx context.Context, member community.MemberID, detractorSince time.Time) (support.Customer, error) {
	var row struct {
		Tier      sql.NullString `db:"tier"`
		Flags     sql.NullInt16  `db:"flags"`
		Detractor bool           `db:"detractor"`
	}
	err := s.db.GetContext(ctx, &row, `
SELECT st.tier, st.flags,
    EXISTS (SELECT 1 FROM nps_answers a WHERE a.member_id = m.id AND a.score <= 6 AND a.answered_at >= $2) AS detractor
FROM members m LEFT JOIN member_standings st ON st.member_id = m.id
WHERE m.id = $1`, int64(member), detractorSince)
	if err == sql.ErrNoRows {
		return support.Customer{}, nil // a member not saved yet: nothing known
	}
	if err != nil {
		return support.Customer{}, fmt.Errorf("member %d's standing: %w", member, err)
	}
	c := support.Customer{Ranked: row.Tier.Valid, Flags: community.Flags(row.Flags.Int16), Detractor: row.Detractor}
	if row.Tier.Valid {
		if c.Tier, err = community.ParseTier(row.Tier.String); err != nil {
			return support.Customer{}, fmt.Errorf("member %d's standing: %w", member, err)
		}
	}
	return c, nil
}

// RaiseAlert implements support.AlertStore: the alert's row and its
// effects in one transaction; an alert raised before (by this replica or
// another), or no longer due, saves nothing.
func (s *Store) RaiseAlert(ctx context.Context, a support.Alert, effects support.Effects) (bool, error) {
	raised := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The ticket as it is now, locked: one answered or closed since
		// the monitor read it, or given another due time, raises nothing.
		t, err := lockTicket(ctx, tx, a.Ticket)
		if community.ErrorCode(err) == community.ENotFound {
			return nil
		}
		if err != nil {
			return err
		}
		due := t.ResolutionDue
		if a.Clock == support.ClockFirstResponse {
			if !t.FirstResponseAt.IsZero() {
				return nil
			}
			due = t.FirstResponseDue
		}
		if !t.Open() || !due.Equal(a.Due) {
			return nil
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO ticket_sla_alerts (ticket_id, clock, kind, due, raised_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING`, a.Ticket, string(a.Clock), string(a.Kind), a.Due, a.At)
		if err != nil {
			return fmt.Errorf("raise the %s %s of ticket %d: %w", a.Clock, a.Kind, a.Ticket, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		raised = true
		return saveEffects(ctx, tx, effects)
	})
	return raised, err
}

// supportReportSQL makes support.Report over [$1, $2].
const supportReportSQL = `
WITH opened AS (SELECT * FROM tickets WHERE opened_at >= $1 AND opened_at <= $2)
SELECT
    (SELECT count(*) FROM opened) AS opened,
    (SELECT coalesce(jsonb_object_agg(tier, n), '{}') FROM (SELECT tier, count(*) AS n FROM opened GROUP BY tier) t) AS by_tier,
    (SELECT count(*) FROM tickets WHERE closed_at >= $1 AND closed_at <= $2) AS closed,
    (SELECT count(*) FROM tickets WHERE closed_at IS NULL) AS open_now,
    (SELECT count(*) FROM opened WHERE first_response_at IS NOT NULL) AS responded,
    (SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - opened_at)), 0)
       FROM opened WHERE first_response_at IS NOT NULL) AS first_response_s,
    (SELECT count(*) FROM opened WHERE closed_at IS NOT NULL) AS resolved,
    (SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at)), 0)
       FROM opened WHERE closed_at IS NOT NULL) AS resolution_s,
    (SELECT count(*) FROM ticket_sla_alerts WHERE kind = 'breach' AND raised_at >= $1 AND raised_at <= $2) AS breaches,
    (SELECT count(*) FROM tickets WHERE csat IS NOT NULL AND closed_at >= $1 AND closed_at <= $2) AS rated,
    (SELECT coalesce(avg(csat), 0) FROM tickets WHERE csat IS NOT NULL AND closed_at >= $1 AND closed_at <= $2) AS mean_csat,
    (SELECT count(*) FROM kb_questions WHERE asked_at >= $1 AND asked_at <= $2) AS asked,
    (SELECT count(*) FROM kb_questions WHERE asked_at >= $1 AND asked_at <= $2 AND outcome IN ('answered', 'solved')) AS answered,
    (SELECT count(*) FROM kb_questions WHERE asked_at >= $1 AND asked_at <= $2 AND outcome = 'escalated') AS escalated`

// SupportReport implements support.ReportStore.
func (s *Store) SupportReport(ctx context.Context, since, until time.Time) (support.Report, error) {
	var row struct {
		Opened         int     `db:"opened"`
		ByTier         []byte  `db:"by_tier"`
		Closed         int     `db:"closed"`
		OpenNow        int     `db:"open_now"`
		Responded      int     `db:"responded"`
		FirstResponseS float64 `db:"first_response_s"`
		Resolved       int     `db:"resolved"`
		ResolutionS    float64 `db:"resolution_s"`
		Breaches       int     `db:"breaches"`
		Rated          int     `db:"rated"`
		MeanCSAT       float64 `db:"mean_csat"`
		Asked          int     `db:"asked"`
		Answered       int     `db:"answered"`
		Escalated      int     `db:"escalated"`
	}
	if err := s.db.GetContext(ctx, &row, supportReportSQL, since, until); err != nil {
		return support.Report{}, fmt.Errorf("support report: %w", err)
	}
	r := support.Report{Since: since, Until: until, Opened: row.Opened, ByTier: map[string]int{}, Closed: row.Closed, OpenNow: row.OpenNow,
		Responded: row.Responded, MedianFirstResponse: time.Duration(row.FirstResponseS * float64(time.Second)),
		Resolved: row.Resolved, MedianResolution: time.Duration(row.ResolutionS * float64(time.Second)),
		Breaches: row.Breaches, Rated: row.Rated, MeanCSAT: row.MeanCSAT, Asked: row.Asked, AnsweredByKB: row.Answered, Escalated: row.Escalated}
	if err := json.Unmarshal(row.ByTier, &r.ByTier); err != nil {
		return support.Report{}, fmt.Errorf("support report: tickets by tier: %w", err)
	}
	return r, nil
}
