package storage

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// RecordInbound implements the chat layer's Store: in one transaction it records the
// chats, resolves the senders to members (creating members on first
// sight), marks each update seen (keeping those that need handling whole,
// in their queue) and writes the activities of new updates. Nothing is
// recorded of the people of a group that is not connected: no member, no
// activity. Every step is one statement over the whole batch.
func (s *Store) RecordInbound(ctx context.Context, batch []inbox.Inbound) ([]inbox.Recorded, error) {
	out := make([]inbox.Recorded, len(batch))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		chats, err := resolveChats(ctx, tx, batch)
		if err != nil {
			return err
		}
		for i, in := range batch {
			if in.Chat.ID == "" {
				continue
			}
			c := chats[chatKey(in.Platform, in.Chat.ID)]
			out[i].Chat, out[i].ChatIsStaff, out[i].ChatLanguage, out[i].Outside = c.ID, c.IsStaff, c.Language, !c.Connected
		}
		members, err := resolveMembers(ctx, tx, batch, out)
		if err != nil {
			return err
		}
		for i, in := range batch {
			m := members[userKey(in.Platform, in.From.ID)]
			out[i].Member, out[i].MemberLanguage = m.id, m.language
		}
		if err := markSeen(ctx, tx, batch, out); err != nil {
			return err
		}
		return insertActivities(ctx, tx, batch, out)
	})
	if err != nil {
		return nil, fmt.Errorf("record %d updates: %w", len(batch), unrecordable(err))
	}
	return out, nil
}

// handledOnArrival reports whether an update needs no handling: recording
// it was all, or it came from outside the community and is not one that
// must be answered there (Hearth added, /connect).
func handledOnArrival(in inbox.Inbound, rec inbox.Recorded) bool {
	return in.Done || rec.Outside && !in.Always
}

const insertSeenSQL = `
INSERT INTO inbound_updates (platform, update_key, handled_at, member_id, chat_id)
SELECT platform, key, CASE WHEN done THEN now() END, NULLIF(member, 0), NULLIF(chat, 0)
FROM unnest($1::text[], $2::text[], $3::bool[], $4::bigint[], $5::bigint[]) AS t(platform, key, done, member, chat)
ORDER BY platform, key -- every replica takes keys in one order: no deadlock
ON CONFLICT DO NOTHING
RETURNING platform, update_key`

// markSeen records the updates' keys and puts those that wait to be
// handled in the inbox. An update seen before was handled, or waits to be
// handled; one recorded before the inbox existed gets its place there when
// delivered again. A key another transaction is inserting right now is a
// concurrent duplicate, left to that transaction.
func markSeen(ctx context.Context, tx *sqlx.Tx, batch []inbox.Inbound, out []inbox.Recorded) error {
	n := len(batch)
	platforms, keys, done := make([]string, n), make([]string, n), make([]bool, n)
	members, chats := make([]int64, n), make([]int64, n)
	index := map[string]int{}
	for i, in := range batch {
		platforms[i], keys[i], done[i] = string(in.Platform), in.Key, handledOnArrival(in, out[i])
		members[i], chats[i] = int64(out[i].Member), int64(out[i].Chat)
		index[string(in.Platform)+"\x00"+in.Key] = i
		out[i].Seen = inbox.SeenHandled
	}
	err := scanRows(ctx, tx, func(platform, key string) {
		out[index[platform+"\x00"+key]].Seen = inbox.SeenNew
	}, insertSeenSQL, pq.Array(platforms), pq.Array(keys), pq.Array(done), pq.Array(members), pq.Array(chats))
	if err != nil {
		return err
	}
	if err := findUnfinished(ctx, tx, batch, out, index); err != nil {
		return err
	}
	return queueInInbox(ctx, tx, batch, out, done)
}

// scanRows runs a query returning two text columns and calls fn per row.
func scanRows(ctx context.Context, tx *sqlx.Tx, fn func(a, b string), query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("mark seen: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

type chatRow struct {
	ID        community.ChatID `db:"id"`
	Platform  string           `db:"platform"`
	ChatID    string           `db:"platform_chat_id"`
	IsStaff   bool             `db:"is_staff"`
	Language  string           `db:"language"`
	Title     string           `db:"title"`
	Removed   bool             `db:"removed"`
	Parent    string           `db:"parent"`
	Connected bool             `db:"connected"`
}

// knownChatsSQL looks chats up, with whether each is the community's
// (chat_scope) and whether it is staff's: the staff chat, or a ticket's
// thread where a thread is a chat of its own (Discord).
const knownChatsSQL = `
SELECT c.id, c.platform, c.platform_chat_id, ` + chatIsStaffSQL + ` AS is_staff, c.language, c.title, c.removed_at IS NOT NULL AS removed,
       COALESCE(p.platform_chat_id, '') AS parent, s.connected
FROM unnest($1::text[], $2::text[]) AS t(platform, chat)
JOIN chats c ON c.platform = t.platform AND c.platform_chat_id = t.chat
JOIN chat_scope s ON s.id = c.id
LEFT JOIN chats p ON p.id = c.parent_id`

// chatIsStaffSQL says whether chat c is staff's: the staff chat, or a
// ticket's thread that is a chat of its own (a Discord private thread,
// a channel, opened for one ticket in what is still the staff channel).
const chatIsStaffSQL = `(c.is_staff OR c.kind = 'channel' AND EXISTS (
    SELECT 1 FROM ticket_threads tt JOIN chats sc ON sc.platform = tt.platform AND sc.platform_chat_id = tt.chat_id AND sc.is_staff
    WHERE tt.platform = c.platform AND tt.thread_id = c.platform_chat_id))`

// current reports whether a stored chat already says what c says.
func (r chatRow) current(c inbox.Chat) bool {
	return !r.Removed && (c.Title == "" || c.Title == r.Title) && r.Parent == c.GroupID
}

// upsertChatsSQL records new chats and refreshes changed ones. A new
// channel speaks its server's language.
const upsertChatsSQL = `
WITH t AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(platform, chat, kind, title, parent)
)
INSERT INTO chats (platform, platform_chat_id, kind, title, parent_id, language)
SELECT t.platform, t.chat, t.kind, t.title, p.id, COALESCE(p.language, '')
FROM t LEFT JOIN chats p ON p.platform = t.platform AND p.platform_chat_id = t.parent
ORDER BY t.platform, t.chat
ON CONFLICT (platform, platform_chat_id) DO UPDATE
    SET title = CASE WHEN EXCLUDED.title = '' THEN chats.title ELSE EXCLUDED.title END,
        parent_id = COALESCE(EXCLUDED.parent_id, chats.parent_id),
        removed_at = NULL
    WHERE (EXCLUDED.title <> '' AND chats.title <> EXCLUDED.title)
       OR chats.removed_at IS NOT NULL
       OR chats.parent_id IS DISTINCT FROM COALESCE(EXCLUDED.parent_id, chats.parent_id)`

// resolveChats records the chats of the batch (Discord servers first, then
// their channels) and returns them by platform and chat id. Chats already
// recorded as they are cost one query. Chats written are looked up again
// in a statement of their own, which sees a chat another batch recorded
// at the same moment.
func resolveChats(ctx context.Context, tx *sqlx.Tx, batch []inbox.Inbound) (map[string]chatRow, error) {
	groups, chats := map[string]inbox.Chat{}, map[string]inbox.Chat{}
	platformOf := map[string]community.Platform{}
	for _, in := range batch {
		if in.Chat.ID == "" {
			continue
		}
		chats[chatKey(in.Platform, in.Chat.ID)] = in.Chat
		platformOf[chatKey(in.Platform, in.Chat.ID)] = in.Platform
		if in.Chat.GroupID != "" {
			k := chatKey(in.Platform, in.Chat.GroupID)
			groups[k] = inbox.Chat{ID: in.Chat.GroupID, Kind: community.ChatGroup, Title: in.Chat.GroupTitle}
			platformOf[k] = in.Platform
		}
	}
	found := map[string]chatRow{}
	var all []string
	for _, set := range []map[string]inbox.Chat{groups, chats} {
		all = append(all, slices.Sorted(maps.Keys(set))...)
	}
	if len(all) == 0 {
		return found, nil
	}
	if err := lookUpChats(ctx, tx, all, platformOf, found); err != nil {
		return nil, err
	}
	for _, set := range []map[string]inbox.Chat{groups, chats} {
		var written []string
		var p, id, kind, title, parent []string
		for _, k := range slices.Sorted(maps.Keys(set)) {
			c := set[k]
			if r, ok := found[k]; ok && r.current(c) {
				continue
			}
			written = append(written, k)
			p, id, kind, title, parent = append(p, string(platformOf[k])), append(id, c.ID), append(kind, string(c.Kind)), append(title, c.Title), append(parent, c.GroupID)
		}
		if len(written) == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, upsertChatsSQL, pq.Array(p), pq.Array(id), pq.Array(kind), pq.Array(title), pq.Array(parent)); err != nil {
			return nil, fmt.Errorf("record chats: %w", err)
		}
		if err := lookUpChats(ctx, tx, written, platformOf, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// lookUpChats reads the chats keys name into found.
func lookUpChats(ctx context.Context, tx *sqlx.Tx, keys []string, platformOf map[string]community.Platform, found map[string]chatRow) error {
	var kp, kid []string
	for _, k := range keys {
		_, id, _ := strings.Cut(k, "\x00")
		kp, kid = append(kp, string(platformOf[k])), append(kid, id)
	}
	var rows []chatRow
	if err := sqlx.SelectContext(ctx, tx, &rows, knownChatsSQL, pq.Array(kp), pq.Array(kid)); err != nil {
		return fmt.Errorf("look up chats: %w", err)
	}
	for _, r := range rows {
		found[chatKey(community.Platform(r.Platform), r.ChatID)] = r
	}
	return nil
}

type memberRow struct {
	id       community.MemberID
	language string
}

const knownMembersSQL = `
SELECT i.platform, i.platform_user_id, i.member_id, m.language AS member_language,
       i.username, i.display_name, i.language, i.last_seen_at < now() - interval '5 minutes' AS stale
FROM unnest($1::text[], $2::text[]) AS t(platform, uid)
JOIN identities i ON i.platform = t.platform AND i.platform_user_id = t.uid
JOIN members m ON m.id = i.member_id`

const createMembersSQL = `
WITH t AS (
    SELECT *, nextval(pg_get_serial_sequence('members', 'id')) AS member_id
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(platform, uid, username, display_name, language)
), new_members AS (
    INSERT INTO members (id, display_name) OVERRIDING SYSTEM VALUE
    SELECT member_id, display_name FROM t
    RETURNING id
), new_identities AS (
    INSERT INTO identities (platform, platform_user_id, member_id, username, display_name, language)
    SELECT platform, uid, member_id, username, display_name, language FROM t
    ORDER BY platform, uid -- in one order across replicas: no deadlock
    ON CONFLICT DO NOTHING
    RETURNING member_id
)
SELECT id FROM new_members WHERE id NOT IN (SELECT member_id FROM new_identities)`

const refreshIdentitiesSQL = `
WITH t AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(platform, uid, username, display_name, language)
), changed AS (
    UPDATE identities i
    SET username = CASE WHEN t.id_only THEN i.username ELSE t.username END,
        display_name = CASE WHEN t.id_only THEN i.display_name ELSE t.display_name END,
        language = CASE WHEN t.id_only THEN i.language ELSE t.language END,
        last_seen_at = now()
    FROM (SELECT *, username = '' AND display_name = '' AS id_only FROM t) t WHERE i.platform = t.platform AND i.platform_user_id = t.uid
    RETURNING i.member_id, t.display_name
)
UPDATE members m SET display_name = c.display_name, updated_at = now()
FROM changed c
WHERE m.id = c.member_id AND c.display_name <> '' AND m.display_name <> c.display_name`

// sender is a platform user as one batch describes them.
type sender struct {
	platform, uid, username, name, language string
}

// idOnly reports whether the update named the sender by id alone (a
// Discord reaction or thread without the member's profile): their stored
// names stand.
func (u sender) idOnly() bool { return u.username == "" && u.name == "" }

type knownRow struct {
	Platform       string `db:"platform"`
	UID            string `db:"platform_user_id"`
	Member         int64  `db:"member_id"`
	MemberLanguage string `db:"member_language"`
	Username       string `db:"username"`
	DisplayName    string `db:"display_name"`
	Language       string `db:"language"`
	Stale          bool   `db:"stale"`
}

// resolveMembers finds the member behind every sender: one query when all
// are known and unchanged, the usual case. New senders become members;
// changed names and languages are written, and last_seen_at at most every
// five minutes. A sender another transaction created at the same moment is
// looked up again once that one has committed.
func resolveMembers(ctx context.Context, tx *sqlx.Tx, batch []inbox.Inbound, out []inbox.Recorded) (map[string]memberRow, error) {
	users := map[string]sender{}
	for i, in := range batch {
		if in.From.ID != "" && !out[i].Outside {
			users[userKey(in.Platform, in.From.ID)] = sender{string(in.Platform), in.From.ID, in.From.Username, displayName(in.From), in.From.Language}
		}
	}
	found := map[string]memberRow{}
	if len(users) == 0 {
		return found, nil
	}
	keys := slices.Sorted(maps.Keys(users))
	var changed []sender
	if err := lookUpMembers(ctx, tx, users, keys, found, &changed); err != nil {
		return nil, err
	}
	var missing []sender
	for _, k := range keys {
		if _, ok := found[k]; !ok {
			missing = append(missing, users[k])
		}
	}
	if len(missing) > 0 {
		var orphans []int64
		if err := tx.SelectContext(ctx, &orphans, createMembersSQL, senderArrays(missing)...); err != nil {
			return nil, fmt.Errorf("create members: %w", err)
		}
		if len(orphans) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM members WHERE id = ANY($1)`, pq.Array(orphans)); err != nil {
				return nil, fmt.Errorf("drop members created twice: %w", err)
			}
		}
		var again []sender
		if err := lookUpMembers(ctx, tx, users, keys, found, &again); err != nil {
			return nil, err
		}
	}
	if len(changed) > 0 {
		if _, err := tx.ExecContext(ctx, refreshIdentitiesSQL, senderArrays(changed)...); err != nil {
			return nil, fmt.Errorf("refresh identities: %w", err)
		}
	}
	return found, nil
}

func lookUpMembers(ctx context.Context, tx *sqlx.Tx, users map[string]sender, keys []string, found map[string]memberRow, changed *[]sender) error {
	var p, uid []string
	for _, k := range keys {
		if _, ok := found[k]; !ok {
			p, uid = append(p, users[k].platform), append(uid, users[k].uid)
		}
	}
	var rows []knownRow
	if err := tx.SelectContext(ctx, &rows, knownMembersSQL, pq.Array(p), pq.Array(uid)); err != nil {
		return fmt.Errorf("look up members: %w", err)
	}
	for _, r := range rows {
		k := userKey(community.Platform(r.Platform), r.UID)
		found[k] = memberRow{id: community.MemberID(r.Member), language: r.MemberLanguage}
		u := users[k]
		if r.Stale || !u.idOnly() && (r.Username != u.username || r.DisplayName != u.name || r.Language != u.language) {
			*changed = append(*changed, u)
		}
	}
	return nil
}

func senderArrays(ss []sender) []any {
	var p, uid, username, name, lang []string
	for _, u := range ss {
		p, uid, username, name, lang = append(p, u.platform), append(uid, u.uid), append(username, u.username), append(name, u.name), append(lang, u.language)
	}
	return []any{pq.Array(p), pq.Array(uid), pq.Array(username), pq.Array(name), pq.Array(lang)}
}

// insertActivities writes the activity of every new update that has one.
func insertActivities(ctx context.Context, tx *sqlx.Tx, batch []inbox.Inbound, out []inbox.Recorded) error {
	var members, chats []int64
	var kinds, at, messages, replyTo []string
	for i, in := range batch {
		if in.Activity == "" || out[i].Seen != inbox.SeenNew || out[i].Member == 0 || out[i].Outside {
			continue
		}
		members, chats = append(members, int64(out[i].Member)), append(chats, int64(out[i].Chat))
		kinds, at = append(kinds, string(in.Activity)), append(at, in.At.UTC().Format(time.RFC3339Nano))
		messages, replyTo = append(messages, in.MessageID), append(replyTo, in.InReplyTo)
	}
	if len(members) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO activities (member_id, chat_id, kind, at, message_id, reply_to)
SELECT m, NULLIF(c, 0), k, a, msg, re
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[]) AS t(m, c, k, a, msg, re)`,
		pq.Array(members), pq.Array(chats), pq.Array(kinds), pq.Array(at), pq.Array(messages), pq.Array(replyTo))
	if err != nil {
		return fmt.Errorf("record activities: %w", err)
	}
	return creditReactions(ctx, tx, batch, out)
}

// creditReactions records a reaction received for the author of each
// message reacted to, found by its recorded message activity; reacting to
// your own message, or to a message Hearth never saw, credits nobody.
func creditReactions(ctx context.Context, tx *sqlx.Tx, batch []inbox.Inbound, out []inbox.Recorded) error {
	var chats, reactors []int64
	var messages, at []string
	for i, in := range batch {
		if in.ReactedTo == "" || out[i].Seen != inbox.SeenNew || out[i].Member == 0 || out[i].Chat == 0 || out[i].Outside {
			continue
		}
		chats, reactors = append(chats, int64(out[i].Chat)), append(reactors, int64(out[i].Member))
		messages, at = append(messages, in.ReactedTo), append(at, in.At.UTC().Format(time.RFC3339Nano))
	}
	if len(chats) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO activities (member_id, chat_id, kind, at)
SELECT author.member_id, t.c, 'reaction_received', t.a
FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::timestamptz[]) AS t(c, msg, reactor, a)
CROSS JOIN LATERAL (
    SELECT member_id FROM activities
    WHERE chat_id = t.c AND message_id = t.msg AND message_id <> '' AND kind IN ('message', 'reply')
    LIMIT 1
) author
WHERE author.member_id IS NOT NULL AND author.member_id <> t.reactor`,
		pq.Array(chats), pq.Array(messages), pq.Array(reactors), pq.Array(at))
	if err != nil {
		return fmt.Errorf("credit reactions: %w", err)
	}
	return nil
}

func chatKey(p community.Platform, id string) string { return string(p) + "\x00" + id }
func userKey(p community.Platform, id string) string { return string(p) + "\x00" + id }

func displayName(u inbox.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}
