package community

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// liftStore is an in-memory ModerationStore holding one member's record;
// it keeps the changes Moderate saves. Methods lifting does not use are
// left to the embedded nil interface.
type liftStore struct {
	ModerationStore
	member Member
	rec    ModerationRecord
	saved  []ModerationChange
}

func (s *liftStore) Member(context.Context, MemberID) (Member, error) { return s.member, nil }

func (s *liftStore) Moderate(_ context.Context, _ MemberID, _ time.Time, decide func(ModerationRecord) (ModerationChange, error)) (ModerationChange, error) {
	ch, err := decide(s.rec)
	if err != nil {
		return ModerationChange{}, err
	}
	s.saved = append(s.saved, ch)
	return ch, nil
}

// written is what the saved changes wrote: the records closed, as
// "[sanction groups reason; ...]", and the staff log's actions.
func (s *liftStore) written() (lifts, actions string) {
	var closed []string
	for _, ch := range s.saved {
		for _, l := range ch.Lifts {
			closed = append(closed, fmt.Sprint(l.Sanction, " ", l.Groups, " ", l.Reason))
		}
		for _, a := range ch.Actions {
			actions += fmt.Sprint(a.Kind, " ", a.Groups)
		}
	}
	return "[" + strings.Join(closed, "; ") + "]", actions
}

// liftEnforcer lifts where the platform has a sanction, answers
// ErrNothingToLift where it has none, and fails where told.
type liftEnforcer struct {
	Enforcer
	sanctioned map[Group]bool
	failing    map[Group]error
}

func (e *liftEnforcer) Lift(_ context.Context, kind SanctionKind, g Group, _ string) error {
	if err := e.failing[g]; err != nil {
		return err
	}
	if !e.sanctioned[g] {
		return fmt.Errorf("%s in %s: %w", kind, g, ErrNothingToLift)
	}
	return nil
}

// TestLiftWritesNothingFalse: /unmute and /unban of a member who is not
// muted or banned say so (EConflict mod.not_muted, mod.not_banned) and log
// no "lifted" action; a mute Hearth recorded that the platform had ended
// already is closed as ended elsewhere, not as lifted by staff; a real
// lift is logged where it happened.
func TestLiftWritesNothingFalse(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tg, dc := Group{Platform: Telegram, ID: "-100"}, Group{Platform: Discord, ID: "7"}
	bob := Member{ID: 2, DisplayName: "Bob", Identities: []Identity{
		{Account: Account{Platform: Telegram, UserID: "200"}}, {Account: Account{Platform: Discord, UserID: "900"}}}}
	recorded := Sanction{ID: 5, Member: 2, Kind: SanctionMute, Groups: []Group{tg}, At: now.Add(-time.Hour)}
	cases := []struct {
		name       string
		kind       SanctionKind
		inForce    []Sanction
		sanctioned map[Group]bool
		failing    map[Group]error
		wantKey    string
		wantLifts  string
		wantAction string
	}{
		{name: "muted nowhere", kind: SanctionMute, wantKey: "mod.not_muted", wantLifts: "[]", wantAction: ""},
		{name: "banned nowhere", kind: SanctionBan, wantKey: "mod.not_banned", wantLifts: "[]", wantAction: ""},
		{name: "recorded but over on the platform", kind: SanctionMute, inForce: []Sanction{recorded},
			wantKey: "mod.not_muted", wantLifts: "[5 [telegram:-100] ended_elsewhere]", wantAction: ""},
		{name: "muted on Discord by hand", kind: SanctionMute, sanctioned: map[Group]bool{dc: true},
			wantLifts: "[]", wantAction: "unmute [discord:7]"},
		{name: "recorded and lifted", kind: SanctionMute, inForce: []Sanction{recorded}, sanctioned: map[Group]bool{tg: true},
			wantLifts: "[5 [telegram:-100] unmute]", wantAction: "unmute [telegram:-100]"},
		{name: "nothing here, refused there", kind: SanctionBan, failing: map[Group]error{dc: errors.New("no rights")},
			wantKey: "", wantLifts: "[]", wantAction: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := &liftStore{member: bob, rec: ModerationRecord{InForce: c.inForce}}
			m := NewModeration(store, nil, nil, &liftEnforcer{sanctioned: c.sanctioned, failing: c.failing}, DefaultModerationRules(),
				func() time.Time { return now })
			lift := m.Unmute
			if c.kind == SanctionBan {
				lift = m.Unban
			}
			out, err := lift(context.Background(), Lifting{By: 1, Member: 2, Groups: []Group{tg, dc}, Reason: "unmute"})
			var derr *Error
			switch {
			case c.wantKey != "" && (!errors.As(err, &derr) || derr.Key != c.wantKey || derr.Code != EConflict):
				t.Errorf("got %v, want %s", err, c.wantKey)
			case c.wantKey == "" && c.failing != nil && (err == nil || err.Error() != "no rights"):
				t.Errorf("got %v, want the platform's refusal", err)
			case c.wantKey == "" && c.failing == nil && (err != nil || len(out.Groups) == 0):
				t.Errorf("got %+v, %v; want lifted", out, err)
			}
			got, action := store.written()
			if got != c.wantLifts {
				t.Errorf("records closed: %s, want %s", got, c.wantLifts)
			}
			if action != c.wantAction {
				t.Errorf("staff log: %q, want %q", action, c.wantAction)
			}
		})
	}
}
