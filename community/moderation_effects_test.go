package community

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

var effectsAt = time.Date(2026, 12, 5, 10, 30, 0, 0, time.UTC)

// TestActionAuditEntry: an action is audited under its kind, by whom, of
// whom, with its reason, and its details are the action itself, ids of
// what the change created included, read back exactly.
func TestActionAuditEntry(t *testing.T) {
	g := Group{Platform: "telegram", ID: "-100"}
	for _, a := range []Action{
		{Kind: ActionWarn, Member: 7, By: 3, Reason: "spam", At: effectsAt, Groups: []Group{g}, Warning: 11, Active: 2},
		{Kind: ActionMute, Member: 7, Reason: "flood", Rule: "flood", At: effectsAt, Until: effectsAt.Add(time.Hour), Groups: []Group{g},
			Sanction: 1<<60 + 1, Ladder: true, Guarded: true, Review: 5, Report: 9},
		{Kind: ActionPurge, By: 3, At: effectsAt, Groups: []Group{g}, Count: 4},
	} {
		e := a.AuditEntry()
		if e.Action != "moderation."+string(a.Kind) || e.Actor != a.By || e.Target != a.Member || e.Reason != a.Reason || !e.At.Equal(a.At) || e.Chat != 0 {
			t.Errorf("%s: entry %+v", a.Kind, e)
		}
		raw, err := json.Marshal(e.Details)
		if err != nil {
			t.Fatal(err)
		}
		var back Action
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, a) {
			t.Errorf("%s: details read back as %+v, want %+v", a.Kind, back, a)
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatal(err)
		}
		if _, ok := fields["log"]; !ok {
			t.Errorf("%s: details %s have no log", a.Kind, raw)
		}
	}
}

// TestActionEvent: the staff log's event carries the action with the id
// of its audit entry.
func TestActionEvent(t *testing.T) {
	a := Action{Log: 42, Kind: ActionBan, Member: 7, By: 3, At: effectsAt, Sanction: 8}
	e := a.Event()
	if e.Kind != EventModerationAction || !e.At.Equal(effectsAt) || !reflect.DeepEqual(e.Payload, a) {
		t.Errorf("event %+v, want %s of %+v", e, EventModerationAction, a)
	}
}

// TestReviewEvent: a review asks staff with an EventModerationReview of
// the review, its id and the mute given instead included.
func TestReviewEvent(t *testing.T) {
	rv := Review{ID: 5, Member: 7, Sanction: 8, Groups: []Group{{Platform: "discord", ID: "1"}}, Reason: "third warning", At: effectsAt, Status: "open"}
	e := rv.Event()
	if e.Kind != EventModerationReview || !e.At.Equal(effectsAt) || !reflect.DeepEqual(e.Payload, rv) {
		t.Errorf("event %+v, want %s of %+v", e, EventModerationReview, rv)
	}
}

// TestReportEffects: a report is audited as the reporter's, about the
// reported member, naming the report and the message, and shown to staff
// by an EventModerationReport of it.
func TestReportEffects(t *testing.T) {
	r := Report{ID: 12, Reporter: 4, Reported: 7, Chat: 2, Group: Group{Platform: "telegram", ID: "-100"}, ChatRef: "-100",
		MessageID: "99", Text: "buy now", Reason: "spam", At: effectsAt}
	got := r.Effects()
	want := Effects{
		Audit: []AuditEntry{{At: effectsAt, Actor: 4, Action: AuditModerationReport, Target: 7, Chat: 2, Reason: "spam",
			Details: map[string]any{"report": int64(12), "message": "99"}}},
		Events: []Event{{Kind: EventModerationReport, Payload: r, At: effectsAt}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("effects %+v, want %+v", got, want)
	}
}

// TestNoteEffects: a note is audited as its author's, about the member,
// naming the note, and causes no event.
func TestNoteEffects(t *testing.T) {
	got := Note{ID: 3, Member: 7, By: 4, Text: "watch them", At: effectsAt}.Effects()
	want := Effects{Audit: []AuditEntry{{At: effectsAt, Actor: 4, Action: AuditModerationNote, Target: 7, Details: map[string]any{"note": int64(3)}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("effects %+v, want %+v", got, want)
	}
}
