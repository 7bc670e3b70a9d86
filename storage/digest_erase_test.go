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

// TestErasureForgetsAMemberInStoredDigests: a member named in a stored
// digest (a top contributor, a VIP at risk, a moderated VIP, an author
// thanked in the highlight) is gone from it once erased, by name and by
// id, and so is its post waiting to be sent; the other member named
// stays; the digest still reads.
func TestErasureForgetsAMemberInStoredDigests(t *testing.T) {
	s := storage.New(storagetest.New(t))
	ctx := context.Background()
	var ids []community.MemberID
	if err := s.DB().Select(&ids, `INSERT INTO members (display_name) VALUES ('Zephyrine'), ('Bo') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	z, bo := digest.Named{Member: ids[0], Name: "Zephyrine"}, digest.Named{Member: ids[1], Name: "Bo"}
	w := digest.Week{Year: 2026, Num: 48}
	d := digest.Digest{Week: w, MadeAt: time.Now(), Top: []digest.Contributor{{Member: z.Member, Name: z.Name}, {Member: bo.Member, Name: bo.Name}},
		AtRisk: []digest.AtRisk{{Member: z.Member, Name: z.Name, Score: 3}}, Moderation: digest.ModerationSection{VIPsNamed: []digest.Named{z}},
		Highlight: digest.Highlight{Authors: []digest.Named{z, bo}, Posts: 2}}
	ready := community.NewEvent(digest.EventReady, digest.Ready{Week: w.String()}, time.Now())
	if saved, err := s.SaveDigest(ctx, d, community.Effects{Events: []community.Event{ready}}); err != nil || !saved {
		t.Fatalf("saved %v, %v", saved, err)
	}
	// Its post to the staff chat, not sent yet (a platform down), names
	// her as text; another event's message stays.
	mustExec(t, s.DB(), `INSERT INTO deliveries (event_id, platform, target_key, target, message)
SELECT id, 'telegram', 'chat:-1002', '{"chat": "-1002"}', '{"text": "1. Zephyrine · VIP"}' FROM outbox_events WHERE kind = 'digest.ready'`)
	mustExec(t, s.DB(), `WITH e AS (INSERT INTO outbox_events (kind, payload, created_at) VALUES ('other', '{}', now()) RETURNING id)
INSERT INTO deliveries (event_id, platform, target_key, target, message) SELECT id, 'telegram', 'chat:-1002', '{"chat": "-1002"}', '{"text": "hi"}' FROM e`)
	if err := s.EraseMember(ctx, community.Erasure{Member: z.Member, At: time.Now()}, func([]community.Sanction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var doc string
	if err := s.DB().Get(&doc, `SELECT digest::text FROM digests`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(doc, "Zephyrine") || storagetest.Count(t, s.DB(), `SELECT count(*) FROM digests
		WHERE jsonb_path_exists(digest, 'strict $.** ? (@.member == $m)', jsonb_build_object('m', $1::bigint))`, int64(z.Member)) != 0 {
		t.Errorf("the erased member is still in the digest: %s", doc)
	}
	if n := storagetest.Count(t, s.DB(), `SELECT count(*) FROM deliveries WHERE message->>'text' LIKE '%Zephyrine%'`); n != 0 {
		t.Errorf("%d posts of the digest still name her", n)
	}
	if n := storagetest.Count(t, s.DB(), `SELECT count(*) FROM deliveries`); n != 1 {
		t.Errorf("%d messages left; want the other event's", n)
	}
	got, err := s.StoredDigest(ctx, w)
	if err != nil || got.Top[1].Name != "Bo" || len(got.AtRisk) != 0 || len(got.Highlight.Authors) != 1 || got.Highlight.Authors[0] != bo {
		t.Errorf("digest after the erasure: %+v, %v", got, err)
	}
}
