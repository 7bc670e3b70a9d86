package feedback

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/community"
)

func errKey(err error) string {
	if e, ok := errors.AsType[*community.Error](err); ok {
		return e.Key
	}
	return ""
}

// TestParseText: the first line is the title, the rest the body, both
// trimmed; an empty title or one over its limit is refused with its key.
func TestParseText(t *testing.T) {
	got, err := ParseText("  Dark mode for the shop app \n\n It hurts my eyes at night.  ")
	if err != nil || got != (Text{Title: "Dark mode for the shop app", Body: "It hurts my eyes at night."}) {
		t.Errorf("ParseText = %+v, %v", got, err)
	}
	if got, err := ParseText(strings.Repeat("ж", MaxTitle)); err != nil || got.Body != "" {
		t.Errorf("a title of exactly %d characters: %+v, %v", MaxTitle, got, err)
	}
	for in, key := range map[string]string{
		" \n ":                                 "feedback.empty",
		strings.Repeat("a", MaxTitle+1):        "feedback.title_too_long",
		"t\n" + strings.Repeat("é", MaxBody+1): "feedback.body_too_long",
	} {
		if _, err := ParseText(in); errKey(err) != key || community.ErrorCode(err) != community.EInvalid {
			t.Errorf("ParseText(%.20q…) = %v; want %s", in, err, key)
		}
	}
}

func TestParseKindAndStatus(t *testing.T) {
	if k, ok := ParseKind(" Bug "); !ok || k != KindBug {
		t.Errorf("ParseKind(Bug) = %q, %t", k, ok)
	}
	if _, ok := ParseKind("rant"); ok {
		t.Error("rant is a kind")
	}
	for in, want := range map[string]Status{"in progress": StatusInProgress, "Under-Review": StatusUnderReview, "done": StatusDone, "merged": StatusMerged} {
		if got, ok := ParseStatus(in); !ok || got != want {
			t.Errorf("ParseStatus(%q) = %q, %t", in, got, ok)
		}
	}
	if _, ok := ParseStatus("shipped"); ok {
		t.Error("shipped is a status")
	}
}

// TestWorkflowMovesForward: an item moves forward (skipping steps is
// allowed) or is declined until done; anything else is refused listing
// the moves allowed, and a done, declined or merged item moves no more.
func TestWorkflowMovesForward(t *testing.T) {
	if got := StatusPlanned.Next(); !slices.Equal(got, []Status{StatusInProgress, StatusDone, StatusDeclined}) {
		t.Errorf("from planned: %v", got)
	}
	for _, ok := range [][2]Status{{StatusOpen, StatusUnderReview}, {StatusOpen, StatusPlanned}, {StatusInProgress, StatusDone}, {StatusUnderReview, StatusDeclined}} {
		if err := CheckMove(ok[0], ok[1]); err != nil {
			t.Errorf("%s -> %s: %v", ok[0], ok[1], err)
		}
	}
	err := CheckMove(StatusPlanned, StatusOpen)
	if e, ok := errors.AsType[*community.Error](err); !ok || e.Key != "feedback.bad_status" || e.Data["Allowed"] != "in_progress, done, declined" {
		t.Errorf("planned -> open: %v", err)
	}
	for _, final := range []Status{StatusDone, StatusDeclined, StatusMerged} {
		if err := CheckMove(final, StatusPlanned); errKey(err) != "feedback.status_final" {
			t.Errorf("%s -> planned: %v", final, err)
		}
	}
	if err := CheckMove(StatusOpen, StatusMerged); errKey(err) != "feedback.bad_status" {
		t.Errorf("a merge by status change: %v", err)
	}
}

func TestCheckMerge(t *testing.T) {
	for _, c := range []struct {
		item, into     int64
		from, intoStat Status
		key            string
	}{
		{1, 2, StatusOpen, StatusPlanned, ""},
		{1, 1, StatusOpen, StatusOpen, "feedback.merge_self"},
		{1, 2, StatusOpen, StatusMerged, "feedback.merge_into_closed"},
		{1, 2, StatusOpen, StatusDeclined, "feedback.merge_into_closed"},
		{1, 2, StatusMerged, StatusOpen, "feedback.merge_closed"},
		{1, 2, StatusDone, StatusOpen, "feedback.merge_closed"},
	} {
		if err := CheckMerge(c.item, c.into, c.from, c.intoStat); errKey(err) != c.key || (c.key == "") != (err == nil) {
			t.Errorf("merge %d (%s) into %d (%s): %v; want %q", c.item, c.from, c.into, c.intoStat, err, c.key)
		}
	}
}
