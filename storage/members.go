package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

type identityRow struct {
	Platform    string       `db:"platform"`
	UserID      string       `db:"platform_user_id"`
	Member      int64        `db:"member_id"`
	Username    string       `db:"username"`
	DisplayName string       `db:"display_name"`
	Language    string       `db:"language"`
	FirstSeen   sql.NullTime `db:"first_seen_at"`
	LastSeen    sql.NullTime `db:"last_seen_at"`
}

type memberRecord struct {
	ID          int64        `db:"id"`
	DisplayName string       `db:"display_name"`
	Language    string       `db:"language"`
	CreatedAt   sql.NullTime `db:"created_at"`
}

// Member implements community.StaffStore: the member with their identities.
func (s *Store) Member(ctx context.Context, id community.MemberID) (community.Member, error) {
	members, err := membersByID(ctx, s.db, []int64{int64(id)})
	if err != nil {
		return community.Member{}, err
	}
	if len(members) == 0 {
		return community.Member{}, community.MemberNotFound(id)
	}
	return members[0], nil
}

// membersByID loads members and their identities, in id order.
func membersByID(ctx context.Context, q sqlx.QueryerContext, ids []int64) ([]community.Member, error) {
	var rows []memberRecord
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, display_name, language, created_at FROM members WHERE id = ANY($1) ORDER BY id`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load members: %w", err)
	}
	var idents []identityRow
	if err := sqlx.SelectContext(ctx, q, &idents, `
SELECT platform, platform_user_id, member_id, username, display_name, language, first_seen_at, last_seen_at
FROM identities WHERE member_id = ANY($1) ORDER BY platform, platform_user_id`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load identities: %w", err)
	}
	byID := map[int64]*community.Member{}
	out := make([]community.Member, len(rows))
	for i, r := range rows {
		out[i] = community.Member{ID: community.MemberID(r.ID), DisplayName: r.DisplayName, Language: r.Language, CreatedAt: r.CreatedAt.Time}
		byID[r.ID] = &out[i]
	}
	for _, r := range idents {
		m := byID[r.Member]
		m.Identities = append(m.Identities, community.Identity{
			Account: community.Account{Platform: community.Platform(r.Platform), UserID: r.UserID},
			Member:  community.MemberID(r.Member), Username: r.Username, DisplayName: r.DisplayName,
			Language: r.Language, FirstSeen: r.FirstSeen.Time, LastSeen: r.LastSeen.Time,
		})
	}
	return out, nil
}

// FindMember implements the chat layer's Store: the member behind a platform user id
// or username (case-insensitive) on platform p.
func (s *Store) FindMember(ctx context.Context, p community.Platform, ref community.MemberRef) (community.Member, error) {
	var ids []int64
	var err error
	if ref.UserID != "" {
		err = s.db.SelectContext(ctx, &ids, `SELECT member_id FROM identities WHERE platform = $1 AND platform_user_id = $2`, p, ref.UserID)
	} else {
		err = s.db.SelectContext(ctx, &ids, `
SELECT member_id FROM identities WHERE platform = $1 AND lower(username) = lower($2) AND username <> ''
ORDER BY last_seen_at DESC LIMIT 1`, p, strings.TrimPrefix(ref.Username, "@"))
	}
	if err != nil {
		return community.Member{}, fmt.Errorf("find member %q: %w", ref.Text, err)
	}
	if len(ids) == 0 {
		return community.Member{}, community.MemberRefNotFound(p, ref.Text)
	}
	return s.Member(ctx, community.MemberID(ids[0]))
}

// IsStaff implements community.AccessStore: whether an owner named the
// member staff.
func (s *Store) IsStaff(ctx context.Context, member community.MemberID) (bool, error) {
	var staff bool
	err := s.db.GetContext(ctx, &staff, `SELECT EXISTS (SELECT 1 FROM staff WHERE member_id = $1)`, member)
	if err != nil {
		return false, fmt.Errorf("is member %d staff: %w", member, err)
	}
	return staff, nil
}
