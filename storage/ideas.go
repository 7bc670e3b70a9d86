package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
)

var (
	_ feedback.BoardStore  = (*Store)(nil)
	_ feedback.ListStore   = (*Store)(nil)
	_ feedback.NoticeStore = (*Store)(nil)
)

// itemColumns are an item's columns as itemRow reads them (i: the item).
const itemColumns = `i.id, COALESCE(i.member_id, 0) AS member_id, COALESCE(m.display_name, '') AS author_name, i.kind, i.title, i.body,
i.language, i.platform, i.status, COALESCE(i.merged_into, 0) AS merged_into, i.votes, i.created_at, i.changed_at`

// itemFrom joins an item's author.
const itemFrom = `feedback_items i LEFT JOIN members m ON m.id = i.member_id`

type itemRow struct {
	ID         int64     `db:"id"`
	Member     int64     `db:"member_id"`
	AuthorName string    `db:"author_name"`
	Kind       string    `db:"kind"`
	Title      string    `db:"title"`
	Body       string    `db:"body"`
	Lang       string    `db:"language"`
	Platform   string    `db:"platform"`
	Status     string    `db:"status"`
	MergedInto int64     `db:"merged_into"`
	Votes      int       `db:"votes"`
	CreatedAt  time.Time `db:"created_at"`
	ChangedAt  time.Time `db:"changed_at"`
}

func (r itemRow) item() feedback.Item {
	return feedback.Item{ID: feedback.ItemID(r.ID), Author: community.MemberID(r.Member), AuthorName: r.AuthorName,
		Kind: feedback.Kind(r.Kind), Text: feedback.Text{Title: r.Title, Body: r.Body}, Lang: r.Lang,
		Platform: community.Platform(r.Platform), Status: feedback.Status(r.Status), MergedInto: feedback.ItemID(r.MergedInto),
		Votes: r.Votes, CreatedAt: r.CreatedAt, ChangedAt: r.ChangedAt}
}

func items(rows []itemRow) []feedback.Item {
	out := make([]feedback.Item, len(rows))
	for i, r := range rows {
		out[i] = r.item()
	}
	return out
}

// Item implements feedback.BoardStore.
func (s *Store) Item(ctx context.Context, id feedback.ItemID) (feedback.Item, error) {
	var r itemRow
	err := s.db.GetContext(ctx, &r, `SELECT `+itemColumns+` FROM `+itemFrom+` WHERE i.id = $1`, int64(id))
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.Item{}, feedback.ItemNotFound(id)
	}
	if err != nil {
		return feedback.Item{}, fmt.Errorf("item %d: %w", id, err)
	}
	return r.item(), nil
}

// draftsKept is how long a draft nobody posted is kept.
const draftsKept = 24 * time.Hour

// ItemsPostedSince implements feedback.BoardStore.
func (s *Store) ItemsPostedSince(ctx context.Context, member community.MemberID, since time.Time) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM feedback_items WHERE member_id = $1 AND created_at >= $2`, int64(member), since); err != nil {
		return 0, fmt.Errorf("items of member %d: %w", member, err)
	}
	return n, nil
}

// SaveDraft implements feedback.BoardStore. Drafts abandoned for a day
// (the member never chose a kind or a look-alike) go first, so that the
// table does not only grow.
func (s *Store) SaveDraft(ctx context.Context, d feedback.Draft) (feedback.Draft, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM feedback_drafts WHERE created_at < $1`, d.At.Add(-draftsKept)); err != nil {
			return err
		}
		return tx.GetContext(ctx, &d.ID, `
INSERT INTO feedback_drafts (member_id, kind, title, body, language, platform, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			int64(d.Member), string(d.Kind), d.Text.Title, d.Text.Body, d.Lang, string(d.Platform), d.At)
	})
	if err != nil {
		return feedback.Draft{}, fmt.Errorf("keep a draft of member %d: %w", d.Member, err)
	}
	return d, nil
}

// Draft implements feedback.BoardStore.
func (s *Store) Draft(ctx context.Context, id feedback.DraftID, member community.MemberID) (feedback.Draft, error) {
	var r struct {
		Kind     string    `db:"kind"`
		Title    string    `db:"title"`
		Body     string    `db:"body"`
		Lang     string    `db:"language"`
		Platform string    `db:"platform"`
		At       time.Time `db:"created_at"`
	}
	err := s.db.GetContext(ctx, &r, `
SELECT kind, title, body, language, platform, created_at FROM feedback_drafts WHERE id = $1 AND member_id = $2`, int64(id), int64(member))
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.Draft{}, feedback.DraftNotFound(id)
	}
	if err != nil {
		return feedback.Draft{}, fmt.Errorf("draft %d: %w", id, err)
	}
	return feedback.Draft{ID: id, Member: member, Kind: feedback.Kind(r.Kind), Text: feedback.Text{Title: r.Title, Body: r.Body},
		Lang: r.Lang, Platform: community.Platform(r.Platform), At: r.At}, nil
}

// SetDraftKind implements feedback.BoardStore.
func (s *Store) SetDraftKind(ctx context.Context, id feedback.DraftID, kind feedback.Kind) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE feedback_drafts SET kind = $2 WHERE id = $1`, int64(id), string(kind)); err != nil {
		return fmt.Errorf("choose the kind of draft %d: %w", id, err)
	}
	return nil
}

// lookAlikesSQL finds items in a language ($1) still taking votes whose
// words hold the draft's title ($2) at least as alike as the
// transaction's pg_trgm.word_similarity_threshold (pg_trgm word
// similarity over title and body, served by feedback_items_similar), at
// most $3.
const lookAlikesSQL = `
SELECT ` + itemColumns + `, word_similarity($2, i.title || ' ' || i.body) AS similarity
FROM ` + itemFrom + `
WHERE i.language = $1 AND i.status NOT IN ('merged', 'declined') AND $2 <% (i.title || ' ' || i.body)
ORDER BY similarity DESC, i.votes DESC, i.id
LIMIT $3`

// LookAlikes implements feedback.BoardStore.
func (s *Store) LookAlikes(ctx context.Context, lang string, t feedback.Text, minimum float64, limit int) ([]feedback.Match, error) {
	var rows []struct {
		itemRow
		Similarity float64 `db:"similarity"`
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, fmt.Sprint(minimum)); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &rows, lookAlikesSQL, lang, t.Title, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("items like %q: %w", t.Title, err)
	}
	out := make([]feedback.Match, len(rows))
	for i, r := range rows {
		out[i] = feedback.Match{Item: r.item(), Similarity: r.Similarity}
	}
	return out, nil
}

// PostItem implements feedback.BoardStore.
func (s *Store) PostItem(ctx context.Context, d feedback.Draft, activity community.ActivityKind, posted func(feedback.Item) community.Event) (feedback.Item, error) {
	var it feedback.Item
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM feedback_drafts WHERE id = $1 AND member_id = $2`, int64(d.ID), int64(d.Member))
		if err != nil {
			return fmt.Errorf("take draft %d: %w", d.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return feedback.DraftNotFound(d.ID) // posted meanwhile
		}
		var id int64
		if err := tx.GetContext(ctx, &id, `
INSERT INTO feedback_items (member_id, kind, title, body, language, platform, created_at, changed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			int64(d.Member), string(d.Kind), d.Text.Title, d.Text.Body, d.Lang, string(d.Platform), d.At); err != nil {
			return fmt.Errorf("post draft %d: %w", d.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO activities (member_id, kind, at, message_id) VALUES ($1, $2, $3, $4)`,
			int64(d.Member), string(activity), d.At, itemActivityKey(feedback.ItemID(id))); err != nil {
			return fmt.Errorf("record the activity of item %d: %w", id, err)
		}
		it = feedback.Item{ID: feedback.ItemID(id), Author: d.Member, Kind: d.Kind, Text: d.Text, Lang: d.Lang, Platform: d.Platform,
			Status: feedback.StatusOpen, CreatedAt: d.At, ChangedAt: d.At}
		event, err := insertEventID(ctx, tx, posted(it))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE feedback_items SET post_event = $2 WHERE id = $1`, id, event)
		return err
	})
	if err != nil {
		return feedback.Item{}, err
	}
	return s.Item(ctx, it.ID)
}

// itemActivityKey names an item in the activities about it, so that a
// member's first vote for an item counts and a vote given again does not.
func itemActivityKey(id feedback.ItemID) string { return fmt.Sprintf("item:%d", id) }
