package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The stored digests (one a week), the groups that get the public
// highlight and their newcomers, and an erasure's part in the digests.

// SaveDigest implements digest.Store.
func (s *Store) SaveDigest(ctx context.Context, d digest.Digest, effects community.Effects) (bool, error) {
	doc, err := json.Marshal(d)
	if err != nil {
		return false, fmt.Errorf("digest %s: %w", d.Week, err)
	}
	saved := false
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO digests (week, made_at, digest) VALUES ($1, $2, $3) ON CONFLICT (week) DO NOTHING`,
			d.Week.String(), d.MadeAt, doc)
		if err != nil {
			return fmt.Errorf("store digest %s: %w", d.Week, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		saved = true
		var members pq.Int64Array
		var pAlive pq.Float64Array
		for m, p := range d.PAlive {
			members, pAlive = append(members, int64(m)), append(pAlive, p)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO digest_p_alive (week, member_id, p_alive)
SELECT $1, m, p FROM unnest($2::bigint[], $3::float8[]) AS x (m, p) WHERE m IN (SELECT id FROM members)`,
			d.Week.String(), members, pAlive); err != nil {
			return fmt.Errorf("store the VIPs' P(alive) of digest %s: %w", d.Week, err)
		}
		return saveEffects(ctx, tx, effects)
	})
	return saved, err
}

// SetHighlights turns the weekly highlight on or off in a group, with
// its audit entry.
func (s *Store) SetHighlights(ctx context.Context, chat community.ChatID, on bool, by community.MemberID, at time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		q := `DELETE FROM highlight_places WHERE chat_id = $1`
		args := []any{int64(chat)}
		if on {
			q = `INSERT INTO highlight_places (chat_id, set_by, set_at) VALUES ($1, $2, $3)
ON CONFLICT (chat_id) DO UPDATE SET set_by = $2, set_at = $3`
			args = append(args, nullMember(by), at)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("highlights in chat %d: %w", chat, err)
		}
		return writeAudit(ctx, tx, digest.HighlightAudit(chat, on, by, at))
	})
}

// highlightNewcomersSQL lists the members who joined a group ($1, or
// the guild of a Discord channel) in [$2, $3): joins whose captcha was
// not failed or cancelled, of members not banned or kicked since.
const highlightNewcomersSQL = `
SELECT m.id AS member_id, m.display_name, m.hide_from_top
FROM onboarding_joins j JOIN members m ON m.id = j.member_id
WHERE j.chat_id IN (SELECT id FROM chats WHERE id = $1 UNION SELECT parent_id FROM chats WHERE id = $1 AND parent_id IS NOT NULL)
  AND j.joined_at >= $2 AND j.joined_at < $3 AND j.captcha IN ('none', 'pending', 'solved')
  AND NOT EXISTS (SELECT 1 FROM sanctions s WHERE s.member_id = m.id AND s.kind IN ('ban', 'kick') AND s.at >= j.joined_at)
GROUP BY m.id, m.display_name, m.hide_from_top
ORDER BY min(j.joined_at), m.id`

// HighlightNewcomers returns the members who joined a group in [start,
// end) and may be named there (not hidden from /top), and how many
// others did.
func (s *Store) HighlightNewcomers(ctx context.Context, chat community.ChatID, start, end time.Time) ([]digest.Named, int, error) {
	var rows []struct {
		Member community.MemberID `db:"member_id"`
		Name   string             `db:"display_name"`
		Hidden bool               `db:"hide_from_top"`
	}
	if err := s.db.SelectContext(ctx, &rows, highlightNewcomersSQL, int64(chat), start, end); err != nil {
		return nil, 0, fmt.Errorf("newcomers of chat %d: %w", chat, err)
	}
	var named []digest.Named
	hidden := 0
	for _, r := range rows {
		if r.Hidden {
			hidden++
		} else {
			named = append(named, digest.Named{Member: r.Member, Name: r.Name})
		}
	}
	return named, hidden, nil
}

// HighlightChats returns the groups that get the weekly highlight and
// are still the community's.
func (s *Store) HighlightChats(ctx context.Context) ([]community.Chat, error) {
	return s.chats(ctx, `WHERE id IN (SELECT h.chat_id FROM highlight_places h JOIN chat_scope sc ON sc.id = h.chat_id WHERE sc.connected)
AND removed_at IS NULL`)
}

// digestsNamingSQL finds the stored digests that name a member.
const digestsNamingSQL = `
SELECT week, digest FROM digests WHERE jsonb_path_exists(digest, 'strict $.** ? (@.member == $m)', jsonb_build_object('m', $1::bigint))
ORDER BY week FOR UPDATE`

// forgetInDigests takes an erased member out of the stored digests
// (digest.Digest.Forget) and their posts: a year holds 52, read whole.
func forgetInDigests(ctx context.Context, tx *sqlx.Tx, member community.MemberID) error {
	var rows []struct {
		Week   string `db:"week"`
		Digest []byte `db:"digest"`
	}
	if err := tx.SelectContext(ctx, &rows, digestsNamingSQL, int64(member)); err != nil {
		return fmt.Errorf("digests naming member %d: %w", member, err)
	}
	for _, r := range rows {
		var d digest.Digest
		if err := json.Unmarshal(r.Digest, &d); err != nil {
			return fmt.Errorf("digest %s: %w", r.Week, err)
		}
		if !d.Forget(member) {
			continue
		}
		doc, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("digest %s: %w", r.Week, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE digests SET digest = $2 WHERE week = $1`, r.Week, doc); err != nil {
			return fmt.Errorf("forget member %d in digest %s: %w", member, r.Week, err)
		}
		// The digest's posts named them as text: Hearth's copies go, and
		// a post still waiting is not sent (/digest shows the week again).
		if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE event_id IN
    (SELECT id FROM outbox_events WHERE kind = $1 AND payload->>'week' = $2)`, digest.EventReady, r.Week); err != nil {
			return fmt.Errorf("forget member %d in the posts of digest %s: %w", member, r.Week, err)
		}
	}
	return nil
}

// LatestDigest implements digest.Store.
func (s *Store) LatestDigest(ctx context.Context) (digest.Week, bool, error) {
	var week string
	err := s.db.GetContext(ctx, &week, `SELECT week FROM digests ORDER BY week DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return digest.Week{}, false, nil
	}
	if err != nil {
		return digest.Week{}, false, fmt.Errorf("latest digest: %w", err)
	}
	w, err := digest.ParseWeek(week)
	return w, err == nil, err
}

// StoredDigest implements digest.Store.
func (s *Store) StoredDigest(ctx context.Context, w digest.Week) (digest.Digest, error) {
	var doc []byte
	err := s.db.GetContext(ctx, &doc, `SELECT digest FROM digests WHERE week = $1`, w.String())
	if errors.Is(err, sql.ErrNoRows) {
		return digest.Digest{}, community.Errorf(community.ENotFound, "digest.none", map[string]any{"Week": w.String()}, "no digest of %s is stored", w)
	}
	if err != nil {
		return digest.Digest{}, fmt.Errorf("read digest %s: %w", w, err)
	}
	var d digest.Digest
	if err := json.Unmarshal(doc, &d); err != nil {
		return digest.Digest{}, fmt.Errorf("read digest %s: %w", w, err)
	}
	return d, nil
}

var _ digest.Store = (*Store)(nil)
