package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

var _ community.OnboardingStore = (*Store)(nil)

// joinColumns read a join (aliased j) with its group's title and language
// (chats, aliased c) and the message ids of its captcha.
const joinColumns = `
j.id, j.platform, j.update_key, j.group_id, COALESCE(j.chat_id, 0) AS chat_id, j.user_id, j.member_id, j.name, j.joined_at,
COALESCE(c.title, '') AS title, COALESCE(c.language, '') AS language, j.captcha, j.deadline,
j.welcome_event IS NOT NULL AS welcome,
COALESCE((SELECT array_agg(s ORDER BY d.id) FROM deliveries d CROSS JOIN LATERAL unnest(d.sent_ids) AS s
          WHERE d.event_id = j.captcha_event), '{}') AS captcha_sent`

type joinRow struct {
	ID       int64          `db:"id"`
	Platform string         `db:"platform"`
	Key      string         `db:"update_key"`
	Group    string         `db:"group_id"`
	Chat     int64          `db:"chat_id"`
	UserID   string         `db:"user_id"`
	Member   int64          `db:"member_id"`
	Name     string         `db:"name"`
	At       time.Time      `db:"joined_at"`
	Title    string         `db:"title"`
	Language string         `db:"language"`
	Captcha  string         `db:"captcha"`
	Deadline sql.NullTime   `db:"deadline"`
	Welcome  bool           `db:"welcome"`
	Sent     pq.StringArray `db:"captcha_sent"`
}

func (r joinRow) join() community.Join {
	return community.Join{ID: community.JoinID(r.ID), Platform: community.Platform(r.Platform), Key: r.Key, Group: r.Group,
		Chat: community.ChatID(r.Chat), UserID: r.UserID, Member: community.MemberID(r.Member), Name: r.Name, At: r.At,
		GroupTitle: r.Title, Language: r.Language, Captcha: community.CaptchaState(r.Captcha), Deadline: r.Deadline.Time,
		Welcome: r.Welcome, CaptchaMessages: r.Sent}
}

// selectJoins runs a query selecting joinColumns.
func selectJoins(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]community.Join, error) {
	var rows []joinRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]community.Join, len(rows))
	for i, r := range rows {
		out[i] = r.join()
	}
	return out, nil
}

// oneJoin reads the join a query selects; none is ENotFound.
func oneJoin(ctx context.Context, q sqlx.QueryerContext, what string, query string, args ...any) (community.Join, error) {
	joins, err := selectJoins(ctx, q, query, args...)
	if err != nil {
		return community.Join{}, fmt.Errorf("load %s: %w", what, err)
	}
	if len(joins) == 0 {
		return community.Join{}, community.CaptchaOver(what)
	}
	return joins[0], nil
}

// RecordJoin implements community.OnboardingStore.
func (s *Store) RecordJoin(ctx context.Context, j community.Join) (community.Join, bool, error) {
	fresh := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `
INSERT INTO onboarding_joins (platform, update_key, group_id, chat_id, member_id, user_id, name, joined_at, captcha, deadline)
VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7, $8, $9, $10)
ON CONFLICT (platform, update_key) DO NOTHING
RETURNING id`, j.Platform, j.Key, j.Group, int64(j.Chat), int64(j.Member), j.UserID, j.Name, j.At, j.Captcha, nullTime(j.Deadline))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // recorded already
		}
		if err != nil {
			return fmt.Errorf("record %s joining %s %s: %w", j.UserID, j.Platform, j.Group, err)
		}
		fresh, j.ID = true, community.JoinID(id)
		return postFor(ctx, tx, j, j.At)
	})
	if err != nil {
		return j, false, err
	}
	stored, err := oneJoin(ctx, s.db, "join", `SELECT `+joinColumns+`
FROM onboarding_joins j LEFT JOIN chats c ON c.id = j.chat_id WHERE j.platform = $1 AND j.update_key = $2`, j.Platform, j.Key)
	return stored, fresh, err
}

// postFor queues the event that posts a join's welcome or captcha, as
// the join chooses, links it to the join and audits it, in the caller's
// transaction.
func postFor(ctx context.Context, tx *sqlx.Tx, j community.Join, at time.Time) error {
	e, entry := j.PostEffects(at)
	event, err := insertEventID(ctx, tx, e)
	if err != nil {
		return fmt.Errorf("join %d: %w", j.ID, err)
	}
	column := "welcome_event"
	if e.Kind == community.EventCaptcha {
		column = "captcha_event"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE onboarding_joins SET `+column+` = $2 WHERE id = $1`, j.ID, event); err != nil {
		return fmt.Errorf("link %s to join %d: %w", e.Kind, j.ID, err)
	}
	return writeAudit(ctx, tx, entry)
}

// OnboardingJoin implements community.OnboardingStore.
func (s *Store) OnboardingJoin(ctx context.Context, id community.JoinID) (community.Join, error) {
	return oneJoin(ctx, s.db, fmt.Sprintf("join %d", id), `SELECT `+joinColumns+`
FROM onboarding_joins j LEFT JOIN chats c ON c.id = j.chat_id WHERE j.id = $1`, id)
}

// SolveCaptcha implements community.OnboardingStore.
func (s *Store) SolveCaptcha(ctx context.Context, id community.JoinID, welcome bool, at time.Time) (community.Join, bool, error) {
	var j community.Join
	changed := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var claimed sql.NullTime
		if err := tx.GetContext(ctx, &claimed, `SELECT claimed_until FROM onboarding_joins WHERE id = $1 FOR UPDATE`, id); errors.Is(err, sql.ErrNoRows) {
			return community.CaptchaOver(fmt.Sprint("join ", id))
		} else if err != nil {
			return fmt.Errorf("lock join %d: %w", id, err)
		}
		var err error
		if j, err = oneJoin(ctx, tx, "join", `SELECT `+joinColumns+`
FROM onboarding_joins j LEFT JOIN chats c ON c.id = j.chat_id WHERE j.id = $1`, id); err != nil {
			return err
		}
		if j.Captcha != community.CaptchaPending || claimed.Valid && claimed.Time.After(at) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE onboarding_joins SET captcha = 'solved', settled_at = $2, claimed_until = NULL WHERE id = $1`, id, at); err != nil {
			return fmt.Errorf("solve the captcha of join %d: %w", id, err)
		}
		changed, j.Captcha = true, community.CaptchaSolved
		if err := saveEffects(ctx, tx, j.SolveEffects(at)); err != nil {
			return err
		}
		if !welcome {
			return nil
		}
		j.Welcome = true
		return postFor(ctx, tx, j, at)
	})
	return j, changed, err
}

// ClaimExpiredCaptchas implements community.OnboardingStore.
func (s *Store) ClaimExpiredCaptchas(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]community.Join, error) {
	joins, err := selectJoins(ctx, s.db, `
WITH j AS (
    UPDATE onboarding_joins SET claimed_until = CAST($1 AS timestamptz) + $2 * interval '1 millisecond'
    WHERE id IN (
        SELECT id FROM onboarding_joins
        WHERE captcha = 'pending' AND deadline <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
        ORDER BY deadline
        LIMIT $3
        FOR UPDATE SKIP LOCKED)
    RETURNING *)
SELECT `+joinColumns+` FROM j LEFT JOIN chats c ON c.id = j.chat_id ORDER BY j.deadline, j.id`, now, lease.Milliseconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("claim expired captchas: %w", err)
	}
	return joins, nil
}

// CaptchaExpired implements community.OnboardingStore. A captcha settled
// otherwise meanwhile is left as it is.
func (s *Store) CaptchaExpired(ctx context.Context, f community.CaptchaFailure, at time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var chat int64
		err := tx.GetContext(ctx, &chat, `
UPDATE onboarding_joins SET captcha = 'expired', settled_at = $2, claimed_until = NULL
WHERE id = $1 AND captcha = 'pending'
RETURNING COALESCE(chat_id, 0)`, f.Join, at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("expire the captcha of join %d: %w", f.Join, err)
		}
		return saveEffects(ctx, tx, f.Effects(community.ChatID(chat), at))
	})
}

// CancelCaptchas implements community.OnboardingStore.
func (s *Store) CancelCaptchas(ctx context.Context, p community.Platform, group, userID string, at time.Time) ([]community.Join, error) {
	var joins []community.Join
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		joins, err = selectJoins(ctx, tx, `
WITH j AS (
    UPDATE onboarding_joins SET captcha = 'cancelled', settled_at = $4
    WHERE platform = $1 AND group_id = $2 AND user_id = $3 AND captcha = 'pending'
      AND (claimed_until IS NULL OR claimed_until < $4)
    RETURNING *)
SELECT `+joinColumns+` FROM j LEFT JOIN chats c ON c.id = j.chat_id ORDER BY j.id`, p, group, userID, at)
		if err != nil {
			return fmt.Errorf("cancel the captchas of %s in %s %s: %w", userID, p, group, err)
		}
		for _, j := range joins {
			if err := saveEffects(ctx, tx, j.CancelEffects(at)); err != nil {
				return err
			}
		}
		return nil
	})
	return joins, err
}

// staleWelcomesSQL finds welcomes with a newer welcome in their group
// whose event was rendered (or gave up) and none of whose deliveries is
// still pending: their message ids are final.
const staleWelcomesSQL = `
SELECT j.id, j.platform, j.group_id,
       COALESCE((SELECT array_agg(s ORDER BY d.id) FROM deliveries d CROSS JOIN LATERAL unnest(d.sent_ids) AS s
                 WHERE d.event_id = j.welcome_event), '{}') AS sent
FROM onboarding_joins j JOIN outbox_events e ON e.id = j.welcome_event
WHERE j.welcome_event IS NOT NULL AND j.welcome_cleared_at IS NULL
  AND ($1 = '' OR (j.platform = $1 AND j.group_id = $2))
  AND e.status <> 'pending'
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = j.welcome_event AND d.status = 'pending')
  AND EXISTS (SELECT 1 FROM onboarding_joins n
              WHERE n.platform = j.platform AND n.group_id = j.group_id AND n.welcome_event > j.welcome_event)
ORDER BY j.id
LIMIT $3`

// StaleWelcomes implements community.OnboardingStore.
func (s *Store) StaleWelcomes(ctx context.Context, p community.Platform, group string, limit int) ([]community.StaleWelcome, error) {
	rows, err := s.db.QueryContext(ctx, staleWelcomesSQL, string(p), group, limit)
	if err != nil {
		return nil, fmt.Errorf("stale welcomes: %w", err)
	}
	defer rows.Close()
	var out []community.StaleWelcome
	for rows.Next() {
		var w community.StaleWelcome
		var sent pq.StringArray
		if err := rows.Scan(&w.Join, &w.Platform, &w.Group, &sent); err != nil {
			return nil, fmt.Errorf("stale welcomes: %w", err)
		}
		w.Messages = sent
		out = append(out, w)
	}
	return out, rows.Err()
}

// WelcomesCleared implements community.OnboardingStore.
func (s *Store) WelcomesCleared(ctx context.Context, joins []community.JoinID, at time.Time) error {
	ids := make([]int64, len(joins))
	for i, j := range joins {
		ids[i] = int64(j)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE onboarding_joins SET welcome_cleared_at = $2 WHERE id = ANY($1) AND welcome_cleared_at IS NULL`,
		pq.Array(ids), at); err != nil {
		return fmt.Errorf("mark %d welcomes deleted: %w", len(ids), err)
	}
	return nil
}

// WelcomeTemplates implements community.OnboardingStore.
func (s *Store) WelcomeTemplates(ctx context.Context) (map[string]string, error) {
	var rows []struct {
		Language string `db:"language"`
		Template string `db:"template"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT language, template FROM welcome_templates`); err != nil {
		return nil, fmt.Errorf("load welcome texts: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Language] = r.Template
	}
	return out, nil
}

// SetWelcomeTemplate implements community.OnboardingStore.
func (s *Store) SetWelcomeTemplate(ctx context.Context, c community.WelcomeChange) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if c.Text == "" {
			res, err := tx.ExecContext(ctx, `DELETE FROM welcome_templates WHERE language = $1`, c.Language)
			if err != nil {
				return fmt.Errorf("reset the %s welcome: %w", c.Language, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return community.WelcomeNotCustom(c.Language)
			}
		} else if _, err := tx.ExecContext(ctx, `
INSERT INTO welcome_templates (language, template, updated_by, updated_at) VALUES ($1, $2, NULLIF($3, 0), $4)
ON CONFLICT (language) DO UPDATE SET template = EXCLUDED.template, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			c.Language, c.Text, int64(c.By), c.At); err != nil {
			return fmt.Errorf("set the %s welcome: %w", c.Language, err)
		}
		return saveEffects(ctx, tx, c.Effects())
	})
}
