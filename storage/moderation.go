package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

var _ community.ModerationStore = (*Store)(nil)

// Moderate implements community.ModerationStore. The member's moderation
// is serialized with a transaction-scoped advisory lock rather than a row
// lock, so that recording members' messages (which takes key-share locks
// on members) never waits behind a platform call made under the lock.
func (s *Store) Moderate(ctx context.Context, member community.MemberID, now time.Time,
	decide func(community.ModerationRecord) (community.ModerationChange, error)) (community.ModerationChange, error) {
	var ch community.ModerationChange
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('hearth.moderation.' || $1, 0))`, int64(member)); err != nil {
			return fmt.Errorf("lock the moderation of member %d: %w", member, err)
		}
		rec, err := loadRecord(ctx, tx, member, now)
		if err != nil {
			return err
		}
		if ch, err = decide(rec); err != nil {
			return err
		}
		return saveChange(ctx, tx, member, &ch)
	})
	if err != nil {
		return community.ModerationChange{}, err
	}
	return ch, nil
}

// Record implements community.ModerationStore.
func (s *Store) Record(ctx context.Context, member community.MemberID, now time.Time) (community.ModerationRecord, error) {
	return loadRecord(ctx, s.db, member, now)
}

const (
	warningColumns  = `id, member_id, COALESCE(by_member_id, 0) AS by_member_id, reason, at, expires_at`
	sanctionColumns = `id, member_id, kind, groups, COALESCE(by_member_id, 0) AS by_member_id, reason, at, until, renew_at, lifted_at`
	reportColumns   = `id, COALESCE(reporter_id, 0) AS reporter_id, reported_id, COALESCE(chat_id, 0) AS chat_id, platform, group_id,
       platform_chat_id, message_id, message_text, reason, at, status`
	reviewColumns = `id, member_id, COALESCE(sanction_id, 0) AS sanction_id, groups, reason, ban_seconds, at, status`
)

// activeWarningsSQL reads member $1's warnings active at $2, oldest first.
const activeWarningsSQL = `SELECT ` + warningColumns + ` FROM warnings
WHERE member_id = $1 AND removed_at IS NULL AND expires_at > $2 ORDER BY at, id`

// loadRecord reads a member's active warnings, the sanctions not lifted
// yet (one whose end has come is in force until the expiry job lifts it)
// and open reports and reviews.
func loadRecord(ctx context.Context, q sqlx.QueryerContext, member community.MemberID, now time.Time) (community.ModerationRecord, error) {
	var rec community.ModerationRecord
	var err error
	if rec.Warnings, err = selectWarnings(ctx, q, activeWarningsSQL, int64(member), now); err != nil {
		return rec, err
	}
	if rec.InForce, err = selectSanctions(ctx, q, `SELECT `+sanctionColumns+` FROM sanctions
WHERE member_id = $1 AND lifted_at IS NULL ORDER BY at, id`, int64(member)); err != nil {
		return rec, err
	}
	if rec.Reports, err = selectReports(ctx, q, `SELECT `+reportColumns+` FROM reports WHERE reported_id = $1 AND status = 'open' ORDER BY id`, int64(member)); err != nil {
		return rec, err
	}
	rec.Reviews, err = selectReviews(ctx, q, `SELECT `+reviewColumns+` FROM moderation_reviews WHERE member_id = $1 AND status = 'open' ORDER BY id`, int64(member))
	return rec, err
}

// saveChange writes a moderation change in the caller's transaction,
// filling in the ids of what it creates, then logs its actions.
func saveChange(ctx context.Context, tx *sqlx.Tx, member community.MemberID, ch *community.ModerationChange) error {
	if w := ch.Warning; w != nil {
		if err := tx.GetContext(ctx, &w.ID, `
INSERT INTO warnings (member_id, by_member_id, reason, at, expires_at) VALUES ($1, NULLIF($2, 0), $3, $4, $5) RETURNING id`,
			int64(w.Member), int64(w.By), w.Reason, w.At, w.Expires); err != nil {
			return fmt.Errorf("add a warning for member %d: %w", member, err)
		}
	}
	if ch.RemoveWarning != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE warnings SET removed_at = now(), removed_by = NULLIF($2, 0) WHERE id = $1 AND removed_at IS NULL`,
			ch.RemoveWarning, int64(ch.RemovedBy)); err != nil {
			return fmt.Errorf("remove warning %d: %w", ch.RemoveWarning, err)
		}
	}
	if sa := ch.Sanction; sa != nil {
		if err := tx.GetContext(ctx, &sa.ID, `
INSERT INTO sanctions (member_id, kind, groups, by_member_id, reason, at, until, renew_at, lifted_at, lift_reason)
VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7, $8, $9, CASE WHEN $9::timestamptz IS NULL THEN '' ELSE 'done' END) RETURNING id`,
			int64(sa.Member), string(sa.Kind), pq.Array(groupStrings(sa.Groups)), int64(sa.By), sa.Reason, sa.At,
			nullTime(sa.Until), nullTime(sa.RenewAt), nullTime(sa.Lifted)); err != nil {
			return fmt.Errorf("record a %s of member %d: %w", sa.Kind, member, err)
		}
	}
	if err := saveLifts(ctx, tx, ch); err != nil {
		return err
	}
	if err := saveReview(ctx, tx, ch); err != nil {
		return err
	}
	if err := settle(ctx, tx, ch.Settle); err != nil {
		return err
	}
	if err := uncount(ctx, tx, member, ch.Uncount); err != nil {
		return err
	}
	return logActions(ctx, tx, ch)
}

func saveLifts(ctx context.Context, tx *sqlx.Tx, ch *community.ModerationChange) error {
	for _, l := range ch.Lifts {
		var groups any
		if l.Groups != nil {
			groups = pq.Array(groupStrings(l.Groups))
		}
		// Lifted in every group: the sanction ends. In some: they leave it.
		if _, err := tx.ExecContext(ctx, `
WITH r AS (
    SELECT id, CASE WHEN $2::text[] IS NULL THEN '{}'::text[]
                    ELSE ARRAY(SELECT g FROM unnest(groups) AS g WHERE NOT g = ANY($2::text[])) END AS remaining
    FROM sanctions WHERE id = $1 AND lifted_at IS NULL
)
UPDATE sanctions s
SET groups = CASE WHEN cardinality(r.remaining) = 0 THEN s.groups ELSE r.remaining END,
    lifted_at = CASE WHEN cardinality(r.remaining) = 0 THEN $3::timestamptz END,
    lifted_by = CASE WHEN cardinality(r.remaining) = 0 THEN NULLIF($4, 0) END,
    lift_reason = CASE WHEN cardinality(r.remaining) = 0 THEN $5 ELSE '' END
FROM r WHERE s.id = r.id`, l.Sanction, groups, l.At, int64(l.By), l.Reason); err != nil {
			return fmt.Errorf("lift sanction %d: %w", l.Sanction, err)
		}
	}
	if r := ch.Renewal; r != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE sanctions SET renew_at = $2 WHERE id = $1`, r.Sanction, nullTime(r.Next)); err != nil {
			return fmt.Errorf("renew mute %d: %w", r.Sanction, err)
		}
	}
	return nil
}

func saveReview(ctx context.Context, tx *sqlx.Tx, ch *community.ModerationChange) error {
	rv := ch.Review
	if rv == nil {
		return nil
	}
	if rv.Sanction == 0 && ch.Sanction != nil {
		rv.Sanction = ch.Sanction.ID
	}
	rv.Status = "open"
	if err := tx.GetContext(ctx, &rv.ID, `
INSERT INTO moderation_reviews (member_id, sanction_id, groups, reason, ban_seconds, at) VALUES ($1, NULLIF($2, 0), $3, $4, $5, $6) RETURNING id`,
		int64(rv.Member), rv.Sanction, pq.Array(groupStrings(rv.Groups)), rv.Reason, int64(rv.BanFor/time.Second), rv.At); err != nil {
		return fmt.Errorf("open a review of member %d: %w", rv.Member, err)
	}
	return insertEvent(ctx, tx, rv.Event())
}

// settle closes a report or review that is still open; one closed
// meanwhile is a conflict (community.ErrConflict) that undoes the whole
// change.
func settle(ctx context.Context, tx *sqlx.Tx, st *community.Settlement) error {
	if st == nil {
		return nil
	}
	table, id := "reports", st.Report
	if st.Review != 0 {
		table, id = "moderation_reviews", st.Review
	}
	res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET status = $2, closed_by = NULLIF($3, 0), closed_at = $4 WHERE id = $1 AND status = 'open'`,
		id, st.Outcome, int64(st.By), st.At)
	if err != nil {
		return fmt.Errorf("settle %s %d: %w", table, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s %d is settled already: %w", table, id, community.ErrConflict)
	}
	return nil
}

// logActions writes each action to the audit log and queues it for the
// staff log, with the ids of what the change created.
func logActions(ctx context.Context, tx *sqlx.Tx, ch *community.ModerationChange) error {
	for i := range ch.Actions {
		a := &ch.Actions[i]
		switch {
		case a.Kind == community.ActionWarn && a.Warning == 0 && ch.Warning != nil:
			a.Warning = ch.Warning.ID
		case (a.Kind == community.ActionMute || a.Kind == community.ActionBan || a.Kind == community.ActionKick) && a.Sanction == 0 && ch.Sanction != nil:
			a.Sanction = ch.Sanction.ID
		}
		if a.Guarded && a.Review == 0 && ch.Review != nil {
			a.Review = ch.Review.ID
		}
		if err := logAction(ctx, tx, a); err != nil {
			return err
		}
	}
	return nil
}

// logAction writes the audit entry the action causes, taking its id,
// and queues the action's event.
func logAction(ctx context.Context, tx *sqlx.Tx, a *community.Action) error {
	var err error
	if a.Log, err = insertAudit(ctx, tx, a.AuditEntry()); err != nil {
		return err
	}
	return insertEvent(ctx, tx, a.Event())
}

// LogAction implements community.ModerationStore.
func (s *Store) LogAction(ctx context.Context, a *community.Action) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return logAction(ctx, tx, a) })
}

func groupStrings(groups []community.Group) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.String()
	}
	return out
}

func parseGroups(raw []string) ([]community.Group, error) {
	out := make([]community.Group, 0, len(raw))
	for _, s := range raw {
		g, err := community.ParseGroup(s)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}
