package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// EraseMember implements community.PrivacyStore. What names the member
// goes, found by their ids in structured fields only, never by a piece of
// free text: identities and everything keyed by the member (by cascade),
// the link to a shop customer and the platform ids and username on it,
// their private chats with every message in them, every message addressed
// to them or mentioning them by id, the outbox events about them, the
// update keys that carry their ids, and the details of audit entries
// about them, and their names in the stored weekly digests and those
// digests' posts. Their activities and NPS scores stay, anonymous (a
// score without the reason they wrote), for the community's totals;
// other members' records stay, with community.ErasedMember where the
// member acted (a warning they gave, a report they filed).
func (s *Store) EraseMember(ctx context.Context, e community.Erasure, admit func(inForce []community.Sanction) error) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		m, err := membersByID(ctx, tx, []int64{int64(e.Member)})
		if err != nil {
			return err
		}
		if len(m) == 0 {
			return community.MemberNotFound(e.Member)
		}
		inForce, err := selectSanctions(ctx, tx, `SELECT `+sanctionColumns+` FROM sanctions
WHERE member_id = $1 AND lifted_at IS NULL AND (until IS NULL OR until > $2) ORDER BY id FOR UPDATE`, int64(e.Member), e.At)
		if err != nil {
			return fmt.Errorf("sanctions of member %d: %w", e.Member, err)
		}
		if err := admit(inForce); err != nil {
			return err
		}
		who := erasedAccounts(m[0])
		chats, err := privateChats(ctx, tx, e.Member, who, e.Chat)
		if err != nil {
			return err
		}
		if err := unlinkCustomer(ctx, tx, e, who); err != nil {
			return err
		}
		if err := scrubAudit(ctx, tx, e.Member); err != nil {
			return err
		}
		if err := scrubAuditAccounts(ctx, tx, who); err != nil {
			return err
		}
		if err := dropEventsAbout(ctx, tx, e.Member); err != nil {
			return err
		}
		if err := forgetAuthorship(ctx, tx, e.Member, e.At); err != nil {
			return err
		}
		if err := eraseShowcase(ctx, tx, e.Member, e.At); err != nil {
			return err
		}
		if err := forgetInDigests(ctx, tx, e.Member); err != nil {
			return err
		}
		return eraseRows(ctx, tx, e.Member, who, chats)
	})
}

// accounts are a member's platform accounts as parallel lists, for SQL:
// keys are "platform:user id"; usernames are their Telegram usernames in
// lower case (the shop may know them by one).
type accounts struct {
	platforms, userIDs, keys []string
	telegramIDs, discordIDs  []string
	telegramUsernames        []string
}

func erasedAccounts(m community.Member) accounts {
	var a accounts
	for _, id := range m.Identities {
		a.platforms, a.userIDs = append(a.platforms, string(id.Platform)), append(a.userIDs, id.UserID)
		a.keys = append(a.keys, string(id.Platform)+":"+id.UserID)
		switch id.Platform {
		case community.Telegram:
			a.telegramIDs = append(a.telegramIDs, id.UserID)
			if id.Username != "" {
				a.telegramUsernames = append(a.telegramUsernames, strings.ToLower(id.Username))
			}
		case community.Discord:
			a.discordIDs = append(a.discordIDs, id.UserID)
		}
	}
	return a
}

// privateChatsSQL finds a member's private chats with the bot: the one
// they asked in, on a platform whose private chat has the user's id
// (Telegram) the one with each of their accounts, and every private chat
// the inbox saw them write in (a Discord DM channel). Each is found by
// its key, not by reading every chat.
const privateChatsSQL = `
SELECT platform || ':' || platform_chat_id FROM chats
WHERE kind = 'direct' AND id IN (
    SELECT $1::bigint
    UNION SELECT c.id FROM chats c JOIN unnest($2::text[], $3::text[]) AS a(platform, uid) ON c.platform = a.platform AND c.platform_chat_id = a.uid
    UNION SELECT chat_id FROM inbound_updates WHERE member_id = $4 AND chat_id IS NOT NULL
    UNION SELECT chat_id FROM inbox WHERE member_id = $4 AND chat_id IS NOT NULL)`

// privateChats returns the member's private chats as "platform:chat id".
func privateChats(ctx context.Context, tx *sqlx.Tx, member community.MemberID, who accounts, asked community.ChatID) ([]string, error) {
	var out []string
	if err := tx.SelectContext(ctx, &out, privateChatsSQL, int64(asked), pq.Array(who.platforms), pq.Array(who.userIDs), int64(member)); err != nil {
		return nil, fmt.Errorf("private chats: %w", err)
	}
	return out, nil
}

// unlinkCustomer unlinks the member's shop customer and takes their
// platform ids and Telegram username off every customer: the shop's own
// record stays. Each condition repeats its partial index's own (the id
// is not empty), so that the customers are found by index even when the
// member has no account of a kind (a NULL list).
func unlinkCustomer(ctx context.Context, tx *sqlx.Tx, e community.Erasure, who accounts) error {
	_, err := tx.ExecContext(ctx, `
UPDATE customers SET
    member_id = CASE WHEN member_id = $1 THEN NULL ELSE member_id END,
    linked_at = CASE WHEN member_id = $1 THEN NULL ELSE linked_at END,
    linked_via = CASE WHEN member_id = $1 THEN '' ELSE linked_via END,
    telegram_id = CASE WHEN telegram_id = ANY($3) THEN '' ELSE telegram_id END,
    discord_id = CASE WHEN discord_id = ANY($4) THEN '' ELSE discord_id END,
    telegram_username = CASE WHEN lower(telegram_username) = ANY($5) THEN '' ELSE telegram_username END,
    updated_at = $2
WHERE member_id = $1
   OR telegram_id <> '' AND telegram_id = ANY($3)
   OR discord_id <> '' AND discord_id = ANY($4)
   OR telegram_username <> '' AND lower(telegram_username) = ANY($5)`,
		int64(e.Member), e.At, pq.Array(who.telegramIDs), pq.Array(who.discordIDs), pq.Array(who.telegramUsernames))
	if err != nil {
		return fmt.Errorf("unlink the shop customer: %w", err)
	}
	return nil
}

// eraseRows deletes the rows that name the member by their ids, then the
// member (and by cascade all that is keyed by them).
func eraseRows(ctx context.Context, tx *sqlx.Tx, member community.MemberID, who accounts, chats []string) error {
	steps := []struct {
		what  string
		query string
		args  []any
	}{
		// Their activities stay, anonymous, without their messages' ids:
		// one pass, rather than another of thousands of rows when the
		// member goes (ON DELETE SET NULL).
		{"make their activities anonymous", `UPDATE activities SET member_id = NULL, message_id = '', reply_to = '' WHERE member_id = $1`, []any{member}},
		// Every message to them, sent or not, and every message that
		// mentions them by id (a welcome, an automod warning).
		{"drop messages to them", `
DELETE FROM deliveries d
WHERE d.platform || ':' || (d.target->>'user') = ANY($1)
   OR d.platform || ':' || (d.target->>'chat') = ANY($2)
   OR EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS a(platform, uid)
              WHERE a.platform = d.platform AND strpos(d.message->>'text', '](user:' || a.uid || ')') > 0)`,
			[]any{pq.Array(who.keys), pq.Array(chats), pq.Array(who.platforms), pq.Array(who.userIDs)}},
		// Discord's reaction, join and leave update keys carry the user
		// id as their third part ("join:<guild>:<user>:<time>"); no other
		// key carries one (migration 00027 indexes them so).
		{"drop update keys with their ids", `
DELETE FROM inbound_updates u USING unnest($1::text[], $2::text[]) AS a(platform, uid)
WHERE u.platform = a.platform AND u.update_key ~ '^(reaction|join|leave):' AND split_part(u.update_key, ':', 3) = a.uid`,
			[]any{pq.Array(who.platforms), pq.Array(who.userIDs)}},
		// The inbox: an update of theirs being handled right now (the
		// request to be forgotten itself) stays for its handler to
		// finish, naming nobody and sending only its last words; their
		// other updates go. The keys of those handled stay: their member
		// and chat become NULL with the member and the private chats.
		{"scrub the updates being handled", `
UPDATE inbox SET payload = NULL, member_id = NULL, queue = 'erased:' || id, erased = true
WHERE (member_id = $1 OR queue = ANY($2)) AND claimed AND locked_until > now()`,
			[]any{member, pq.Array(inboxQueues(who, chats))}},
		{"drop their waiting updates", `
DELETE FROM inbox WHERE (member_id = $1 OR queue = ANY($2)) AND NOT erased`,
			[]any{member, pq.Array(inboxQueues(who, chats))}},
		{"drop their dead letters", `
DELETE FROM inbound_dead d USING unnest($1::text[], $2::text[]) AS a(platform, uid)
WHERE d.platform = a.platform AND (d.user_id = a.uid OR d.reply_user_id = a.uid)`,
			[]any{pq.Array(who.platforms), pq.Array(who.userIDs)}},
		// Their NPS answers stay counted, anonymous (the member goes to
		// NULL with the member), but the reason they wrote is theirs: it
		// would name or describe them in /nps and a staff alert.
		{"forget their NPS reasons", `UPDATE nps_answers SET reason = '' WHERE member_id = $1`, []any{member}},
		// Their questions to the knowledge base stay counted for its hit
		// rate, anonymous, without their words.
		{"forget their questions to the knowledge base", `UPDATE kb_questions SET text = '' WHERE member_id = $1`, []any{member}},
		// Their tickets go with them (and the tickets' messages); on
		// other members' tickets, the replies and notes they wrote as
		// staff stay, without their name.
		// The files sent on their tickets go with them, unless another
		// ticket or a post holds the same file (the statement sees the
		// rows it deletes: the others are what count).
		{"drop the files of their tickets", `
WITH gone AS (
    DELETE FROM ticket_message_files f USING ticket_messages m, tickets t
    WHERE f.message_id = m.id AND m.ticket_id = t.id AND t.member_id = $1
    RETURNING f.sha256, f.message_id
)
DELETE FROM showcase_media md WHERE md.sha256 IN (SELECT sha256 FROM gone)
  AND NOT EXISTS (SELECT 1 FROM ticket_message_files o WHERE o.sha256 = md.sha256 AND o.message_id NOT IN (SELECT message_id FROM gone))
  AND NOT EXISTS (SELECT 1 FROM showcase_submission_media sm WHERE sm.sha256 = md.sha256)`, []any{member}},
		{"forget their name on the ticket messages they wrote", `UPDATE ticket_messages SET author_name = '' WHERE author_id = $1`, []any{member}},
		// "platform:chat id", split at the first colon, finds each by key.
		{"drop private chats", `
DELETE FROM chats WHERE kind = 'direct'
  AND (platform, platform_chat_id) IN (SELECT split_part(k, ':', 1), substr(k, strpos(k, ':') + 1) FROM unnest($1::text[]) AS k)`,
			[]any{pq.Array(chats)}},
		{"erase the member", `DELETE FROM members WHERE id = $1`, []any{member}},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}
	return nil
}

// eventsNamingSQL finds the outbox events that hold the member's id
// anywhere, and the welcome and captcha events of their joins. The index
// of the whole numbers in each payload (jsonb_integers, migration 00033)
// finds the events that may hold the id; jsonb_path_exists decides.
const eventsNamingSQL = `
WITH joined AS (
    SELECT welcome_event AS id FROM onboarding_joins WHERE member_id = $1 AND welcome_event IS NOT NULL
    UNION SELECT captcha_event FROM onboarding_joins WHERE member_id = $1 AND captcha_event IS NOT NULL
)
SELECT e.id, e.payload, e.id = ANY(ARRAY(SELECT id FROM joined)) AS joined
FROM outbox_events e
WHERE (jsonb_integers(e.payload) @> jsonb_build_array($1::bigint)
       AND jsonb_path_exists(e.payload, 'strict $.** ? (@ == $m)', jsonb_build_object('m', $1::bigint)))
   OR e.id = ANY(ARRAY(SELECT id FROM joined))
ORDER BY e.id
FOR UPDATE OF e`

// dropEventsAbout deletes the outbox events about the member, with their
// messages, sent or not, and takes the member's id out of the others.
func dropEventsAbout(ctx context.Context, tx *sqlx.Tx, member community.MemberID) error {
	var rows []struct {
		ID      int64  `db:"id"`
		Payload []byte `db:"payload"`
		Joined  bool   `db:"joined"`
	}
	if err := tx.SelectContext(ctx, &rows, eventsNamingSQL, int64(member)); err != nil {
		return fmt.Errorf("events naming member %d: %w", member, err)
	}
	var drop []int64
	for _, r := range rows {
		sc, err := scrubMemberID(r.Payload, member)
		if err != nil {
			return fmt.Errorf("outbox event %d: %w", r.ID, err)
		}
		switch {
		case r.Joined || sc.about:
			drop = append(drop, r.ID)
		case sc.changed:
			if _, err := tx.ExecContext(ctx, `UPDATE outbox_events SET payload = $2 WHERE id = $1`, r.ID, sc.doc); err != nil {
				return fmt.Errorf("scrub outbox event %d: %w", r.ID, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox_events WHERE id = ANY($1)`, pq.Array(drop)); err != nil {
		return fmt.Errorf("drop %d events about member %d: %w", len(drop), member, err)
	}
	return nil
}

// inboxQueues are the inbox queues that name the member: their private
// chats' and their accounts' own (the chat layer's queue per chat).
func inboxQueues(who accounts, chats []string) []string {
	var out []string
	for _, c := range chats {
		p, id, _ := strings.Cut(c, ":")
		out = append(out, p+":chat:"+id)
	}
	for i, p := range who.platforms {
		out = append(out, p+":user:"+who.userIDs[i])
	}
	return out
}

// auditUsersSQL takes the member's accounts out of the audit entries that
// name one as "platform" and "user".
const auditUsersSQL = `
UPDATE audit_log SET details = details - 'user'
WHERE details ? 'user' AND (details->>'platform', details->>'user') IN (SELECT * FROM unnest($1::text[], $2::text[]))`

// auditByAccountsSQL takes the member's accounts out of the audit entries
// whose "by" is one, "platform:user id" (a string; a member is a number).
const auditByAccountsSQL = `
UPDATE audit_log SET details = details - 'by'
WHERE jsonb_typeof(details->'by') = 'string' AND details->>'by' = ANY($1)`

// scrubAuditAccounts takes the member's platform accounts out of the audit
// entries that name them by account rather than as a member (a command
// refused outside the community, a group an owner connected), matching the
// structured fields exactly, found by their indexes (migration 00033).
func scrubAuditAccounts(ctx context.Context, tx *sqlx.Tx, who accounts) error {
	if _, err := tx.ExecContext(ctx, auditUsersSQL, pq.Array(who.platforms), pq.Array(who.userIDs)); err != nil {
		return fmt.Errorf("audit entries naming the member's accounts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, auditByAccountsSQL, pq.Array(who.keys)); err != nil {
		return fmt.Errorf("audit entries naming the member's accounts: %w", err)
	}
	return nil
}
