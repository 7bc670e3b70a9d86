package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
)

// TestSubmissionQueuesItsCardAlbumsLater: a submission queues its review
// card at once; an album's waits for the album's other files.
func TestSubmissionQueuesItsCardAlbumsLater(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ann := f.member("ann", community.Telegram, true)
	single := f.submit(ann, mp4(100, 1))
	album, err := f.sc.Submit(context.Background(), feedback.Submission{Member: ann, Platform: community.Telegram, Album: "g1",
		Media: []feedback.SubmissionMedia{{Hash: f.keep(mp4(100, 2)).Hash, MessageID: "10"}}})
	if err != nil {
		t.Fatal(err)
	}
	due := func(id feedback.SubmissionID) bool {
		return f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'showcase.submitted' AND (payload->>'submission')::bigint = $1
AND next_attempt_at <= now()`, int64(id)) == 1
	}
	if !due(single.ID) || due(album.ID) {
		t.Fatalf("single post's card due: %v (want true); album's due at once: %v (want false)", due(single.ID), due(album.ID))
	}
	if n := f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'showcase.submitted' AND next_attempt_at <= now() + interval '4 seconds'`); n != 2 {
		t.Fatalf("%d cards due within the album's wait, want 2", n)
	}
}

// TestAlbumGrowsUpToTenFiles: an album's next files join its pending
// submission, in order; past ten, or once reviewed, they do not.
func TestAlbumGrowsUpToTenFiles(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, bob := f.member("ann", community.Telegram, true), f.member("bob", community.Telegram, true)
	sub, err := f.sc.Submit(ctx, feedback.Submission{Member: ann, Platform: community.Telegram, Album: "g1",
		Media: []feedback.SubmissionMedia{{Hash: f.keep(mp4(100, 0)).Hash, MessageID: "10"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sc.AlbumSubmission(ctx, bob, community.Telegram, "g1"); errorKey(err) != "showcase.not_found" {
		t.Fatalf("another member's album: %v", err)
	}
	if got, err := f.sc.AlbumSubmission(ctx, ann, community.Telegram, "g1"); err != nil || got.ID != sub.ID {
		t.Fatalf("ann's album: %+v, %v", got, err)
	}
	for i := 1; i < feedback.MaxAlbum; i++ {
		if _, err := f.sc.AddToAlbum(ctx, ann, community.Telegram, "g1", feedback.SubmissionMedia{Hash: f.keep(mp4(100, byte(i))).Hash,
			MessageID: string(rune('a' + i))}); err != nil {
			t.Fatalf("file %d: %v", i+1, err)
		}
	}
	_, err = f.sc.AddToAlbum(ctx, ann, community.Telegram, "g1", feedback.SubmissionMedia{Hash: f.keep(mp4(100, 99)).Hash})
	if errorKey(err) != "showcase.too_many_files" {
		t.Fatalf("an eleventh file: %v", err)
	}
	got, _ := f.sc.Submission(ctx, sub.ID)
	if len(got.Media) != feedback.MaxAlbum || got.Media[0].MessageID != "10" || got.Media[9].MessageID != "j" {
		t.Fatalf("album %+v", got.Media)
	}
	if _, err := f.sc.AddToAlbum(ctx, ann, community.Telegram, "g1", feedback.SubmissionMedia{Hash: got.Media[3].Hash}); errorKey(err) != "showcase.too_many_files" {
		t.Fatalf("a file again past the limit: %v", err)
	}
	if _, err := f.sc.Approve(ctx, sub.ID, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sc.AddToAlbum(ctx, ann, community.Telegram, "g1", feedback.SubmissionMedia{Hash: f.keep(mp4(100, 98)).Hash}); errorKey(err) != "showcase.not_found" {
		t.Fatalf("a file after the review: %v", err)
	}
}

// TestConsentRecordsPointsAndTheReshareOnce: an Allow earns the author's
// activity and queues the reshare, whose event the submission keeps; a
// renewal after the expiry queues another reshare and earns nothing.
func TestConsentRecordsPointsAndTheReshareOnce(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, sam := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, sam, mp4(100, 1))
	if n := f.count(`SELECT count(*) FROM activities WHERE member_id = $1 AND kind = 'ugc_approved' AND message_id = $2`,
		int64(ann), "showcase:1"); n != 1 {
		t.Fatalf("%d ugc_approved activities, want 1", n)
	}
	reshares := func() int {
		return f.count(`SELECT count(*) FROM outbox_events e JOIN showcase_reshares r ON r.event_id = e.id
JOIN showcase_consents c ON c.id = r.consent_id WHERE c.submission_id = $1 AND e.kind = 'showcase.reshare'`, int64(c.Submission))
	}
	if reshares() != 1 {
		t.Fatal("the consent does not keep its reshare event")
	}
	f.now = c.ExpiresAt
	if _, err := f.sc.Consent(ctx, feedback.ConsentAnswer{Submission: c.Submission, Member: ann, Decision: feedback.ConsentAllowAnonymous,
		Months: 6, Scopes: c.Scopes, Text: "again?", Lang: "en", Platform: community.Telegram, MessageID: "901"}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'showcase.reshare'`); n != 2 || reshares() != 2 {
		t.Fatalf("%d reshare events, want 2, one per consent", n)
	}
	if n := f.count(`SELECT count(*) FROM showcase_withdrawals WHERE consent_id = $1 AND reason = 'expired'`, int64(c.ID)); n != 1 {
		t.Fatal("the renewal did not withdraw the expired consent's reshare")
	}
	if n := f.count(`SELECT count(*) FROM activities WHERE member_id = $1 AND kind = 'ugc_approved'`, int64(ann)); n != 1 {
		t.Fatalf("%d ugc_approved activities after a renewal, want 1", n)
	}
	if c, err := f.sc.CheckReshare(ctx, c.Submission, feedback.ScopeCommunity, f.now); err != nil || c.Credit != feedback.CreditAnonymous {
		t.Fatalf("renewed consent: %+v, %v", c, err)
	}
}

// TestWithdrawalsAreQueuedOnce: a revocation, an expiry and an erasure
// each queue one withdrawal of the consent, whoever asks again or at once.
func TestWithdrawalsAreQueuedOnce(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, bob, cat := f.member("ann", community.Telegram, true), f.member("bob", community.Telegram, true), f.member("cat", community.Telegram, true)
	sam := f.member("sam", community.Telegram, false)
	revoked := f.consented(ann, sam, mp4(100, 1))
	expiring := f.consented(bob, sam, mp4(100, 2))
	f.now = f.now.Add(time.Hour)
	erased := f.consented(cat, sam, mp4(100, 3))
	if _, err := f.sc.Revoke(ctx, revoked.ID, ann); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.WithdrawExpired(ctx, expiring.ExpiresAt.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM showcase_withdrawals`); n != 1 {
		t.Fatalf("%d withdrawals before the expiry, want 1 (the revocation)", n)
	}
	// Replicas running the expiry job at once withdraw each consent once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := f.s.WithdrawExpired(ctx, expiring.ExpiresAt); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := f.s.EraseMember(ctx, community.Erasure{Member: cat, At: f.now}, func([]community.Sanction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Consent int64  `db:"consent_id"`
		Reason  string `db:"reason"`
	}
	if err := f.s.DB().Select(&got, `SELECT consent_id, reason FROM showcase_withdrawals ORDER BY consent_id`); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id     feedback.ConsentID
		reason feedback.WithdrawReason
	}{{revoked.ID, feedback.WithdrawRevoked}, {expiring.ID, feedback.WithdrawExpired}, {erased.ID, feedback.WithdrawErased}}
	if len(got) != len(want) {
		t.Fatalf("withdrawals %+v, want %+v", got, want)
	}
	for i, w := range want {
		if got[i].Consent != int64(w.id) || got[i].Reason != string(w.reason) {
			t.Errorf("withdrawal %d = %+v, want %+v", i, got[i], w)
		}
	}
	if n := f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'showcase.withdrawn'`); n != 3 {
		t.Fatalf("%d withdrawal events, want 3", n)
	}
	// The expired consent of a member erased later is not withdrawn twice.
	if err := f.s.EraseMember(ctx, community.Erasure{Member: bob, At: f.now}, func([]community.Sanction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM showcase_withdrawals`); n != 3 {
		t.Fatalf("%d withdrawals after erasing bob, want 3", n)
	}
}

// TestResharesAreTheSentDeliveriesAndAreKept: a submission's reshares are
// its reshare event's deliveries that reached a platform (a dead one that
// sent part of an album too); the outbox's pruning keeps them until
// their consent ended as long ago as what it prunes, and an erasure
// keeps them without their text.
func TestResharesAreTheSentDeliveriesAndAreKept(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, sam := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, sam, mp4(100, 1))
	f.exec(`
INSERT INTO deliveries (event_id, platform, target_key, target, message, status, sent_at, sent_ids)
SELECT event_id, 'telegram', 'telegram:-100', '{"chat": "-100", "thread": "7"}', '{}', 'sent', $2, '{11,12}'
FROM showcase_reshares WHERE consent_id = $1`, int64(c.ID), f.now.Add(-50*time.Hour))
	f.exec(`
INSERT INTO deliveries (event_id, platform, target_key, target, message, status, sent_ids)
SELECT event_id, 'discord', 'discord:c1', '{"chat": "c1"}', '{}', 'dead', '{d1}' FROM showcase_reshares WHERE consent_id = $1`, int64(c.ID))
	f.exec(`
INSERT INTO deliveries (event_id, platform, target_key, target, message, status)
SELECT event_id, 'console', 'console:g', '{"chat": "g"}', '{}', 'pending' FROM showcase_reshares WHERE consent_id = $1`, int64(c.ID))
	got, err := f.sc.Reshares(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ChatID != "-100" || got[0].ThreadID != "7" || len(got[0].MessageIDs) != 2 || got[0].Sending ||
		got[1].Platform != community.Discord || got[1].MessageIDs[0] != "d1" {
		t.Fatalf("reshares %+v", got)
	}
	left := func(before time.Time) int {
		t.Helper()
		if _, _, err := f.s.PruneOutbox(ctx, before); err != nil {
			t.Fatal(err)
		}
		got, err := f.sc.Reshares(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if n := left(f.now.Add(time.Hour)); n != 2 {
		t.Fatalf("%d reshares of a consent in force left after pruning, want 2", n)
	}
	f.exec(`UPDATE deliveries SET message = '{"text": "📸 Shared by ann"}'`)
	if err := f.s.EraseMember(ctx, community.Erasure{Member: ann, At: f.now}, func([]community.Sanction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM deliveries WHERE message->>'text' LIKE '%ann%'`); n != 0 {
		t.Fatalf("%d copies of the reshares still name the erased author", n)
	}
	if n := f.count(`SELECT count(*) FROM deliveries WHERE status = 'pending'`); n != 0 {
		t.Fatalf("%d reshares of the erased author still to be sent", n)
	}
	if n := left(f.now.Add(-time.Hour)); n != 2 {
		t.Fatalf("%d reshares left by a pruning older than their withdrawal, want 2", n)
	}
	if n := left(f.now.Add(time.Hour)); n != 1 {
		t.Fatalf("%d reshares left by a pruning after their withdrawal, want the dead one", n)
	}
}

// TestShowcaseLists: /mycontent lists a member's posts newest first with
// their latest consent; /showcase only those allowed now.
func TestShowcaseLists(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, sam := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	allowed := f.consented(ann, sam, mp4(100, 1))
	pending := f.submit(ann, mp4(100, 2))
	revoked := f.consented(ann, sam, mp4(100, 3))
	if _, err := f.sc.Revoke(ctx, revoked.ID, ann); err != nil {
		t.Fatal(err)
	}
	mine, err := f.sc.MemberEntries(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 3 || mine[0].Submission.ID != revoked.Submission || mine[0].Consent.RevokedAt.IsZero() ||
		mine[1].Submission.ID != pending.ID || mine[1].Consent.ID != 0 || mine[2].Consent.ID != allowed.ID || mine[2].AuthorName != "ann" {
		t.Fatalf("ann's posts %+v", mine)
	}
	listed, err := f.sc.Consented(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].Submission.ID != allowed.Submission || len(listed[0].Submission.Media) != 1 {
		t.Fatalf("consented %+v", listed)
	}
	f.now = allowed.ExpiresAt
	if listed, _ := f.sc.Consented(ctx); len(listed) != 0 {
		t.Fatalf("expired consents listed: %+v", listed)
	}
}

// TestShowcasePlaces: an owner's choice per platform, audited, in a chat
// that is still the community's.
func TestShowcasePlaces(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	sam := f.member("sam", community.Telegram, false)
	f.exec(`INSERT INTO chats (platform, platform_chat_id, kind, title) VALUES ('telegram', '-200', 'group', 'Tea')`)
	var chat int64
	if err := f.s.DB().Get(&chat, `SELECT id FROM chats WHERE platform_chat_id = '-200'`); err != nil {
		t.Fatal(err)
	}
	place := feedback.Place{Chat: community.Chat{ID: community.ChatID(chat), Platform: community.Telegram, PlatformID: "-200"}, Thread: "7"}
	if err := f.s.SetShowcasePlace(ctx, place, sam, f.now); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'showcase.place'`); n != 1 {
		t.Fatalf("%d audit entries, want 1", n)
	}
	if ideas, _ := f.s.IdeasPlaces(ctx); len(ideas) != 0 {
		t.Fatalf("the showcase place became an ideas place: %+v", ideas)
	}
}

// TestSameFilesNamesOtherMembersPosts: the card warns of another
// member's post of the same file, not of the author's own others.
func TestSameFilesNamesOtherMembersPosts(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, bob := f.member("ann", community.Telegram, true), f.member("bob", community.Telegram, true)
	file := mp4(100, 1)
	first := f.submit(ann, file)
	own := f.submit(ann, mp4(100, 2))
	copied := f.submit(bob, mp4(100, 3), file)
	if got, err := f.sc.SameFiles(ctx, copied.ID); err != nil || len(got) != 1 || got[0] != first.ID {
		t.Fatalf("same files as bob's post: %v, %v; want ann's #%d", got, err, first.ID)
	}
	if got, _ := f.sc.SameFiles(ctx, own.ID); len(got) != 0 {
		t.Fatalf("same files as ann's other post: %v, want none", got)
	}
}

// TestTwoRenewalsAtOnceRecordOne: two answers renewing an expired
// consent at the same moment (two platforms) record one consent.
func TestTwoRenewalsAtOnceRecordOne(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, sam := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, sam, mp4(100, 1))
	f.now = c.ExpiresAt.Add(time.Minute)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.sc.Consent(ctx, feedback.ConsentAnswer{Submission: c.Submission, Member: ann, Decision: feedback.ConsentAllow,
				Months: 12, Scopes: c.Scopes, Text: "again?", Lang: "en", Platform: community.Telegram, MessageID: "9"})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errorKey(err) != "showcase.not_awaiting_consent":
			t.Errorf("a losing renewal: %v", err)
		}
	}
	if ok != 1 || f.count(`SELECT count(*) FROM showcase_consents`) != 2 || f.count(`SELECT count(*) FROM showcase_reshares`) != 2 {
		t.Fatalf("%d renewals recorded, %d consents, %d reshares; want 1, 2, 2", ok, f.count(`SELECT count(*) FROM showcase_consents`),
			f.count(`SELECT count(*) FROM showcase_reshares`))
	}
}

// TestAlbumClosesWhenItsCardIsShown: an album's next file holds its card
// back; once a dispatcher has claimed the card (or rendered it), a file
// is refused, so staff approve only what they saw.
func TestAlbumClosesWhenItsCardIsShown(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann := f.member("ann", community.Telegram, true)
	sub, err := f.sc.Submit(ctx, feedback.Submission{Member: ann, Platform: community.Telegram, Album: "g1",
		Media: []feedback.SubmissionMedia{{Hash: f.keep(mp4(100, 0)).Hash, MessageID: "10"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE outbox_events SET next_attempt_at = now() WHERE kind = 'showcase.submitted'`)
	if _, err := f.sc.AddToAlbum(ctx, ann, community.Telegram, "g1", feedback.SubmissionMedia{Hash: f.keep(mp4(100, 1)).Hash}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'showcase.submitted' AND next_attempt_at > now() + interval '2 seconds'`); n != 1 {
		t.Fatal("a file of the album did not hold its card back")
	}
	f.exec(`UPDATE outbox_events SET locked_until = now() + interval '1 minute' WHERE kind = 'showcase.submitted'`)
	if _, err := f.sc.AddToAlbum(ctx, ann, community.Telegram, "g1", feedback.SubmissionMedia{Hash: f.keep(mp4(100, 2)).Hash}); errorKey(err) != "showcase.album_closed" {
		t.Fatalf("a file while the card is being shown: %v", err)
	}
	f.exec(`UPDATE outbox_events SET locked_until = NULL, status = 'rendered' WHERE kind = 'showcase.submitted'`)
	if _, err := f.sc.AddToAlbum(ctx, ann, community.Telegram, "g1", feedback.SubmissionMedia{Hash: f.keep(mp4(100, 3)).Hash}); errorKey(err) != "showcase.album_closed" {
		t.Fatalf("a file after the card: %v", err)
	}
	if got, _ := f.sc.Submission(ctx, sub.ID); len(got.Media) != 2 {
		t.Fatalf("%d files, want the 2 before the card", len(got.Media))
	}
}

// TestErasureBlanksWhatNamesTheAuthor: the review card and the notices
// about an erased member's post lose their text, those not sent yet go,
// and so do their consent requests.
func TestErasureBlanksWhatNamesTheAuthor(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, sam := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	sub := f.submit(ann, mp4(100, 1))
	if _, err := f.sc.Approve(ctx, sub.ID, sam); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sc.Ask(ctx, sub, "May we reshare “my tea”, ann?", "en"); err != nil {
		t.Fatal(err)
	}
	f.exec(`
INSERT INTO deliveries (event_id, platform, target_key, target, message, status, sent_ids)
SELECT id, 'telegram', 'telegram:-5', '{"chat": "-5"}'::jsonb, '{"text": "Showcase post by ann: my tea"}'::jsonb, 'sent', '{1}'::text[]
FROM outbox_events WHERE kind = 'showcase.submitted'
UNION ALL
SELECT id, 'telegram', 'telegram:7', '{"user": "7"}'::jsonb, '{"text": "ann, may we reshare my tea?"}'::jsonb, 'pending', '{}'::text[]
FROM outbox_events WHERE kind = 'showcase.reviewed'`)
	if err := f.s.EraseMember(ctx, community.Erasure{Member: ann, At: f.now}, func([]community.Sanction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM deliveries WHERE message->>'text' LIKE '%ann%' OR message->>'text' LIKE '%my tea%'`); n != 0 {
		t.Fatalf("%d messages still name the erased author or quote her caption", n)
	}
	if n := f.count(`SELECT count(*) FROM deliveries`); n != 1 {
		t.Fatalf("%d messages left, want the card sent (kept for its id)", n)
	}
	if n := f.count(`SELECT count(*) FROM showcase_requests`); n != 0 {
		t.Fatalf("%d consent requests left", n)
	}
}

// TestErasureKeepsTheIDsOfResharesBeingSent: a reshare being sent, or
// sent in part and waiting for its retry, keeps its ids through an
// erasure (the withdrawal waits for it and deletes it); only one not
// begun goes.
func TestErasureKeepsTheIDsOfResharesBeingSent(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, sam := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, sam, mp4(100, 1))
	f.exec(`
INSERT INTO deliveries (event_id, platform, target_key, target, message, locked_until, claim)
SELECT event_id, 'telegram', 'telegram:-100', '{"chat": "-100"}', '{"text": "by ann"}', now() + interval '10 seconds', gen_random_uuid()
FROM showcase_reshares WHERE consent_id = $1`, int64(c.ID))
	f.exec(`
INSERT INTO deliveries (event_id, platform, target_key, target, message, sent_ids, next_attempt_at, attempts)
SELECT event_id, 'discord', 'discord:c1', '{"chat": "c1"}', '{"text": "by ann"}', '{501,502}', now() + interval '30 seconds', 2
FROM showcase_reshares WHERE consent_id = $1`, int64(c.ID))
	f.exec(`
INSERT INTO deliveries (event_id, platform, target_key, target, message)
SELECT event_id, 'console', 'console:g', '{"chat": "g"}', '{"text": "by ann"}' FROM showcase_reshares WHERE consent_id = $1`, int64(c.ID))
	before, err := f.sc.Reshares(ctx, c.ID)
	if err != nil || len(before) != 2 || !before[0].Sending || before[1].Sending || len(before[1].MessageIDs) != 2 {
		t.Fatalf("before the erasure: %+v, %v; want one being sent and one sent in part", before, err)
	}
	if err := f.s.EraseMember(ctx, community.Erasure{Member: ann, At: f.now}, func([]community.Sanction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	after, err := f.sc.Reshares(ctx, c.ID)
	if err != nil || len(after) != 2 {
		t.Fatalf("after the erasure: %+v, %v; want both kept", after, err)
	}
	if n := f.count(`SELECT count(*) FROM deliveries WHERE message->>'text' <> ''`); n != 0 || f.count(`SELECT count(*) FROM deliveries`) != 2 {
		t.Fatalf("%d messages keep their text; want none, and the one not begun gone", n)
	}
}

// TestAStaleCardRenderCannotHideAnAlbumFile: a file that joins an album
// while a dispatcher whose lease ran out still renders its card takes the
// claim back: that render cannot mark the card rendered, and the card is
// rendered again with the file.
func TestAStaleCardRenderCannotHideAnAlbumFile(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann := f.member("ann", community.Telegram, true)
	if _, err := f.sc.Submit(ctx, feedback.Submission{Member: ann, Platform: community.Telegram, Album: "g1",
		Media: []feedback.SubmissionMedia{{Hash: f.keep(mp4(100, 0)).Hash, MessageID: "10"}}}); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE outbox_events SET next_attempt_at = now() - interval '1 second'`)
	evs, err := f.s.ClaimEvents(ctx, 10, 10*time.Second)
	if err != nil || len(evs) != 1 {
		t.Fatalf("claim: %v, %v", evs, err)
	}
	f.exec(`UPDATE outbox_events SET locked_until = now() - interval '1 second'`) // the lease ran out; the render goes on
	if _, err := f.sc.AddToAlbum(ctx, ann, community.Telegram, "g1", feedback.SubmissionMedia{Hash: f.keep(mp4(100, 1)).Hash, MessageID: "11"}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.RenderedEvent(ctx, evs[0], nil); err == nil {
		t.Fatal("the stale render marked the card rendered")
	}
	if n := f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'showcase.submitted' AND status = 'pending'`); n != 1 {
		t.Fatal("the card is not to be rendered again")
	}
}
