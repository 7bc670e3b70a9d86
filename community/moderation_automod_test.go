package community

import (
	"context"
	"slices"
	"testing"
	"time"
)

// muteEnforcer carries every sanction out, on a platform that ends
// mutes by itself.
type muteEnforcer struct{ Enforcer }

func (muteEnforcer) Enforce(context.Context, SanctionKind, Group, string, time.Time) error {
	return nil
}
func (muteEnforcer) Capabilities(Platform) ModerationCapabilities {
	return ModerationCapabilities{MuteEnds: true}
}

// nobodyIsStaff is an AccessStore with no staff.
type nobodyIsStaff struct{}

func (nobodyIsStaff) IsStaff(context.Context, MemberID) (bool, error) { return false, nil }

// TestAutomodUncountsWhatItCaught: a flood's messages stop counting in
// the same change as the mute, counted as the standings count them; a
// flood while muted already mutes nobody again, but its messages stop
// counting all the same.
func TestAutomodUncountsWhatItCaught(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	g := Group{Platform: Telegram, ID: "-100"}
	bob := Member{ID: 2, DisplayName: "Bob", Identities: []Identity{{Account: Account{Platform: Telegram, UserID: "200"}}}}
	muted := Sanction{ID: 9, Member: 2, Kind: SanctionMute, Groups: []Group{g}, At: now.Add(-time.Minute), Until: now.Add(time.Hour)}
	rules := DefaultModerationRules()
	standings := NewStandings(nil, DefaultEngagementRules(), DefaultTierRules(), DefaultLoyaltyRules(), func() time.Time { return now })
	hit := AutomodHit{Member: 2, Group: g, Chat: 7, Messages: []string{"m1", "m2", "m3"}, Rule: RuleFlood, Deleted: 3}
	for _, c := range []struct {
		name    string
		inForce []Sanction
		wantErr string
		muted   bool
	}{
		{name: "not muted yet", muted: true},
		{name: "muted already", inForce: []Sanction{muted}, wantErr: "mod.already_muted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := &liftStore{member: bob, rec: ModerationRecord{InForce: c.inForce}}
			m := NewModeration(store, NewAccess(nil, nobodyIsStaff{}), standings, muteEnforcer{}, rules, func() time.Time { return now })
			out, err := m.Automod(context.Background(), hit)
			if derr, _ := err.(*Error); c.wantErr != "" && (derr == nil || derr.Key != c.wantErr) || c.wantErr == "" && err != nil {
				t.Fatalf("automod: %v, want %q", err, c.wantErr)
			}
			if (out.Sanction != nil) != c.muted {
				t.Errorf("sanction %+v, want a mute: %v", out.Sanction, c.muted)
			}
			if len(store.saved) != 1 || store.saved[0].Uncount == nil {
				t.Fatalf("saved %+v, want one change that uncounts the messages", store.saved)
			}
			u := store.saved[0].Uncount
			if u.Chat != 7 || !slices.Equal(u.Messages, hit.Messages) || u.Scoring.Weight[ActivityMessage] != 1 ||
				u.Scoring.Points[ActivityMessage] != 1 || u.Scoring.Decay != DefaultEngagementRules().Decay() {
				t.Errorf("uncounted %+v", u)
			}
		})
	}
}
