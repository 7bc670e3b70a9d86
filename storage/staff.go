package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

// AddStaff implements community.StaffStore: the staff row, its audit entry
// and its event in one transaction.
func (s *Store) AddStaff(ctx context.Context, c community.StaffChange) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO staff (member_id, added_by, added_at) VALUES ($1, NULLIF($2, 0), $3) ON CONFLICT DO NOTHING`,
			c.Member, c.By, c.At)
		if err != nil {
			return fmt.Errorf("add staff %d: %w", c.Member, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("member %d is staff already: %w", c.Member, community.ErrConflict)
		}
		return staffChanged(ctx, tx, community.AuditStaffAdd, c)
	})
}

// RemoveStaff implements community.StaffStore.
func (s *Store) RemoveStaff(ctx context.Context, c community.StaffChange) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM staff WHERE member_id = $1`, c.Member)
		if err != nil {
			return fmt.Errorf("remove staff %d: %w", c.Member, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return community.NotStaff(c.Member)
		}
		return staffChanged(ctx, tx, community.AuditStaffRemove, c)
	})
}

func staffChanged(ctx context.Context, tx *sqlx.Tx, action string, c community.StaffChange) error {
	if err := writeAudit(ctx, tx, c.AuditEntry(action)); err != nil {
		return err
	}
	return insertEvent(ctx, tx, c.Event)
}

// ListStaff implements community.StaffStore: named staff, oldest first.
func (s *Store) ListStaff(ctx context.Context) ([]community.StaffMember, error) {
	var rows []struct {
		Member  int64        `db:"member_id"`
		AddedBy *int64       `db:"added_by"`
		AddedAt sql.NullTime `db:"added_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT member_id, added_by, added_at FROM staff ORDER BY added_at, member_id`); err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Member
	}
	members, err := membersByID(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	byID := map[community.MemberID]community.Member{}
	for _, m := range members {
		byID[m.ID] = m
	}
	out := make([]community.StaffMember, 0, len(rows))
	for _, r := range rows {
		sm := community.StaffMember{Member: byID[community.MemberID(r.Member)], AddedAt: r.AddedAt.Time}
		if r.AddedBy != nil {
			sm.AddedBy = community.MemberID(*r.AddedBy)
		}
		out = append(out, sm)
	}
	return out, nil
}

// SetStaffChat implements community.StaffStore: the chat becomes its
// platform's only staff chat, with an audit entry.
func (s *Store) SetStaffChat(ctx context.Context, c community.StaffChatChange) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var previous []int64
		if err := tx.SelectContext(ctx, &previous, `UPDATE chats SET is_staff = false WHERE platform = $1 AND is_staff RETURNING id`, c.Chat.Platform); err != nil {
			return fmt.Errorf("clear staff chat: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE chats SET is_staff = true WHERE id = $1 AND platform = $2`, c.Chat.ID, c.Chat.Platform)
		if err != nil {
			return fmt.Errorf("set staff chat: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return community.ChatNotKnown(c.Chat.ID)
		}
		var was community.ChatID
		if len(previous) > 0 {
			was = community.ChatID(previous[0])
		}
		return writeAudit(ctx, tx, c.AuditEntry(was))
	})
}

// StaffChats implements the chat layer's CoreStore.
func (s *Store) StaffChats(ctx context.Context) ([]community.Chat, error) {
	return s.chats(ctx, `WHERE is_staff AND removed_at IS NULL ORDER BY platform`)
}
