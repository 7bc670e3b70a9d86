package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/support"
	"github.com/jmoiron/sqlx"
)

// OpenAnswerTicket opens the support ticket of an NPS answer's staff
// alert, once. The answer's row stays locked while open runs, so of two
// staff pressing Open a ticket at the same moment the second waits and
// then finds the first one's ticket; open opens the ticket through
// tickets, which saves it in the same transaction as the answer's link to
// it: both are saved, or neither. It returns the answer's ticket and
// whether this call opened it; ENotFound (nps.no_answer) when the answer
// is gone or its member was erased.
func (s *Store) OpenAnswerTicket(ctx context.Context, answer int64,
	open func(a feedback.Answer, tickets support.Store) (support.Ticket, error)) (int64, bool, error) {
	var ticket int64
	var opened bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var row answerRow
		err := tx.GetContext(ctx, &row, answerSQL+` WHERE a.id = $1 FOR UPDATE OF a`, answer)
		switch {
		case err == sql.ErrNoRows:
			return community.Errorf(community.ENotFound, "nps.no_answer", nil, "no answer %d", answer)
		case err != nil:
			return fmt.Errorf("answer %d: %w", answer, err)
		case row.Ticket != 0:
			ticket = row.Ticket
			return nil
		case row.Member == 0:
			return community.Errorf(community.ENotFound, "nps.no_answer", nil, "the member of answer %d was erased", answer)
		}
		a, err := row.answer()
		if err != nil {
			return err
		}
		t, err := open(a, answerTickets{Store: s, tx: tx})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE nps_answers SET ticket_id = $2 WHERE id = $1`, answer, t.ID); err != nil {
			return fmt.Errorf("ticket of answer %d: %w", answer, err)
		}
		ticket, opened = t.ID, true
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return ticket, opened, nil
}

// answerTickets is the support store inside an answer's transaction: a
// ticket it opens is saved with the answer's link to it. Only OpenTicket
// runs in the transaction; the rest is the store's own.
type answerTickets struct {
	*Store
	tx *sqlx.Tx
}

// OpenTicket implements support.Store inside the answer's transaction.
func (t answerTickets) OpenTicket(ctx context.Context, tk support.Ticket, effects func(support.Ticket) support.Effects) (support.Ticket, error) {
	return openTicket(ctx, t.tx, tk, effects)
}
