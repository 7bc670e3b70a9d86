package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// platformDouble stands for the chat platforms: it records what moderation
// asks of them, refuses what a test says, and has Telegram's and
// Discord's limits.
type platformDouble struct {
	calls  []string
	refuse map[string]error // by "kind platform:group"
}

func (p *platformDouble) Enforce(_ context.Context, kind community.SanctionKind, g community.Group, userID string, until time.Time) error {
	call := fmt.Sprintf("%s %s %s", kind, g, userID)
	if !until.IsZero() {
		call += " until " + until.Format(time.RFC3339)
	}
	p.calls = append(p.calls, call)
	return p.refuse[string(kind)+" "+g.String()]
}

func (p *platformDouble) Lift(_ context.Context, kind community.SanctionKind, g community.Group, userID string) error {
	p.calls = append(p.calls, fmt.Sprintf("lift %s %s %s", kind, g, userID))
	return p.refuse["lift "+g.String()]
}

func (p *platformDouble) Delete(_ context.Context, pl community.Platform, chat string, ids []string) error {
	p.calls = append(p.calls, fmt.Sprintf("delete %s:%s %s", pl, chat, strings.Join(ids, ",")))
	return nil
}

func (p *platformDouble) Moderates(community.Platform) bool { return true }

func (p *platformDouble) Capabilities(pl community.Platform) community.ModerationCapabilities {
	if pl == community.Discord {
		return community.ModerationCapabilities{MuteEnds: true, MaxMute: 28 * 24 * time.Hour}
	}
	return community.ModerationCapabilities{MuteEnds: true, BanEnds: true, EndsWithin: 366 * 24 * time.Hour}
}

// erasureRules refuses an erasure at now as the domain does, on the
// platforms platformDouble stands for.
func erasureRules(now time.Time) func([]community.Sanction) error {
	return func(inForce []community.Sanction) error {
		return community.RefuseErasure(inForce, (&platformDouble{}).Capabilities, now)
	}
}

// modFixture is moderation on a real database, members made by the
// standings fixture (Telegram accounts), at a clock the test moves.
type modFixture struct {
	*standingsFixture
	now      time.Time
	platform *platformDouble
	mod      *community.Moderation
	tg, dc   community.Group
}

func newModFixture(t *testing.T, rules community.ModerationRules, names ...string) *modFixture {
	ages := map[string]int{}
	for _, n := range names {
		ages[n] = 200
	}
	f := &modFixture{standingsFixture: newStandingsFixture(t, ages), now: standingsNow, platform: &platformDouble{refuse: map[string]error{}},
		tg: community.Group{Platform: community.Telegram, ID: "-1001"}, dc: community.Group{Platform: community.Discord, ID: "900"}}
	clock := func() time.Time { return f.now }
	standings := community.NewStandings(f.s, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(), clock)
	f.mod = community.NewModeration(f.s, community.NewAccess(nil, f.s), standings, f.platform, rules, clock)
	for _, n := range names {
		// Each member also has a Discord account, user id d<name>.
		f.exec(`INSERT INTO identities (platform, platform_user_id, member_id) VALUES ('discord', $1, $2)`, "d"+n, f.members[n])
	}
	return f
}

func (f *modFixture) count(query string, args ...any) int {
	f.t.Helper()
	return count(f.t, f.s, query, args...)
}

// actions returns the staff log's events, in order.
func (f *modFixture) actions() []community.Action {
	f.t.Helper()
	var out []community.Action
	for _, raw := range f.events(community.EventModerationAction) {
		var a community.Action
		if err := json.Unmarshal(raw, &a); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func ladder(t *testing.T, steps ...string) community.ModerationRules {
	t.Helper()
	l, err := community.ParseLadder(steps)
	if err != nil {
		t.Fatal(err)
	}
	r := community.DefaultModerationRules()
	r.Ladder = l
	return r
}

// TestWarningLadderMutesAtItsStep: the second warning reaches "2=mute
// 1h": the member is muted in the warning's groups at once, the mute is
// recorded with its end, and the staff log gets both actions with their
// ids, each with an audit entry. An expired warning does not count.
func TestWarningLadderMutesAtItsStep(t *testing.T) {
	f := newModFixture(t, ladder(t, "2=mute 1h", "4=ban"), "bob", "olga")
	ctx := context.Background()
	bob, olga := f.members["bob"], f.members["olga"]
	act := community.Act{By: olga, Member: bob, Groups: []community.Group{f.tg, f.dc}, Reason: "spam"}
	f.exec(`INSERT INTO warnings (member_id, reason, at, expires_at) VALUES ($1, 'old', $2, $3)`, bob, f.now.AddDate(0, -2, 0), f.now.AddDate(0, -1, 0))

	out, err := f.mod.Warn(ctx, act)
	if err != nil || out.Active != 1 || out.Sanction != nil {
		t.Fatalf("first warning: %+v, %v; want 1 active and no sanction", out, err)
	}
	f.now = f.now.Add(time.Minute)
	out, err = f.mod.Warn(ctx, act)
	if err != nil {
		t.Fatal(err)
	}
	until := f.now.Add(time.Hour)
	if out.Active != 2 || out.Sanction == nil || out.Sanction.Kind != community.SanctionMute || !out.Sanction.Until.Equal(until) || out.Guarded {
		t.Fatalf("second warning: %+v; want a mute for an hour", out)
	}
	want := []string{"mute telegram:-1001 " + f.identity(bob) + " until " + until.Format(time.RFC3339), "mute discord:900 dbob until " + until.Format(time.RFC3339)}
	if !slices.Equal(f.platform.calls, want) {
		t.Errorf("platform calls %q", f.platform.calls)
	}
	if n := f.count(`SELECT count(*) FROM sanctions WHERE member_id = $1 AND kind = 'mute' AND until = $2 AND lifted_at IS NULL
		AND groups = '{telegram:-1001,discord:900}' AND renew_at IS NULL`, bob, until); n != 1 {
		t.Errorf("mute records: %d", n)
	}
	acts := f.actions()
	if len(acts) != 3 || acts[2].Kind != community.ActionMute || !acts[2].Ladder || acts[2].Sanction == 0 || acts[1].Warning == 0 || acts[2].Log == 0 {
		t.Fatalf("staff log: %+v", acts)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action IN ('moderation.warn', 'moderation.mute') AND target_member_id = $1 AND actor_member_id = $2`, bob, olga); n != 3 {
		t.Errorf("audit entries: %d, want 3", n)
	}
}

func (f *modFixture) identity(m community.MemberID) string {
	f.t.Helper()
	var id string
	if err := f.s.DB().Get(&id, `SELECT platform_user_id FROM identities WHERE member_id = $1 AND platform = 'telegram'`, m); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// TestGuardrailMutesAVIPInsteadOfBanning: where the ladder would ban a
// VIP, they are muted for the ban's length and staff get a review;
// "ban anyway" then bans and ends the mute, once.
func TestGuardrailMutesAVIPInsteadOfBanning(t *testing.T) {
	f := newModFixture(t, ladder(t, "1=ban 3d"), "vip", "olga")
	f.scores(map[string][2]float64{"vip": {900, 800}})
	f.recompute()
	ctx := context.Background()
	vip, olga := f.members["vip"], f.members["olga"]
	out, err := f.mod.Warn(ctx, community.Act{Member: vip, Groups: []community.Group{f.tg}, Rule: community.RuleBlocklist, Reason: "badword"})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Guarded || out.Sanction.Kind != community.SanctionMute || !out.Sanction.Until.Equal(f.now.Add(72*time.Hour)) || out.Review == nil || out.Review.ID == 0 {
		t.Fatalf("outcome %+v; want a 3-day mute and a review", out)
	}
	if slices.ContainsFunc(f.platform.calls, func(c string) bool { return strings.HasPrefix(c, "ban") }) {
		t.Fatalf("a VIP was banned: %q", f.platform.calls)
	}
	reviews := f.events(community.EventModerationReview)
	var rv community.Review
	if len(reviews) != 1 || json.Unmarshal(reviews[0], &rv) != nil || rv.Sanction != out.Sanction.ID || rv.BanFor != 72*time.Hour {
		t.Fatalf("review events %s", reviews)
	}
	if acts := f.actions(); len(acts) != 2 || !acts[1].Guarded || acts[1].Review != rv.ID {
		t.Errorf("staff log %+v", acts)
	}

	if _, _, err := f.mod.DecideReview(ctx, olga, rv.ID, community.ReviewBan); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM sanctions WHERE member_id = $1 AND kind = 'mute' AND lifted_at IS NOT NULL AND lift_reason = 'superseded'`, vip); n != 1 {
		t.Errorf("the mute given instead was not ended by the ban")
	}
	if n := f.count(`SELECT count(*) FROM moderation_reviews WHERE id = $1 AND status = 'banned' AND closed_by = $2`, rv.ID, olga); n != 1 {
		t.Errorf("review not closed as banned")
	}
	if _, _, err := f.mod.DecideReview(ctx, olga, rv.ID, community.ReviewLift); community.ErrorCode(err) != community.EConflict {
		t.Errorf("a second decision: %v, want a conflict", err)
	}
}

// TestUndoAndUnwarn: unwarn removes the latest warning; Undo of a mute
// lifts it on the platform and in the record, and a second Undo is a
// conflict; a kick cannot be undone.
func TestUndoAndUnwarn(t *testing.T) {
	f := newModFixture(t, ladder(t, "5=ban"), "bob", "olga")
	ctx := context.Background()
	bob, olga := f.members["bob"], f.members["olga"]
	a := community.Act{By: olga, Member: bob, Groups: []community.Group{f.tg}}
	for _, reason := range []string{"first", "second"} {
		a.Reason = reason
		if _, err := f.mod.Warn(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	out, err := f.mod.Unwarn(ctx, olga, bob, 0, false)
	if err != nil || out.Active != 1 || out.Warning.Reason != "second" {
		t.Fatalf("unwarn: %+v, %v; want the second removed, 1 left", out, err)
	}
	a.For = 2 * time.Hour
	muted, err := f.mod.Mute(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.mod.UndoSanction(ctx, olga, muted.Sanction.ID); err != nil {
		t.Fatal(err)
	}
	if last := f.platform.calls[len(f.platform.calls)-1]; !strings.HasPrefix(last, "lift mute telegram:-1001") {
		t.Errorf("undo asked the platform %q", last)
	}
	if n := f.count(`SELECT count(*) FROM sanctions WHERE id = $1 AND lift_reason = 'undo' AND lifted_by = $2`, muted.Sanction.ID, olga); n != 1 {
		t.Error("undone mute not recorded as lifted")
	}
	if _, _, err := f.mod.UndoSanction(ctx, olga, muted.Sanction.ID); community.ErrorCode(err) != community.EConflict {
		t.Errorf("second undo: %v, want a conflict", err)
	}
	kicked, err := f.mod.Kick(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.mod.UndoSanction(ctx, olga, kicked.Sanction.ID); community.ErrorCode(err) != community.EInvalid {
		t.Errorf("undo of a kick: %v", err)
	}
	if acts := f.actions(); !acts[len(acts)-2].Undo || acts[len(acts)-2].Kind != community.ActionUnmute {
		t.Errorf("the undo is not in the staff log: %+v", acts[len(acts)-2])
	}
}

// TestExpiryLiftsWhatPlatformsKeep: at its end a Discord ban is lifted by
// Hearth (Discord bans have no end) while Telegram's ends by itself; both
// are recorded as ended, and a Discord mute longer than 28 days is
// renewed before Discord's timeout runs out.
func TestExpiryLiftsWhatPlatformsKeep(t *testing.T) {
	f := newModFixture(t, ladder(t, "5=ban"), "bob", "ann", "olga")
	ctx := context.Background()
	olga := f.members["olga"]
	if _, err := f.mod.Ban(ctx, community.Act{By: olga, Member: f.members["bob"], Groups: []community.Group{f.tg, f.dc}, For: time.Hour}); err != nil {
		t.Fatal(err)
	}
	long, err := f.mod.Mute(ctx, community.Act{By: olga, Member: f.members["ann"], Groups: []community.Group{f.dc}, For: 40 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.now.Add(28*24*time.Hour - time.Hour); !long.Sanction.RenewAt.Equal(want) {
		t.Errorf("renewal at %v, want %v", long.Sanction.RenewAt, want)
	}
	f.platform.calls = nil
	f.now = f.now.Add(61 * time.Minute)
	if n, err := f.mod.Expire(ctx); err != nil || n != 1 {
		t.Fatalf("expire: %d, %v", n, err)
	}
	if !slices.Equal(f.platform.calls, []string{"lift ban discord:900 dbob"}) {
		t.Errorf("platform calls %q; want only Discord's ban lifted", f.platform.calls)
	}
	if n := f.count(`SELECT count(*) FROM sanctions WHERE member_id = $1 AND lifted_at IS NOT NULL AND lift_reason = 'expired'`, f.members["bob"]); n != 1 {
		t.Error("the ended ban is not recorded")
	}
	if acts := f.actions(); !acts[len(acts)-1].Expired || acts[len(acts)-1].Kind != community.ActionUnban {
		t.Errorf("staff log %+v", acts[len(acts)-1])
	}
	f.platform.calls = nil
	f.now = long.Sanction.RenewAt.Add(time.Minute)
	if _, err := f.mod.Expire(ctx); err != nil {
		t.Fatal(err)
	}
	if len(f.platform.calls) != 1 || !strings.HasPrefix(f.platform.calls[0], "mute discord:900 dann until") {
		t.Errorf("renewal calls %q", f.platform.calls)
	}
	if n := f.count(`SELECT count(*) FROM sanctions WHERE id = $1 AND renew_at IS NULL AND lifted_at IS NULL`, long.Sanction.ID); n != 1 {
		t.Error("12 days left need no more renewal")
	}
}

// TestPartialSanctionRecordsWhereItWorked: refused in one group, a mute
// is recorded where it worked and the refusal is reported; refused
// everywhere, nothing is recorded.
func TestPartialSanctionRecordsWhereItWorked(t *testing.T) {
	f := newModFixture(t, ladder(t, "5=ban"), "bob", "olga")
	ctx := context.Background()
	refusal := community.Errorf(community.EForbidden, "mod.protected.mute", nil, "admin")
	f.platform.refuse["mute discord:900"] = refusal
	a := community.Act{By: f.members["olga"], Member: f.members["bob"], Groups: []community.Group{f.tg, f.dc}}
	out, err := f.mod.Mute(ctx, a)
	if err != nil || out.Failed != refusal || len(out.Sanction.Groups) != 1 || out.Sanction.Groups[0] != f.tg {
		t.Fatalf("mute: %+v, %v", out, err)
	}
	a.Groups = []community.Group{f.dc}
	if _, err := f.mod.Ban(ctx, a); err != nil {
		t.Fatal(err) // bans are not refused here
	}
	f.platform.refuse["ban discord:900"] = refusal
	before := f.count(`SELECT count(*) FROM sanctions`)
	if _, err := f.mod.Ban(ctx, a); err != refusal {
		t.Fatalf("ban refused everywhere: %v", err)
	}
	if after := f.count(`SELECT count(*) FROM sanctions`); after != before {
		t.Errorf("a refused ban was recorded")
	}
}

// TestReportCooldownAndSettlement: a member may not report themselves or
// within the cooldown; a report is settled once.
func TestReportCooldownAndSettlement(t *testing.T) {
	f := newModFixture(t, community.DefaultModerationRules(), "ann", "bob", "olga")
	ctx := context.Background()
	rep := community.Report{Reporter: f.members["ann"], Reported: f.members["bob"], Group: f.tg, ChatRef: "-1001", MessageID: "7", Text: "buy cheap", Reason: "spam"}
	self := rep
	self.Reported = rep.Reporter
	if _, err := f.mod.FileReport(ctx, self); community.ErrorCode(err) != community.EInvalid {
		t.Errorf("self report: %v", err)
	}
	filed, err := f.mod.FileReport(ctx, rep)
	if err != nil || filed.ID == 0 {
		t.Fatal(err)
	}
	f.now = f.now.Add(5 * time.Minute)
	_, err = f.mod.FileReport(ctx, rep)
	if e, ok := err.(*community.Error); !ok || e.Key != "report.cooldown" || e.Data["Wait"] != 5*time.Minute {
		t.Fatalf("second report within 10 minutes: %v", err)
	}
	if n := len(f.events(community.EventModerationReport)); n != 1 {
		t.Errorf("report events %d", n)
	}
	_, out, err := f.mod.SettleReport(ctx, f.members["olga"], filed.ID, community.ReportWarn)
	if err != nil || out.Active != 1 {
		t.Fatalf("warn from report: %+v, %v", out, err)
	}
	if _, _, err := f.mod.SettleReport(ctx, f.members["olga"], filed.ID, community.ReportDelete); community.ErrorCode(err) != community.EConflict {
		t.Errorf("settled twice: %v", err)
	}
	f.now = f.now.Add(6 * time.Minute)
	if _, err := f.mod.FileReport(ctx, rep); err != nil {
		t.Errorf("after the cooldown: %v", err)
	}
}

// TestPurgeFromAMessage: from a message on means by the platform's
// increasing ids, not by text order; messages elsewhere stay.
func TestPurgeFromAMessage(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var batch []inbox.Inbound
	for i, id := range []string{"8", "9", "10", "11"} {
		in := message(fmt.Sprint("u", i), "100", "-5")
		in.MessageID = id
		batch = append(batch, in)
	}
	other := message("o", "100", "-6")
	other.MessageID = "12"
	rec, err := s.RecordInbound(ctx, append(batch, other))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.MessagesFrom(ctx, rec[0].Chat, "9", 100)
	if err != nil || !slices.Equal(got, []string{"11", "10", "9"}) {
		t.Errorf("from 9: %q, %v", got, err)
	}
	if got, err := s.MessagesFrom(ctx, rec[0].Chat, "99", 100); err != nil || len(got) != 0 {
		t.Errorf("from an unknown message: %q, %v", got, err)
	}
	if got, err := s.RecentMessages(ctx, rec[0].Chat, 2); err != nil || len(got) != 2 {
		t.Errorf("last 2: %q, %v", got, err)
	}
}
