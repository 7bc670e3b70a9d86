package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// announceLock is the advisory lock the steps that record recipients
// (an announcement's expansion, an NPS wave) take, so that two replicas
// recording at once count each other's recipients against the cap.
const announceLock = 0x48656172746801 // "Heart" 1

// mayWritePrivatelySQL is community.MayWritePrivately for an identity
// (i) over many members: always on the platforms $6, where Hearth opens
// private chats itself; elsewhere only through a private chat the member
// opened (its id is theirs) and has not closed.
const mayWritePrivatelySQL = `(i.platform = ANY($6) OR EXISTS (
    SELECT 1 FROM chats c
    WHERE c.platform = i.platform AND c.kind = 'direct' AND c.platform_chat_id = i.platform_user_id AND c.removed_at IS NULL))`

// candidateMembersSQL chooses the members an audience writes to
// privately: they opted in, stand in one of the tiers $1 (members not yet
// scored are newcomers) and may be written to privately on a platform in
// $2. capped marks those already due $5 announcements (NPS questions
// included) in the $4 milliseconds before $3. A member's tier is looked
// up by its id, so that a batch reads its own members' standings only.
const candidateMembersSQL = `
    SELECT m.id, t.tier,
           (SELECT count(*) FROM announcement_recipients r
            WHERE r.member_id = m.id AND r.due_at > CAST($3 AS timestamptz) - $4 * interval '1 millisecond')
         + ` + npsAsksInWindowSQL + ` >= $5 AS capped
    FROM members m CROSS JOIN LATERAL (
        SELECT COALESCE((SELECT s.tier FROM member_standings s WHERE s.member_id = m.id), 'newcomer') AS tier) t
    WHERE m.announcements_dm AND t.tier = ANY($1)
      AND EXISTS (SELECT 1 FROM identities i WHERE i.member_id = m.id AND i.platform = ANY($2) AND ` + mayWritePrivatelySQL + `)`

// countRecipientsSQL counts an audience's recipients per tier and cap.
const countRecipientsSQL = `
WITH candidates AS (` + candidateMembersSQL + `
)
SELECT tier, capped, count(*) AS n FROM candidates GROUP BY tier, capped`

// expandRecipientsSQL records the next recipients of announcement $7:
// it takes the next $9 subscribed members after member $8, in id order,
// and records those of them the audience writes to, under the cap. It
// returns how many members it took, the last of them and how many it
// recorded. The members are taken before they are judged, so that the
// batch is looked up member by member: judged while walking (LIMIT after
// the filters), the planner could not know how far it would walk, and
// batches read every identity or standing (0.46 s a batch on average, up
// to 1.8 s, at 300,000 members).
const expandRecipientsSQL = `
WITH taken AS (
    SELECT id FROM members WHERE announcements_dm AND id > $8 ORDER BY id LIMIT $9
), candidates AS (` + candidateMembersSQL + `
      AND m.id IN (SELECT id FROM taken)
), added AS (
    INSERT INTO announcement_recipients (announcement_id, member_id, due_at)
    SELECT $7, id, CAST($3 AS timestamptz) FROM candidates WHERE NOT capped
    RETURNING 1
)
SELECT count(*) AS taken, COALESCE(max(id), 0) AS last, (SELECT count(*) FROM added) AS recorded FROM taken`

// postChatsSQL chooses the chats to post in: every connected group on the
// platforms $1 when $2 (not the staff chats), and the chats $3 named as
// platform:id.
const postChatsSQL = `
WITH chosen AS (
    SELECT id, platform FROM chats
    WHERE removed_at IS NULL AND platform = ANY($1)
      AND (($2 AND kind = 'group' AND NOT is_staff AND connected_at IS NOT NULL) OR platform || ':' || platform_chat_id = ANY($3))
)`

// The chats counted, or recorded and counted, per platform.
const (
	countPostsSQL = postChatsSQL + `
SELECT platform, count(*) AS n FROM chosen GROUP BY platform`
	addPostsSQL = postChatsSQL + `, added AS (
    INSERT INTO announcement_posts (announcement_id, chat_id) SELECT $4, id FROM chosen)
SELECT platform, count(*) AS n FROM chosen GROUP BY platform`
)

// audienceArgs are the arguments of candidateMembersSQL and postChatsSQL.
func audienceArgs(aud community.Audience, at time.Time) (recipients, posts []any) {
	x := community.AnnouncementSend{At: at, Audience: aud}.Expansion()
	chats := make([]string, len(aud.Chats))
	for i, c := range aud.Chats {
		chats[i] = string(c.Platform) + ":" + c.ChatID
	}
	platforms := pq.Array(platformNames(aud.Platforms))
	return recipientArgs(x), []any{platforms, aud.AllGroups, pq.Array(chats)}
}

// recipientArgs are the arguments of candidateMembersSQL for an
// expansion's audience.
func recipientArgs(x community.AnnouncementExpansion) []any {
	tiers := make([]string, len(x.Tiers))
	for i, t := range x.Tiers {
		tiers[i] = t.String()
	}
	return []any{pq.Array(tiers), pq.Array(platformNames(x.Platforms)), x.Due, x.Window.Milliseconds(), x.Cap,
		pq.Array(platformNames(x.HearthOpens))}
}

// AnnouncementReach implements community.AnnouncementStore.
func (s *Store) AnnouncementReach(ctx context.Context, aud community.Audience, at time.Time) (community.Reach, error) {
	recipients, posts := audienceArgs(aud, at)
	return reachOf(ctx, s.db, aud, countRecipientsSQL, recipients, countPostsSQL, posts)
}

// reachOf runs the recipients' and the posts' statements and adds up
// what they count.
func reachOf(ctx context.Context, q sqlx.QueryerContext, aud community.Audience, recipientsSQL string, recipientArgs []any,
	postsSQL string, postArgs []any) (community.Reach, error) {
	reach := community.Reach{Groups: map[community.Platform]int{}, Members: map[community.Tier]int{}, Cap: aud.Cap, HeldUntil: aud.HoldUntil}
	var members []struct {
		Tier   string `db:"tier"`
		Capped bool   `db:"capped"`
		N      int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, q, &members, recipientsSQL, recipientArgs...); err != nil {
		return reach, fmt.Errorf("announcement recipients: %w", err)
	}
	for _, m := range members {
		t, err := community.ParseTier(m.Tier)
		switch {
		case m.Capped:
			reach.Capped += m.N
		case err != nil:
			return reach, err
		default:
			reach.Members[t] += m.N
		}
	}
	var posts []struct {
		Platform string `db:"platform"`
		N        int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, q, &posts, postsSQL, postArgs...); err != nil {
		return reach, fmt.Errorf("announcement posts: %w", err)
	}
	for _, p := range posts {
		reach.Groups[community.Platform(p.Platform)] = p.N
	}
	return reach, nil
}

// CreateAnnouncement implements community.AnnouncementStore.
func (s *Store) CreateAnnouncement(ctx context.Context, a *community.Announcement) error {
	err := s.db.GetContext(ctx, &a.ID, `
INSERT INTO announcements (author_id, text, tier, created_at) VALUES (NULLIF($1, 0), $2, $3, $4) RETURNING id`,
		int64(a.Author), a.Text, tierName(a.Tier), a.CreatedAt)
	if err != nil {
		return fmt.Errorf("record announcement: %w", err)
	}
	return nil
}

func tierName(t *community.Tier) *string {
	if t == nil {
		return nil
	}
	name := t.String()
	return &name
}

// SendAnnouncement implements community.AnnouncementStore: the draft
// becomes sent, its posts are recorded with its reach (its recipients
// counted, not yet recorded), and the audit entry and events the send
// causes (AnnouncementSend.Effects) are written. The recipients are
// recorded by the expansion's steps (ExpandAnnouncement), a batch each.
func (s *Store) SendAnnouncement(ctx context.Context, send community.AnnouncementSend) (community.Reach, error) {
	var reach community.Reach
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := settleDraft(ctx, tx, send.ID, community.AnnouncementSent, send.By, send.At); err != nil {
			return err
		}
		recipients, posts := audienceArgs(send.Audience, send.At)
		var err error
		reach, err = reachOf(ctx, tx, send.Audience, countRecipientsSQL, recipients, addPostsSQL, append(posts, int64(send.ID)))
		if err != nil {
			return err
		}
		raw, err := json.Marshal(reach)
		if err != nil {
			return fmt.Errorf("encode reach: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE announcements SET reach = $2 WHERE id = $1`, send.ID, raw); err != nil {
			return fmt.Errorf("record reach of announcement %d: %w", send.ID, err)
		}
		return saveEffects(ctx, tx, send.Effects(reach))
	})
	return reach, err
}

// ExpandAnnouncement implements community.AnnouncementStore. Under the
// announcements' advisory lock, so that the cap counts every recipient
// recorded before, the step goes on only from where the announcement's
// expansion stands (announcements.expanded_through), and moves it on with
// the recipients it records and the events it queues, in one short
// transaction: a crash loses nothing and a step run again records nothing.
func (s *Store) ExpandAnnouncement(ctx context.Context, x community.AnnouncementExpansion, limit int) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(announceLock)); err != nil {
			return fmt.Errorf("lock announcements: %w", err)
		}
		var through int64
		err := tx.GetContext(ctx, &through, `SELECT expanded_through FROM announcements WHERE id = $1 AND status = 'sent'`, x.Announcement)
		if err == sql.ErrNoRows || (err == nil && through != int64(x.After)) {
			return nil // gone, or this step ran already
		}
		if err != nil {
			return fmt.Errorf("expansion of announcement %d: %w", x.Announcement, err)
		}
		var step struct {
			Taken    int   `db:"taken"`
			Last     int64 `db:"last"`
			Recorded int   `db:"recorded"`
		}
		args := append(recipientArgs(x), int64(x.Announcement), int64(x.After), limit)
		if err := tx.GetContext(ctx, &step, expandRecipientsSQL, args...); err != nil {
			return fmt.Errorf("record recipients of announcement %d after member %d: %w", x.Announcement, x.After, err)
		}
		if step.Taken == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE announcements SET expanded_through = $2 WHERE id = $1`, x.Announcement, step.Last); err != nil {
			return fmt.Errorf("expansion of announcement %d: %w", x.Announcement, err)
		}
		batch := community.RecipientBatch{From: x.After + 1, To: community.MemberID(step.Last)}
		return saveEffects(ctx, tx, x.Effects(batch, step.Recorded, step.Taken == limit, time.Now()))
	})
}

// settleDraft moves a draft to status; a missing announcement is
// ENotFound and one no longer a draft EConflict.
func settleDraft(ctx context.Context, tx *sqlx.Tx, id community.AnnouncementID, status community.AnnouncementStatus, by community.MemberID, at time.Time) error {
	res, err := tx.ExecContext(ctx, `
UPDATE announcements SET status = $2, settled_at = $3, settled_by = NULLIF($4, 0) WHERE id = $1 AND status = 'draft'`,
		id, status, at, int64(by))
	if err != nil {
		return fmt.Errorf("settle announcement %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var now string
	err = tx.GetContext(ctx, &now, `SELECT status FROM announcements WHERE id = $1`, id)
	switch {
	case err == sql.ErrNoRows:
		return community.AnnouncementNotFound(id)
	case err != nil:
		return fmt.Errorf("settle announcement %d: %w", id, err)
	default:
		return fmt.Errorf("announcement %d is %s: %w", id, now, community.ErrConflict)
	}
}

// CancelAnnouncement implements community.AnnouncementStore.
func (s *Store) CancelAnnouncement(ctx context.Context, id community.AnnouncementID, by community.MemberID, at time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return settleDraft(ctx, tx, id, community.AnnouncementCancelled, by, at)
	})
}

const announcementSQL = `
SELECT a.id, COALESCE(a.author_id, 0) AS author_id, COALESCE(m.display_name, '') AS author_name, a.text, a.tier, a.status,
       a.created_at, a.settled_at, COALESCE(a.settled_by, 0) AS settled_by, a.reach
FROM announcements a LEFT JOIN members m ON m.id = a.author_id`

type announcementRow struct {
	ID         int64          `db:"id"`
	Author     int64          `db:"author_id"`
	AuthorName string         `db:"author_name"`
	Text       string         `db:"text"`
	Tier       sql.NullString `db:"tier"`
	Status     string         `db:"status"`
	CreatedAt  time.Time      `db:"created_at"`
	SettledAt  sql.NullTime   `db:"settled_at"`
	SettledBy  int64          `db:"settled_by"`
	Reach      []byte         `db:"reach"`
}

func (r announcementRow) announcement() (community.Announcement, error) {
	a := community.Announcement{ID: community.AnnouncementID(r.ID), Author: community.MemberID(r.Author), AuthorName: r.AuthorName,
		Text: r.Text, Status: community.AnnouncementStatus(r.Status), CreatedAt: r.CreatedAt}
	if r.Tier.Valid {
		t, err := community.ParseTier(r.Tier.String)
		if err != nil {
			return a, fmt.Errorf("announcement %d: %w", r.ID, err)
		}
		a.Tier = &t
	}
	if a.Status == community.AnnouncementSent {
		a.SentAt, a.SentBy = r.SettledAt.Time, community.MemberID(r.SettledBy)
	}
	if err := json.Unmarshal(r.Reach, &a.Reach); err != nil {
		return a, fmt.Errorf("announcement %d reach: %w", r.ID, err)
	}
	return a, nil
}

// Announcement implements community.AnnouncementStore.
func (s *Store) Announcement(ctx context.Context, id community.AnnouncementID) (community.Announcement, error) {
	var row announcementRow
	err := s.db.GetContext(ctx, &row, announcementSQL+` WHERE a.id = $1`, id)
	if err == sql.ErrNoRows {
		return community.Announcement{}, community.AnnouncementNotFound(id)
	}
	if err != nil {
		return community.Announcement{}, fmt.Errorf("load announcement %d: %w", id, err)
	}
	return row.announcement()
}

// RecentAnnouncements implements community.AnnouncementStore.
func (s *Store) RecentAnnouncements(ctx context.Context, limit int) ([]community.Announcement, error) {
	var rows []announcementRow
	if err := s.db.SelectContext(ctx, &rows, announcementSQL+` WHERE a.status = 'sent' ORDER BY a.settled_at DESC, a.id DESC LIMIT $1`, limit); err != nil {
		return nil, fmt.Errorf("recent announcements: %w", err)
	}
	out := make([]community.Announcement, len(rows))
	for i, r := range rows {
		a, err := r.announcement()
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// AnnouncementsDM implements community.AnnouncementStore.
func (s *Store) AnnouncementsDM(ctx context.Context, member community.MemberID) (bool, error) {
	var on bool
	err := s.db.GetContext(ctx, &on, `SELECT announcements_dm FROM members WHERE id = $1`, member)
	if err == sql.ErrNoRows {
		return false, community.MemberNotFound(member)
	}
	if err != nil {
		return false, fmt.Errorf("announcement choice of member %d: %w", member, err)
	}
	return on, nil
}

// SetAnnouncementsDM implements community.AnnouncementStore.
func (s *Store) SetAnnouncementsDM(ctx context.Context, member community.MemberID, on bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE members SET announcements_dm = $2, updated_at = now() WHERE id = $1`, member, on)
	if err != nil {
		return fmt.Errorf("record announcement choice of member %d: %w", member, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return community.MemberNotFound(member)
	}
	return nil
}

// AnnouncementPostChats implements the chat layer's AnnouncementOutbox: the chats an
// announcement was posted in that Hearth is still in.
func (s *Store) AnnouncementPostChats(ctx context.Context, id community.AnnouncementID) ([]community.Chat, error) {
	return s.chats(ctx, `WHERE removed_at IS NULL AND id IN (SELECT chat_id FROM announcement_posts WHERE announcement_id = $1) ORDER BY id`, id)
}

// AnnouncementRecipients implements the chat layer's AnnouncementOutbox: the
// recipients from..to who still want announcements, with their
// identities, by member id. Which identities Hearth may write to is
// decided per identity when the messages are rendered
// (community.MayWritePrivately).
func (s *Store) AnnouncementRecipients(ctx context.Context, id community.AnnouncementID, from, to community.MemberID) ([]community.Member, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT m.id, m.display_name, m.language, i.platform, i.platform_user_id, i.username, i.display_name, i.language
FROM announcement_recipients r
JOIN members m ON m.id = r.member_id
JOIN identities i ON i.member_id = m.id
WHERE r.announcement_id = $1 AND r.member_id BETWEEN $2 AND $3 AND m.announcements_dm
ORDER BY m.id, i.platform, i.platform_user_id`, id, from, to)
	if err != nil {
		return nil, fmt.Errorf("recipients of announcement %d: %w", id, err)
	}
	defer rows.Close()
	var out []community.Member
	for rows.Next() {
		var m community.Member
		var i community.Identity
		if err := rows.Scan(&m.ID, &m.DisplayName, &m.Language, &i.Platform, &i.UserID, &i.Username, &i.DisplayName, &i.Language); err != nil {
			return nil, fmt.Errorf("recipients of announcement %d: %w", id, err)
		}
		if len(out) == 0 || out[len(out)-1].ID != m.ID {
			out = append(out, m)
		}
		last := &out[len(out)-1]
		i.Member = last.ID
		last.Identities = append(last.Identities, i)
	}
	return out, rows.Err()
}

var _ community.AnnouncementStore = (*Store)(nil)
