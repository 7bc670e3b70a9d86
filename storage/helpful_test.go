package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/support"
)

// post is a message of user in chat -5 with its message id, answering
// inReplyTo (a message or a thread) when given.
func post(key, user, messageID, inReplyTo string) inbox.Inbound {
	in := message(key, user, "-5")
	in.MessageID, in.InReplyTo = messageID, inReplyTo
	if inReplyTo != "" {
		in.Activity = community.ActivityReply
	}
	return in
}

// TestMarkHelpful: the asker (who wrote the replied message, or started
// the thread) or staff mark an answer helpful, once; its author, a
// bystander and unknown messages are refused, and nothing is recorded
// for them.
func TestMarkHelpful(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	thread := message("t", "100", "-5")
	thread.Activity, thread.MessageID = community.ActivityThreadStarted, "th1"
	batch := []inbox.Inbound{
		post("1", "100", "q1", ""), post("2", "200", "a1", "q1"), // alice asks, bob answers
		thread, post("3", "200", "a2", "th1"), // alice's thread, bob's message in it
		post("4", "300", "a3", "gone"), // an answer to a message Hearth never saw
	}
	out, err := s.RecordInbound(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	chat, alice, bob, carol := out[0].Chat, out[0].Member, out[1].Member, out[4].Member
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	desk := support.NewDesk(s, func() time.Time { return at })
	mark := func(message string, by community.MemberID, staff bool) community.Code {
		t.Helper()
		_, err := desk.MarkHelpful(ctx, chat, message, by, staff)
		if err != nil && community.ErrorCode(err) == "" {
			t.Fatalf("mark %s: %v", message, err)
		}
		return community.ErrorCode(err)
	}
	for _, c := range []struct {
		message string
		by      community.MemberID
		staff   bool
		want    community.Code
	}{
		{"a1", carol, false, community.EForbidden}, // a bystander
		{"a1", bob, true, community.EForbidden},    // the author, even as staff
		{"nope", alice, true, community.ENotFound}, // never recorded
		{"a1", alice, false, ""},                   // the asker
		{"a1", carol, true, community.EConflict},   // already marked
		{"a2", alice, false, ""},                   // the thread's starter
		{"a3", alice, false, community.EForbidden}, // nobody known asked
		{"a3", bob, true, ""},                      // staff may
	} {
		if got := mark(c.message, c.by, c.staff); got != c.want {
			t.Errorf("mark %s by %d (staff %v): %q, want %q", c.message, c.by, c.staff, got, c.want)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE kind = 'helpful_answer' AND member_id = $1`, int64(bob)); n != 2 {
		t.Errorf("bob's helpful answers: %d, want 2", n)
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE kind = 'helpful_answer'`); n != 3 {
		t.Errorf("helpful answers: %d, want 3", n)
	}
	if _, err := s.RecordHelpful(ctx, support.HelpfulCredit(support.Answer{Chat: chat, Message: "a1", Author: bob}, at)); err != nil {
		t.Fatal(err)
	} else if n := count(t, s, `SELECT count(*) FROM activities WHERE kind = 'helpful_answer'`); n != 3 {
		t.Errorf("recording a1 twice made %d helpful answers", n)
	}
}

// TestSenderNamedByIDKeepsTheirNames: an update naming its sender by id
// alone (a Discord reaction without the member) leaves their stored names
// and language as they were.
func TestSenderNamedByIDKeepsTheirNames(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-5")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE identities SET last_seen_at = now() - interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	bare := message("2", "100", "-5")
	bare.From = inbox.User{ID: "100"}
	if _, err := s.RecordInbound(ctx, []inbox.Inbound{bare}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Username, Name, Language string
		Fresh                    bool
	}
	if err := s.DB().QueryRow(`SELECT username, display_name, language, last_seen_at > now() - interval '1 minute' FROM identities`).
		Scan(&got.Username, &got.Name, &got.Language, &got.Fresh); err != nil {
		t.Fatal(err)
	}
	if got.Username != "user100" || got.Name != "User 100" || got.Language != "ru" || !got.Fresh {
		t.Errorf("identity after an id-only update: %+v, want the names kept and last seen now", got)
	}
}
