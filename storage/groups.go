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

var _ community.GroupStore = (*Store)(nil)

// groupsSQL selects groups (top-level chats that are not direct) with
// whether they hold a staff chat.
const groupsSQL = `
SELECT g.id, g.platform, g.platform_chat_id, g.kind, g.title, g.is_staff, g.language,
       g.connected_at, g.connected_by, g.connected_via, g.removed_at IS NULL AS present,
       g.is_staff OR EXISTS (SELECT 1 FROM chats c WHERE c.parent_id = g.id AND c.is_staff) AS holds_staff_chat
FROM chats g
WHERE g.parent_id IS NULL AND g.kind <> 'direct'`

type groupRow struct {
	ID             int64         `db:"id"`
	Platform       string        `db:"platform"`
	ChatID         string        `db:"platform_chat_id"`
	Kind           string        `db:"kind"`
	Title          string        `db:"title"`
	IsStaff        bool          `db:"is_staff"`
	Language       string        `db:"language"`
	ConnectedAt    sql.NullTime  `db:"connected_at"`
	ConnectedBy    sql.NullInt64 `db:"connected_by"`
	Via            string        `db:"connected_via"`
	Present        bool          `db:"present"`
	HoldsStaffChat bool          `db:"holds_staff_chat"`
}

func (r groupRow) group() community.GroupState {
	return community.GroupState{
		Chat: community.Chat{ID: community.ChatID(r.ID), Platform: community.Platform(r.Platform), PlatformID: r.ChatID,
			Kind: community.ChatKind(r.Kind), Title: r.Title, IsStaff: r.IsStaff, Language: r.Language},
		Connected: r.ConnectedAt.Valid, ConnectedAt: r.ConnectedAt.Time, ConnectedBy: community.MemberID(r.ConnectedBy.Int64),
		Via: community.ConnectVia(r.Via), Present: r.Present, HoldsStaffChat: r.HoldsStaffChat,
	}
}

// Group implements community.GroupStore.
func (s *Store) Group(ctx context.Context, p community.Platform, id string) (community.GroupState, error) {
	var r groupRow
	err := s.db.GetContext(ctx, &r, groupsSQL+` AND g.platform = $1 AND g.platform_chat_id = $2`, p, id)
	if err == sql.ErrNoRows {
		return community.GroupState{}, community.GroupNotKnown(p, id)
	}
	if err != nil {
		return community.GroupState{}, fmt.Errorf("load %s group %s: %w", p, id, err)
	}
	return r.group(), nil
}

// Groups implements community.GroupStore: connected groups first, then
// the others Hearth is in, each platform's in the order they came.
func (s *Store) Groups(ctx context.Context) ([]community.GroupState, error) {
	var rows []groupRow
	err := s.db.SelectContext(ctx, &rows, groupsSQL+`
  AND (g.connected_at IS NOT NULL OR g.removed_at IS NULL)
ORDER BY g.connected_at IS NULL, g.platform, g.id`)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	out := make([]community.GroupState, len(rows))
	for i, r := range rows {
		out[i] = r.group()
	}
	return out, nil
}

// connectGroupSQL records a group as connected, recording the group itself
// if Hearth has not seen it yet (a group listed in the configuration).
const connectGroupSQL = `
INSERT INTO chats (platform, platform_chat_id, kind, title, connected_at, connected_by, connected_via)
VALUES ($1, $2, 'group', $3, $4, NULLIF($5, 0), $6)
ON CONFLICT (platform, platform_chat_id) DO UPDATE
SET connected_at = EXCLUDED.connected_at, connected_by = EXCLUDED.connected_by, connected_via = EXCLUDED.connected_via,
    title = CASE WHEN EXCLUDED.title = '' THEN chats.title ELSE EXCLUDED.title END
WHERE chats.connected_at IS NULL
RETURNING id`

// ConnectGroup implements community.GroupStore, with its audit entry.
func (s *Store) ConnectGroup(ctx context.Context, c community.GroupChange) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return connectGroup(ctx, tx, c) })
}

func connectGroup(ctx context.Context, tx *sqlx.Tx, c community.GroupChange) error {
	var id int64
	err := tx.GetContext(ctx, &id, connectGroupSQL, c.Group.Platform, c.Group.ID, c.Title, c.At, int64(c.By), c.Via)
	if err == sql.ErrNoRows {
		return fmt.Errorf("%s group %s is connected already: %w", c.Group.Platform, c.Group.ID, community.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("connect %s group %s: %w", c.Group.Platform, c.Group.ID, err)
	}
	return writeAudit(ctx, tx, c.AuditEntry(community.AuditGroupConnect, community.ChatID(id)))
}

// DisconnectGroup implements community.GroupStore, with its audit entry.
func (s *Store) DisconnectGroup(ctx context.Context, c community.GroupChange) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return disconnectGroup(ctx, tx, c) })
}

func disconnectGroup(ctx context.Context, tx *sqlx.Tx, c community.GroupChange) error {
	var id int64
	err := tx.GetContext(ctx, &id, `
UPDATE chats SET connected_at = NULL, connected_by = NULL, connected_via = '', outsider_told_at = NULL
WHERE platform = $1 AND platform_chat_id = $2 AND parent_id IS NULL AND connected_at IS NOT NULL
RETURNING id`, c.Group.Platform, c.Group.ID)
	if err == sql.ErrNoRows {
		return fmt.Errorf("%s group %s is not connected: %w", c.Group.Platform, c.Group.ID, community.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("disconnect %s group %s: %w", c.Group.Platform, c.Group.ID, err)
	}
	return writeAudit(ctx, tx, c.AuditEntry(community.AuditGroupDisconnect, community.ChatID(id)))
}

// SyncConfiguredGroups implements community.GroupStore: groups listed are
// connected by the configuration (one an owner connected stays theirs);
// those the configuration connected and no longer lists are disconnected,
// but for one holding the staff chat, which stays until the staff chat
// moves. Every change is audited. Replicas starting at once may both do
// it: what another did first is not done twice.
func (s *Store) SyncConfiguredGroups(ctx context.Context, p community.Platform, ids []string, at time.Time) error {
	if ids == nil {
		ids = []string{} // an empty array, not NULL
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var dropped []string
		err := tx.SelectContext(ctx, &dropped, `
SELECT platform_chat_id FROM chats g
WHERE platform = $1 AND parent_id IS NULL AND connected_via = 'config' AND NOT platform_chat_id = ANY($2)
  AND NOT (g.is_staff OR EXISTS (SELECT 1 FROM chats c WHERE c.parent_id = g.id AND c.is_staff))
ORDER BY id`, p, pq.Array(ids))
		if err != nil {
			return fmt.Errorf("configured %s groups: %w", p, err)
		}
		for _, id := range dropped {
			c := community.GroupChange{Group: community.Group{Platform: p, ID: id}, Via: community.ViaConfig, At: at}
			if err := disconnectGroup(ctx, tx, c); err != nil && community.ErrorCode(err) != community.EConflict {
				return err
			}
		}
		var fresh []string
		err = tx.SelectContext(ctx, &fresh, `
SELECT id FROM unnest($2::text[]) AS t(id)
WHERE NOT EXISTS (SELECT 1 FROM chats c WHERE c.platform = $1 AND c.platform_chat_id = t.id AND c.connected_at IS NOT NULL)
ORDER BY id`, p, pq.Array(ids))
		if err != nil {
			return fmt.Errorf("configured %s groups: %w", p, err)
		}
		for _, id := range fresh {
			c := community.GroupChange{Group: community.Group{Platform: p, ID: id}, Via: community.ViaConfig, At: at}
			if err := connectGroup(ctx, tx, c); err != nil && community.ErrorCode(err) != community.EConflict {
				return err
			}
		}
		return nil
	})
}

// TellOutsiders implements the chat layer's Store: true the first time it is asked for
// an unconnected group, so that its people are told once.
func (s *Store) TellOutsiders(ctx context.Context, p community.Platform, id string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `
UPDATE chats SET outsider_told_at = now()
WHERE platform = $1 AND platform_chat_id = $2 AND connected_at IS NULL AND outsider_told_at IS NULL`, p, id)
	if err != nil {
		return false, fmt.Errorf("tell the outsiders of %s group %s: %w", p, id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// moveGroupSQL gives the new id the old group's place and takes it from
// the old one, in one statement; nothing happens when the old group is
// gone already (the other side of the move came first).
const moveGroupSQL = `
WITH old AS (
    UPDATE chats o SET removed_at = COALESCE(o.removed_at, $4), is_staff = false,
           connected_at = NULL, connected_by = NULL, connected_via = ''
    FROM (SELECT id, title, language, is_staff, connected_at, connected_by, connected_via FROM chats
          WHERE platform = $1 AND platform_chat_id = $2 AND (connected_at IS NOT NULL OR is_staff) FOR UPDATE) prev
    WHERE o.id = prev.id
    RETURNING prev.*
)
INSERT INTO chats (platform, platform_chat_id, kind, title, language, is_staff, connected_at, connected_by, connected_via)
SELECT $1, $3, 'group', title, language, is_staff, connected_at, connected_by, connected_via FROM old
ON CONFLICT (platform, platform_chat_id) DO UPDATE
SET language = EXCLUDED.language, is_staff = EXCLUDED.is_staff, removed_at = NULL,
    connected_at = EXCLUDED.connected_at, connected_by = EXCLUDED.connected_by, connected_via = EXCLUDED.connected_via
RETURNING id`

// MoveGroup implements the chat layer's Store, with its audit entry.
func (s *Store) MoveGroup(ctx context.Context, p community.Platform, from, to string, at time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, moveGroupSQL, p, from, to, at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("move %s group %s to %s: %w", p, from, to, err)
		}
		return writeAudit(ctx, tx, community.GroupMovedAudit(p, from, to, community.ChatID(id), at))
	})
}
