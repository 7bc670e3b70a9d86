package community

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReportCooldown: a member may report again once the cooldown has
// passed; before that they are told to wait, in whole minutes rounded up.
func TestReportCooldown(t *testing.T) {
	r := ModerationRules{ReportCooldown: 10 * time.Minute}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		last time.Time
		want time.Duration
	}{
		{time.Time{}, 0},
		{now.Add(-10 * time.Minute), 0},
		{now.Add(-time.Hour), 0},
		{now.Add(-9 * time.Minute), time.Minute},
		{now.Add(-30 * time.Second), 10 * time.Minute},
		{now.Add(-5*time.Minute - time.Second), 5 * time.Minute},
	} {
		if got := r.ReportWait(c.last, now); got != c.want {
			t.Errorf("last report %s ago: wait %s, want %s", now.Sub(c.last), got, c.want)
		}
	}
	if got := (ModerationRules{}).ReportWait(now, now); got != 0 {
		t.Errorf("no cooldown: wait %s", got)
	}
}

// TestFileAndSettleReports: a member reports a message (not their own
// account, not staff, not twice within the cooldown); staff delete it,
// warn or mute its author, or dismiss it, once.
func TestFileAndSettleReports(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	if _, err := w.mod.FileReport(ctx, Report{Reporter: modBob, Reported: modBob}); modErrKey(err) != "report.self" {
		t.Errorf("self report: %v", err)
	}
	file := func(reporter MemberID) (Report, error) {
		return w.mod.FileReport(ctx, Report{Reporter: reporter, Reported: modBob, Group: w.tg, ChatRef: "-100", MessageID: "77",
			Text: strings.Repeat("x", 1200), Reason: "  rude  "})
	}
	first, err := file(modVera)
	if err != nil || first.ID == 0 || first.Status != "open" || first.Reason != "rude" || len([]rune(first.Text)) != 1000 || first.At != w.now {
		t.Fatalf("report: %+v, %v", first, err)
	}
	w.now = w.now.Add(4 * time.Minute)
	if _, err := file(modVera); modErrKey(err) != "report.cooldown" || ErrorCode(err) != EConflict {
		t.Errorf("a second report 4 minutes later: %v, want report.cooldown", err)
	} else if wait := err.(*Error).Data["Wait"]; wait != 6*time.Minute {
		t.Errorf("wait %v, want 6m", wait)
	}
	w.now = w.now.Add(6 * time.Minute)
	var reports []Report
	for range 4 {
		r, err := file(modVera)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
		w.now = w.now.Add(10 * time.Minute)
	}
	for i, outcome := range []string{ReportDelete, ReportWarn, ReportMute, ReportDismiss} {
		if _, _, err := w.mod.SettleReport(ctx, modAlice, reports[i].ID, outcome); err != nil {
			t.Errorf("%s: %v", outcome, err)
		}
	}
	if got, want := w.store.kinds(), []ActionKind{ActionDelete, ActionWarn, ActionMute, ActionDismiss}; !slices.Equal(got, want) {
		t.Errorf("staff log %v, want %v", got, want)
	}
	if !slices.Contains(w.platforms.calls, "delete telegram:-100 [77]") {
		t.Errorf("platform calls %v, want the message deleted", w.platforms.calls)
	}
	if m := w.store.sanctions[0]; m.Kind != SanctionMute || m.Until.Sub(m.At) != ReportMuteFor {
		t.Errorf("the report's mute: %+v", m)
	}
	for i, want := range []string{"deleted", "warned", "muted", "dismissed"} {
		if r, _ := w.store.Report(ctx, reports[i].ID); r.Status != want {
			t.Errorf("report %d is %q, want %q", i, r.Status, want)
		}
	}
	if _, _, err := w.mod.SettleReport(ctx, modAlice, reports[0].ID, ReportWarn); modErrKey(err) != "mod.settled" {
		t.Errorf("settling again: %v, want mod.settled", err)
	}
	if _, _, err := w.mod.SettleReport(ctx, modAlice, first.ID, "shout"); err == nil {
		t.Error("an unknown outcome was taken")
	}
	if _, _, err := w.mod.SettleReport(ctx, modAlice, 999, ReportWarn); ErrorCode(err) != ENotFound {
		t.Errorf("a report never filed: %v", err)
	}
}

// TestPurge: the last N messages, or every one from a message on, go
// with the command itself; the log counts those purged.
func TestPurge(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	w.store.messages[7] = []string{"10", "11", "12", "13", "14"}
	p := Purge{By: modAlice, Group: w.tg, Chat: 7, ChatRef: "-100", Also: []string{"15"}}
	for _, c := range []struct {
		count   int
		from    string
		want    int
		wantErr string
		deleted string
	}{
		{count: 2, want: 2, deleted: "delete telegram:-100 [14 13 15]"},
		{from: "12", want: 3, deleted: "delete telegram:-100 [14 13 12 15]"},
		{count: 0, wantErr: "purge.count"},
		{count: MaxPurge + 1, wantErr: "purge.count"},
		{from: "12x", wantErr: "purge.bad_message"},
		{from: "99", wantErr: "purge.not_found"},
	} {
		p.Count, p.From = c.count, c.from
		calls := len(w.platforms.calls)
		n, err := w.mod.Purge(ctx, p)
		if n != c.want || modErrKey(err) != c.wantErr {
			t.Errorf("purge %d from %q: %d, %v; want %d, %q", c.count, c.from, n, err, c.want, c.wantErr)
		}
		if c.deleted != "" && (len(w.platforms.calls) != calls+1 || w.platforms.calls[calls] != c.deleted) {
			t.Errorf("purge %d from %q: calls %v, want %q", c.count, c.from, w.platforms.calls[calls:], c.deleted)
		}
	}
	if got := w.store.actions; len(got) != 2 || got[0].Kind != ActionPurge || got[0].Count != 2 || got[1].Count != 3 {
		t.Errorf("staff log %+v", got)
	}
}

// TestNotesAndRecord: a note needs some text and at most 1000
// characters, and is kept with the member's warnings and sanctions (the
// profile shows them: community/profile_test.go).
func TestNotesAndRecord(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	for _, c := range []struct {
		text, wantErr string
	}{
		{"  ", "note.empty"},
		{strings.Repeat("é", 1001), "note.too_long"},
		{"  first  ", ""},
		{"second", ""},
	} {
		n, err := w.mod.AddNote(ctx, modAlice, modBob, c.text)
		if modErrKey(err) != c.wantErr || err == nil && (n.ID == 0 || n.Text != strings.TrimSpace(c.text)) {
			t.Errorf("note %q: %+v, %v; want %q", c.text, n, err, c.wantErr)
		}
	}
	if _, err := w.mod.Warn(ctx, Act{By: modAlice, Member: modBob, Groups: w.both()}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.mod.Ban(ctx, Act{By: modAlice, Member: modBob, Groups: w.both(), For: time.Hour}); err != nil {
		t.Fatal(err)
	}
	rec, err := w.store.Record(ctx, modBob, time.Now())
	if err != nil || len(rec.Warnings) != 1 || len(rec.InForce) != 1 || len(w.store.notes) != 2 || w.store.notes[1].Text != "second" || w.store.notes[1].Member != modBob {
		t.Errorf("record %+v, notes %+v, %v", rec, w.store.notes, err)
	}
	if rules := w.mod.Rules(); rules.WarnExpiry != 30*24*time.Hour {
		t.Errorf("rules %+v", rules)
	}
}
