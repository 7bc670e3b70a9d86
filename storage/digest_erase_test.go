package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestErasureForgetsAMemberInStoredDigests: Zephyrine, named in the
// staff's part of a stored digest (a top contributor, a VIP at risk, a
// moderated VIP), is gone from it once erased, by name and by id, and so
// is the digest's post to the staff chat; its highlight in the group,
// which did not name her, stays, until Nell, who joined the group that
// week and may have been welcomed in it, is erased; Bo stays named; a
// digest's post being rendered loses its claim; another event's message
// stays.
func TestErasureForgetsAMemberInStoredDigests(t *testing.T) {
	s := storage.New(storagetest.New(t))
	ctx := context.Background()
	var ids []community.MemberID
	if err := s.DB().Select(&ids, `INSERT INTO members (display_name) VALUES ('Zephyrine'), ('Bo'), ('Nell') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	z, bo, nell := digest.Named{Member: ids[0], Name: "Zephyrine"}, digest.Named{Member: ids[1], Name: "Bo"}, ids[2]
	mustExec(t, s.DB(), `INSERT INTO chats (platform, platform_chat_id, kind, title, is_staff) VALUES
	    ('telegram', '-1002', 'group', 'Staff', true), ('telegram', '-1001', 'group', 'Tea', false)`)
	w := digest.Week{Year: 2026, Num: 48}
	d := digest.Digest{Week: w, MadeAt: time.Now(), Top: []digest.Contributor{{Member: z.Member, Name: z.Name}, {Member: bo.Member, Name: bo.Name}},
		AtRisk: []digest.AtRisk{{Member: z.Member, Name: z.Name, Score: 3}}, AtRiskCount: 1, Moderation: digest.ModerationSection{VIPsNamed: []digest.Named{z}},
		Highlight: digest.Highlight{Authors: []digest.Named{bo}, Posts: 1}}
	ready := community.NewEvent(digest.EventReady, digest.Ready{Week: w.String()}, time.Now())
	if saved, err := s.SaveDigest(ctx, d, community.Effects{Events: []community.Event{ready}}); err != nil || !saved {
		t.Fatalf("saved %v, %v", saved, err)
	}
	mustExec(t, s.DB(), `INSERT INTO onboarding_joins (platform, update_key, group_id, chat_id, member_id, user_id, name, joined_at)
SELECT 'telegram', 'join-nell', '-1001', id, $1, 'u-nell', 'Nell', now() - interval '2 days' FROM chats WHERE platform_chat_id = '-1001'`, int64(nell))
	// The digest's posts, one to the staff chat naming her as text, one
	// highlight to the group (not sent yet: a platform down), and being
	// rendered again by a dispatcher; another event's message.
	mustExec(t, s.DB(), `INSERT INTO deliveries (event_id, platform, target_key, target, message)
SELECT id, 'telegram', 'chat:' || c, jsonb_build_object('chat', c), jsonb_build_object('text', t)
FROM outbox_events, (VALUES ('-1002', '1. Zephyrine · VIP'), ('-1001', 'Welcome to Nell!')) AS x (c, t) WHERE kind = 'digest.ready'`)
	mustExec(t, s.DB(), `UPDATE outbox_events SET claim = gen_random_uuid(), locked_until = now() + interval '1 minute' WHERE kind = 'digest.ready'`)
	mustExec(t, s.DB(), `WITH e AS (INSERT INTO outbox_events (kind, payload, created_at) VALUES ('other', '{}', now()) RETURNING id)
INSERT INTO deliveries (event_id, platform, target_key, target, message) SELECT id, 'telegram', 'chat:-1002', '{"chat": "-1002"}', '{"text": "hi"}' FROM e`)
	erase := func(m community.MemberID) {
		t.Helper()
		if err := s.EraseMember(ctx, community.Erasure{Member: m, At: time.Now()}, func([]community.Sanction) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	erase(z.Member)
	var doc string
	if err := s.DB().Get(&doc, `SELECT digest::text FROM digests`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(doc, "Zephyrine") || storagetest.Count(t, s.DB(), `SELECT count(*) FROM digests
		WHERE jsonb_path_exists(digest, 'strict $.** ? (@.member == $m)', jsonb_build_object('m', $1::bigint))`, int64(z.Member)) != 0 {
		t.Errorf("the erased member is still in the digest: %s", doc)
	}
	texts := func() string {
		var all []string
		if err := s.DB().Select(&all, `SELECT message->>'text' FROM deliveries ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		return strings.Join(all, " | ")
	}
	if got := texts(); got != "Welcome to Nell! | hi" {
		t.Errorf("after Zephyrine: messages %q; want the group's highlight and the other event's", got)
	}
	if n := storagetest.Count(t, s.DB(), `SELECT count(*) FROM outbox_events WHERE kind = 'digest.ready' AND claim IS NULL AND locked_until IS NULL`); n != 1 {
		t.Errorf("the digest's post being rendered kept its claim")
	}
	got, err := s.StoredDigest(ctx, w)
	if err != nil || got.Top[1].Name != "Bo" || len(got.AtRisk) != 0 || got.AtRiskCount != 1 || len(got.Highlight.Authors) != 1 {
		t.Errorf("digest after the erasure: %+v, %v", got, err)
	}
	erase(nell)
	if got := texts(); got != "hi" {
		t.Errorf("after Nell: messages %q; want only the other event's", got)
	}
}

// TestADigestMadeWhileAMemberWasErasedDoesNotNameThem: a member erased
// between a digest's making and its storing is taken out of it.
func TestADigestMadeWhileAMemberWasErasedDoesNotNameThem(t *testing.T) {
	s := storage.New(storagetest.New(t))
	ctx := context.Background()
	gone := digest.Named{Member: 424242, Name: "Gone"}
	w := digest.Week{Year: 2026, Num: 49}
	d := digest.Digest{Week: w, MadeAt: time.Now(), Top: []digest.Contributor{{Member: gone.Member, Name: gone.Name, Points: 3}},
		AtRisk: []digest.AtRisk{{Member: gone.Member, Name: gone.Name}}, AtRiskCount: 1,
		PAlive: map[community.MemberID]float64{gone.Member: 0.4}}
	if saved, err := s.SaveDigest(ctx, d, community.Effects{}); err != nil || !saved {
		t.Fatalf("saved %v, %v", saved, err)
	}
	got, err := s.StoredDigest(ctx, w)
	if err != nil || got.Top[0] != (digest.Contributor{Points: 3}) || len(got.AtRisk) != 0 || got.AtRiskCount != 1 {
		t.Errorf("stored %+v, %v; want the erased member out of it", got, err)
	}
	if n := storagetest.Count(t, s.DB(), `SELECT count(*) FROM digest_p_alive`); n != 0 {
		t.Errorf("%d P(alive) kept for an erased member", n)
	}
}
