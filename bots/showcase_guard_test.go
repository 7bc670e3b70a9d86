package bots_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
)

// TestReshareGuardAllowsOnlyItsOwnConsentInForce: a reshare goes only
// while the consent it was made under is its post's consent in force.
// One made under a consent since expired and renewed is refused (the
// renewal's own reshare goes instead), and so is a malformed guard; a
// revoked consent stops the renewal's too.
func TestReshareGuardAllowsOnlyItsOwnConsentInForce(t *testing.T) {
	w := newOutboxWorld(t)
	w.p.down = false
	ctx := context.Background()
	var member int64
	if err := w.store.DB().Get(&member, `INSERT INTO members (display_name) VALUES ('ann') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	ann := community.MemberID(member)
	sc := feedback.NewShowcase(w.store, func() time.Time { return w.clock }, 0, 0)
	kept, err := sc.KeepMedia(ctx, bytes.NewReader(botstest.Photo(1, 2000)))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := sc.Submit(ctx, feedback.Submission{Member: ann, Platform: community.Telegram, Media: []feedback.SubmissionMedia{{Hash: kept.Hash}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Approve(ctx, sub.ID, ann); err != nil {
		t.Fatal(err)
	}
	allow := func() feedback.Consent {
		t.Helper()
		c, err := sc.Consent(ctx, feedback.ConsentAnswer{Submission: sub.ID, Member: ann, Decision: feedback.ConsentAllow, Months: 1,
			Scopes: []feedback.ConsentScope{feedback.ScopeCommunity, feedback.ScopeBrand}, Text: "May we?", Lang: "en", Platform: community.Telegram})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := allow()
	w.clock = first.ExpiresAt.Add(time.Hour)
	renewed := allow()
	guard := func(consent feedback.ConsentID) string {
		return "showcase.consent:" + itoa(int64(sub.ID)) + ":" + itoa(int64(consent))
	}
	var out []outbox.Outgoing
	for i, g := range []string{guard(first.ID), guard(renewed.ID), "showcase.consent:" + itoa(int64(sub.ID))} {
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: community.Telegram, ChatID: "-3" + itoa(int64(i))},
			Message: outbox.Message{Text: g, Guard: g}})
	}
	if err := w.store.QueueMessages(ctx, out); err != nil {
		t.Fatal(err)
	}
	w.svc.Dispatcher.DeliverPending(w.ctx)
	if len(w.p.got) != 1 || w.p.got[0].Message.Guard != guard(renewed.ID) {
		t.Fatalf("sent %+v; want only the renewal's reshare", w.p.got)
	}
	for _, g := range []string{guard(first.ID), "showcase.consent:" + itoa(int64(sub.ID))} {
		var status string
		if err := w.store.DB().Get(&status, `SELECT status FROM deliveries WHERE message->>'guard' = $1`, g); err != nil || status != "dead" {
			t.Errorf("%s: %q, %v; want dead", g, status, err)
		}
	}
	if _, err := sc.Revoke(ctx, renewed.ID, ann); err != nil {
		t.Fatal(err)
	}
	if err := w.store.QueueMessages(ctx, []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, ChatID: "-40"},
		Message: outbox.Message{Text: "again", Guard: guard(renewed.ID)}}}); err != nil {
		t.Fatal(err)
	}
	w.svc.Dispatcher.DeliverPending(w.ctx)
	if len(w.p.got) != 1 {
		t.Fatalf("a reshare of a revoked consent went out: %+v", w.p.got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
