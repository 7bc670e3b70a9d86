package community

import (
	"testing"
	"time"
)

// TestLadderStepFor: a step applies when the active warnings reach it,
// and the top step again whenever they pass it.
func TestLadderStepFor(t *testing.T) {
	ladder, err := ParseLadder([]string{"3=mute 1h", "5=ban"})
	if err != nil {
		t.Fatal(err)
	}
	r := ModerationRules{Ladder: ladder}
	for active, want := range map[int]SanctionKind{1: "", 2: "", 3: SanctionMute, 4: "", 5: SanctionBan, 6: SanctionBan} {
		step, ok := r.StepFor(active)
		if got := step.Action; ok != (want != "") || got != want {
			t.Errorf("%d warnings: %q, %v; want %q", active, got, ok, want)
		}
	}
	if _, ok := (ModerationRules{}).StepFor(9); ok {
		t.Error("no ladder applies no step")
	}
}

// TestAutomodScreen: the blocklist and the newcomer rule are judged from
// the message alone; floods and newcomers from counts and times.
func TestAutomodScreen(t *testing.T) {
	bl, err := ParseBlocklist([]string{"spam", "/fr[e3]{2} money/"})
	if err != nil {
		t.Fatal(err)
	}
	r := AutomodRules{FloodMessages: 3, FloodWindow: 10 * time.Second, Blocklist: bl, NewcomerFor: 24 * time.Hour}
	cases := []struct {
		text        string
		media       bool
		blocked     string
		linkOrMedia bool
	}{
		{text: "hello there"},
		{text: "SPAM here", blocked: "spam"},
		{text: "spammer", blocked: ""},
		{text: "get fr33 money", blocked: "/fr[e3]{2} money/"},
		{text: "see https://example.com/x", linkOrMedia: true},
		{text: "join t.me/somechannel", linkOrMedia: true},
		{text: "my shop.com is open", linkOrMedia: true},
		{text: "a photo", media: true, linkOrMedia: true},
		{text: "version 1.2 is out"},
	}
	for _, c := range cases {
		blocked, lm := r.Screen(c.text, c.media)
		if blocked != c.blocked || lm != c.linkOrMedia {
			t.Errorf("Screen(%q, %v) = %q, %v; want %q, %v", c.text, c.media, blocked, lm, c.blocked, c.linkOrMedia)
		}
	}
	if _, lm := (AutomodRules{}).Screen("https://example.com", true); lm {
		t.Error("with the newcomer rule off, links need no look")
	}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	if !r.IsNewcomer(now.Add(-time.Hour), now) || r.IsNewcomer(now.Add(-25*time.Hour), now) || r.IsNewcomer(time.Time{}, now) {
		t.Error("a newcomer joined within NewcomerFor, and was seen joining")
	}
	if r.Flooding(2) || !r.Flooding(3) || (AutomodRules{}).Flooding(100) {
		t.Error("a flood is FloodMessages or more; 0 turns it off")
	}
}

// TestActionsUndoable: warnings, mutes and bans can be undone from the
// log; kicks, purges, undos and ends cannot.
func TestActionsUndoable(t *testing.T) {
	for _, c := range []struct {
		a    Action
		want bool
	}{
		{Action{Kind: ActionWarn, Warning: 1}, true},
		{Action{Kind: ActionMute, Sanction: 2}, true},
		{Action{Kind: ActionBan, Sanction: 3}, true},
		{Action{Kind: ActionKick, Sanction: 4}, false},
		{Action{Kind: ActionPurge, Count: 5}, false},
		{Action{Kind: ActionMute, Sanction: 2, Undo: true}, false},
		{Action{Kind: ActionUnban, Sanction: 3, Expired: true}, false},
	} {
		if got := c.a.Undoable(); got != c.want {
			t.Errorf("%+v: undoable %v, want %v", c.a, got, c.want)
		}
	}
	g, err := ParseGroup("discord:123:456")
	if err != nil || g.Platform != Discord || g.ID != "123:456" || g.String() != "discord:123:456" {
		t.Errorf("ParseGroup: %+v, %v", g, err)
	}
	if _, err := ParseGroup("nothing"); err == nil {
		t.Error("a group without a platform parsed")
	}
}

// TestGroupsAreWrittenPlatformColonID: a group is stored and sent as
// platform:id, and read back the same.
func TestGroupsAreWrittenPlatformColonID(t *testing.T) {
	g := Group{Platform: Discord, ID: "900"}
	b, err := g.MarshalText()
	if err != nil || string(b) != "discord:900" {
		t.Fatalf("marshal %v: %s, %v", g, b, err)
	}
	var back Group
	if err := back.UnmarshalText(b); err != nil || back != g {
		t.Errorf("unmarshal %s: %v, %v", b, back, err)
	}
	if err := back.UnmarshalText([]byte("discord:")); err == nil {
		t.Error("a group without an id was read")
	}
}
