package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

var _ community.ProfileStore = (*Store)(nil)

// ProfileFacts implements community.ProfileStore. The value is read first,
// as MemberValue reads it (a member not linked yet is linked by the ids
// their orders carry, if any does); the rest is read in one read-only
// snapshot, so that the facts agree with each other.
func (s *Store) ProfileFacts(ctx context.Context, q community.ProfileQuery) (community.ProfileFacts, error) {
	var f community.ProfileFacts
	switch v, err := s.MemberValue(ctx, q.Member); {
	case err == nil:
		f.Value = &v
	case community.ErrorCode(err) != community.ENotFound:
		return f, err
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return f, fmt.Errorf("read the profile of member %d: %w", q.Member, err)
	}
	defer tx.Rollback()
	if err := readProfile(ctx, tx, q, &f); err != nil {
		return f, err
	}
	if err := tx.Commit(); err != nil {
		return f, fmt.Errorf("read the profile of member %d: %w", q.Member, err)
	}
	return f, nil
}

// readProfile reads the member, their standing, moderation record, notes
// and open tickets.
func readProfile(ctx context.Context, tx *sqlx.Tx, q community.ProfileQuery, f *community.ProfileFacts) error {
	members, err := membersByID(ctx, tx, []int64{int64(q.Member)})
	if err != nil {
		return err
	}
	if len(members) == 0 {
		return community.MemberNotFound(q.Member)
	}
	f.Member = members[0]
	switch st, scored, err := readMemberStanding(ctx, tx, q.Member); {
	case err != nil:
		return err
	case scored:
		f.Standing = &st
	}
	if f.Warnings, err = selectWarnings(ctx, tx, activeWarningsSQL, int64(q.Member), q.Now); err != nil {
		return err
	}
	if f.InForce, f.Recent, err = profileSanctions(ctx, tx, q); err != nil {
		return err
	}
	if f.Notes, err = profileNotes(ctx, tx, q); err != nil {
		return err
	}
	f.Tickets, err = profileTickets(ctx, tx, q)
	return err
}

// profileSanctionsSQL reads the member's sanctions not lifted and their
// latest $2, newest first: the latest come first.
const profileSanctionsSQL = `
SELECT ` + sanctionColumns + ` FROM (
    SELECT *, row_number() OVER (ORDER BY at DESC, id DESC) AS newest FROM sanctions WHERE member_id = $1
) s
WHERE lifted_at IS NULL OR newest <= $2
ORDER BY at DESC, id DESC`

// profileSanctions returns the member's sanctions not lifted, oldest
// first, and their latest ones, newest first.
func profileSanctions(ctx context.Context, tx *sqlx.Tx, q community.ProfileQuery) (inForce, recent []community.Sanction, err error) {
	list, err := selectSanctions(ctx, tx, profileSanctionsSQL, int64(q.Member), q.Recent)
	if err != nil {
		return nil, nil, fmt.Errorf("sanctions of member %d: %w", q.Member, err)
	}
	recent = list[:min(q.Recent, len(list))]
	for _, s := range slices.Backward(list) {
		if s.Lifted.IsZero() {
			inForce = append(inForce, s)
		}
	}
	return inForce, recent, nil
}

// profileNotes returns the latest staff notes on the member, newest first.
func profileNotes(ctx context.Context, tx *sqlx.Tx, q community.ProfileQuery) ([]community.Note, error) {
	var rows []struct {
		ID   int64     `db:"id"`
		By   int64     `db:"by_member_id"`
		Text string    `db:"text"`
		At   time.Time `db:"at"`
	}
	if err := tx.SelectContext(ctx, &rows, `
SELECT id, COALESCE(by_member_id, 0) AS by_member_id, text, at FROM moderation_notes WHERE member_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
		int64(q.Member), q.Recent); err != nil {
		return nil, fmt.Errorf("notes on member %d: %w", q.Member, err)
	}
	out := make([]community.Note, len(rows))
	for i, r := range rows {
		out[i] = community.Note{ID: r.ID, Member: q.Member, By: community.MemberID(r.By), Text: r.Text, At: r.At}
	}
	return out, nil
}

// profileTickets returns the member's oldest open tickets, oldest first.
func profileTickets(ctx context.Context, tx *sqlx.Tx, q community.ProfileQuery) ([]community.TicketSummary, error) {
	var rows []struct {
		ID       int64     `db:"id"`
		Platform string    `db:"platform"`
		AskedIn  string    `db:"asked_in"`
		Text     string    `db:"text"`
		OpenedAt time.Time `db:"opened_at"`
	}
	if err := tx.SelectContext(ctx, &rows, `
SELECT id, platform, asked_in, text, opened_at FROM tickets WHERE member_id = $1 AND closed_at IS NULL ORDER BY opened_at, id LIMIT $2`,
		int64(q.Member), q.Recent); err != nil {
		return nil, fmt.Errorf("open tickets of member %d: %w", q.Member, err)
	}
	out := make([]community.TicketSummary, len(rows))
	for i, r := range rows {
		out[i] = community.TicketSummary{ID: r.ID, Platform: community.Platform(r.Platform), AskedIn: r.AskedIn, Text: r.Text, OpenedAt: r.OpenedAt}
	}
	return out, nil
}
