package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
)

// SetIdeasPlace records where a platform's new items are posted, with its
// audit entry.
func (s *Store) SetIdeasPlace(ctx context.Context, p feedback.Place, by community.MemberID, at time.Time) error {
	return s.setPlace(ctx, "feedback_places", p, by, at, feedback.PlaceAudit(p, by, at))
}

// IdeasPlaces returns where each platform's new items are posted, in
// chats Hearth is still in and that are still the community's (a group
// an owner disconnected is not).
func (s *Store) IdeasPlaces(ctx context.Context) ([]feedback.Place, error) {
	return s.places(ctx, "feedback_places")
}

// SetShowcasePlace records where a platform's reshares of customers'
// posts go, with its audit entry.
func (s *Store) SetShowcasePlace(ctx context.Context, p feedback.Place, by community.MemberID, at time.Time) error {
	return s.setPlace(ctx, "showcase_places", p, by, at, feedback.ShowcasePlaceAudit(p, by, at))
}

// ShowcasePlaces returns where each platform's reshares go, in chats
// Hearth is still in and that are still the community's.
func (s *Store) ShowcasePlaces(ctx context.Context) ([]feedback.Place, error) {
	return s.places(ctx, "showcase_places")
}

// setPlace chooses a platform's place in table (feedback_places,
// showcase_places: a constant, never input).
func (s *Store) setPlace(ctx context.Context, table string, p feedback.Place, by community.MemberID, at time.Time, audit community.AuditEntry) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
INSERT INTO `+table+` (platform, chat_id, thread_id, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (platform) DO UPDATE SET chat_id = $2, thread_id = $3, set_by = $4, set_at = $5`,
			string(p.Chat.Platform), int64(p.Chat.ID), p.Thread, nullMember(by), at); err != nil {
			return fmt.Errorf("choose the place on %s: %w", p.Chat.Platform, err)
		}
		return writeAudit(ctx, tx, audit)
	})
}

// places reads the places of table that are still the community's.
func (s *Store) places(ctx context.Context, table string) ([]feedback.Place, error) {
	var rows []struct {
		Chat   int64  `db:"chat_id"`
		Thread string `db:"thread_id"`
	}
	if err := s.db.SelectContext(ctx, &rows, `
SELECT p.chat_id, p.thread_id FROM `+table+` p JOIN chats c ON c.id = p.chat_id JOIN chat_scope sc ON sc.id = c.id
WHERE c.removed_at IS NULL AND sc.connected ORDER BY p.platform`); err != nil {
		return nil, fmt.Errorf("places in %s: %w", table, err)
	}
	out := make([]feedback.Place, 0, len(rows))
	for _, r := range rows {
		chats, err := s.chats(ctx, `WHERE id = $1`, r.Chat)
		if err != nil {
			return nil, err
		}
		for _, c := range chats {
			out = append(out, feedback.Place{Chat: c, Thread: r.Thread})
		}
	}
	return out, nil
}

// ItemPosts returns the messages an item was posted as: the deliveries
// of its post event.
func (s *Store) ItemPosts(ctx context.Context, id feedback.ItemID) ([]feedback.Post, error) {
	var rows []struct {
		Platform string `db:"platform"`
		Chat     string `db:"chat"`
		Thread   string `db:"thread"`
		Message  string `db:"message_id"`
		Status   string `db:"status"`
	}
	err := s.db.SelectContext(ctx, &rows, `
SELECT d.platform, COALESCE(d.target->>'chat', '') AS chat, COALESCE(d.target->>'thread', '') AS thread,
       COALESCE(d.sent_ids[1], '') AS message_id, d.status
FROM feedback_items i JOIN deliveries d ON d.event_id = i.post_event
WHERE i.id = $1 AND d.status <> 'dead'
ORDER BY d.id`, int64(id))
	if err != nil {
		return nil, fmt.Errorf("posts of item %d: %w", id, err)
	}
	out := make([]feedback.Post, len(rows))
	for i, r := range rows {
		out[i] = feedback.Post{Platform: community.Platform(r.Platform), ChatID: r.Chat, ThreadID: r.Thread, MessageID: r.Message,
			Sent: r.Status == "sent"}
	}
	return out, nil
}

// NoticesOf returns the changes an EventNotices event tells, for the
// members Hearth may write to, in the order they were made.
func (s *Store) NoticesOf(ctx context.Context, event int64) ([]feedback.Notice, error) {
	var rows []struct {
		Member  int64     `db:"member_id"`
		Item    int64     `db:"item_id"`
		Title   string    `db:"title"`
		To      string    `db:"to_status"`
		Into    int64     `db:"merged_into"`
		Comment string    `db:"comment"`
		At      time.Time `db:"at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
SELECT n.member_id, c.item_id, i.title, c.to_status, COALESCE(c.merged_into, 0) AS merged_into, c.comment, c.at
FROM feedback_notices n JOIN feedback_changes c ON c.id = n.change_id JOIN feedback_items i ON i.id = c.item_id
WHERE n.event_id = $1 AND NOT n.unreachable
ORDER BY n.member_id, c.at, c.id`, event)
	if err != nil {
		return nil, fmt.Errorf("notices of event %d: %w", event, err)
	}
	out := make([]feedback.Notice, len(rows))
	for i, r := range rows {
		out[i] = feedback.Notice{Member: community.MemberID(r.Member), Item: feedback.ItemID(r.Item), Title: r.Title,
			To: feedback.Status(r.To), Into: feedback.ItemID(r.Into), Comment: r.Comment, At: r.At}
	}
	return out, nil
}
