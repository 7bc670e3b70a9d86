package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
	"github.com/jmoiron/sqlx"
)

type askedRow struct {
	ID       int64         `db:"id"`
	Member   sql.NullInt64 `db:"member_id"`
	Platform string        `db:"platform"`
	Lang     string        `db:"lang"`
	Text     string        `db:"text"`
	Action   string        `db:"action"`
	Entry    sql.NullInt64 `db:"entry_id"`
	Score    float64       `db:"score"`
	Outcome  string        `db:"outcome"`
	Ticket   sql.NullInt64 `db:"ticket_id"`
	At       time.Time     `db:"asked_at"`
}

func (r askedRow) asked() support.Asked {
	return support.Asked{ID: r.ID, Member: community.MemberID(r.Member.Int64), Platform: community.Platform(r.Platform), Lang: r.Lang,
		Text: r.Text, Action: support.Action(r.Action), Entry: r.Entry.Int64, Score: r.Score, Outcome: support.Outcome(r.Outcome),
		Ticket: r.Ticket.Int64, At: r.At}
}

// nullID is an id column's value: NULL for 0.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// RecordAsked implements support.KBStore.
func (s *Store) RecordAsked(ctx context.Context, a support.Asked, open *support.Ticket, effects func(support.Ticket) support.Effects) (support.Asked, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if open != nil {
			t, err := openTicket(ctx, tx, *open, effects)
			if err != nil {
				return err
			}
			a.Ticket = t.ID
		}
		err := tx.GetContext(ctx, &a.ID, `
INSERT INTO kb_questions (member_id, platform, lang, text, action, entry_id, score, outcome, ticket_id, asked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			nullID(int64(a.Member)), a.Platform, a.Lang, a.Text, a.Action, nullID(a.Entry), a.Score, a.Outcome, nullID(a.Ticket), a.At)
		if err != nil {
			return fmt.Errorf("record a question: %w", err)
		}
		return nil
	})
	return a, err
}

// Asked implements support.KBStore.
func (s *Store) Asked(ctx context.Context, id int64) (support.Asked, error) {
	var row askedRow
	err := s.db.GetContext(ctx, &row, `SELECT * FROM kb_questions WHERE id = $1`, id)
	if err == sql.ErrNoRows {
		return support.Asked{}, support.QuestionNotFound(id)
	}
	if err != nil {
		return support.Asked{}, fmt.Errorf("question %d: %w", id, err)
	}
	return row.asked(), nil
}

// ChangeAsked implements support.KBStore.
func (s *Store) ChangeAsked(ctx context.Context, id int64, member community.MemberID,
	change func(a support.Asked, open func(support.Ticket) (support.Ticket, error)) (support.Asked, error)) (support.Asked, error) {
	var a support.Asked
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var row askedRow
		err := tx.GetContext(ctx, &row, `SELECT * FROM kb_questions WHERE id = $1 AND member_id = $2 FOR UPDATE`, id, int64(member))
		if err == sql.ErrNoRows {
			return support.QuestionNotFound(id)
		}
		if err != nil {
			return fmt.Errorf("question %d: %w", id, err)
		}
		open := func(t support.Ticket) (support.Ticket, error) {
			return openTicket(ctx, tx, t, support.OpeningEffects)
		}
		if a, err = change(row.asked(), open); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kb_questions SET entry_id = $2, outcome = $3, ticket_id = $4 WHERE id = $1`,
			id, nullID(a.Entry), a.Outcome, nullID(a.Ticket)); err != nil {
			return fmt.Errorf("question %d: %w", id, err)
		}
		return nil
	})
	return a, err
}
