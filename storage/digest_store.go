package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The stored digests (one a week), the groups that get the public
// highlight and their newcomers, and an erasure's part in the digests.

// SaveDigest implements digest.Store. The members the digest names are
// locked first (FOR KEY SHARE): one erased while the digest was being
// made is taken out of it, and one being erased now waits for it.
func (s *Store) SaveDigest(ctx context.Context, d digest.Digest, effects community.Effects) (bool, error) {
	saved := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		named := d.NamedMembers()
		ids := make(pq.Int64Array, len(named))
		for i, m := range named {
			ids[i] = int64(m)
		}
		var present []int64
		if err := tx.SelectContext(ctx, &present, `SELECT id FROM members WHERE id = ANY($1) ORDER BY id FOR KEY SHARE`, ids); err != nil {
			return fmt.Errorf("store digest %s: its members: %w", d.Week, err)
		}
		for _, m := range named {
			if !slices.Contains(present, int64(m)) {
				d.Forget(m)
			}
		}
		doc, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("digest %s: %w", d.Week, err)
		}
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
		// Not a member erased while the digest was being made.
		if _, err := tx.ExecContext(ctx, `INSERT INTO digest_p_alive (week, member_id, p_alive)
SELECT $1, m, p FROM unnest($2::bigint[], $3::float8[]) AS x (m, p) WHERE m IN (SELECT id FROM members)`,
			d.Week.String(), members, pAlive); err != nil {
			return fmt.Errorf("store the VIPs' P(alive) of digest %s: %w", d.Week, err)
		}
		// Only the week before is ever compared with: older weeks go.
		if _, err := tx.ExecContext(ctx, `DELETE FROM digest_p_alive WHERE week < $1`, d.Week.Prev().String()); err != nil {
			return fmt.Errorf("prune the VIPs' P(alive) before digest %s: %w", d.Week, err)
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
// the guild of a Discord channel) in [$2, $3): joins with no captcha or
// a solved one, of members not banned or kicked since.
const highlightNewcomersSQL = `
SELECT m.id AS member_id, m.display_name, m.hide_from_top
FROM onboarding_joins j JOIN members m ON m.id = j.member_id
WHERE j.chat_id IN (SELECT id FROM chats WHERE id = $1 UNION SELECT parent_id FROM chats WHERE id = $1 AND parent_id IS NOT NULL)
  AND j.joined_at >= $2 AND j.joined_at < $3 AND j.captcha IN ('none', 'solved')
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
// (digest.Digest.Forget; a year holds 52, read whole) and out of their
// posts: the staff's posts of the digests that named them, and the
// group highlights that thanked them or may have welcomed them (posted
// within 15 days of their joining a group) go from the outbox, sent or
// waiting (staff read the week again with /digest); a digest's post being
// rendered now loses its claim and is rendered again from what is left.
func forgetInDigests(ctx context.Context, tx *sqlx.Tx, member community.MemberID) error {
	var rows []struct {
		Week   string `db:"week"`
		Digest []byte `db:"digest"`
	}
	if err := tx.SelectContext(ctx, &rows, digestsNamingSQL, int64(member)); err != nil {
		return fmt.Errorf("digests naming member %d: %w", member, err)
	}
	var staffWeeks, publicWeeks pq.StringArray
	for _, r := range rows {
		var d digest.Digest
		if err := json.Unmarshal(r.Digest, &d); err != nil {
			return fmt.Errorf("digest %s: %w", r.Week, err)
		}
		staff, public := d.Forget(member)
		if staff {
			staffWeeks = append(staffWeeks, r.Week)
		}
		if public {
			publicWeeks = append(publicWeeks, r.Week)
		}
		if !staff && !public {
			continue
		}
		doc, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("digest %s: %w", r.Week, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE digests SET digest = $2 WHERE week = $1`, r.Week, doc); err != nil {
			return fmt.Errorf("forget member %d in digest %s: %w", member, r.Week, err)
		}
	}
	if _, err := tx.ExecContext(ctx, digestPostsNamingSQL, staffWeeks, publicWeeks, int64(member)); err != nil {
		return fmt.Errorf("forget member %d in the digests' posts: %w", member, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox_events SET claim = NULL, locked_until = NULL
WHERE kind = 'digest.ready' AND status = 'pending' AND claim IS NOT NULL`); err != nil {
		return fmt.Errorf("forget member %d in the digests' posts being rendered: %w", member, err)
	}
	return nil
}

// digestPostsNamingSQL deletes the posts of digests that may name a
// member ($3): to the staff chats for the weeks in $1, to the groups
// for the weeks in $2 or posted within 15 days of the member joining a
// group (a highlight welcomes the week's newcomers). The digests' events
// are found by their own index (00034), the kind written out for it.
const digestPostsNamingSQL = `
DELETE FROM deliveries d USING outbox_events e, chats c
WHERE d.event_id = e.id AND e.kind = 'digest.ready' AND c.platform = d.platform AND c.platform_chat_id = d.target->>'chat'
  AND ((c.is_staff AND e.payload->>'week' = ANY ($1))
    OR (NOT c.is_staff AND (e.payload->>'week' = ANY ($2) OR EXISTS (SELECT 1 FROM onboarding_joins j
          WHERE j.member_id = $3 AND e.created_at >= j.joined_at AND e.created_at < j.joined_at + interval '15 days'))))`

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
