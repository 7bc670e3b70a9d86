package community

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Act is a warning, mute, ban or kick, by staff or by automod.
type Act struct {
	By      MemberID // 0: automod
	Member  MemberID
	Groups  []Group // where it applies
	Reason  string
	For     time.Duration // how long a mute or ban lasts; 0: no end
	Rule    string        // the automod rule that fired
	Deleted int           // messages automod deleted with it
	Uncount *Uncounted    // the messages automod caught, which earn nothing
	Report  int64         // the report it settles
	Review  int64         // the review it settles
}

// Outcome is what a moderation step did.
type Outcome struct {
	Member   Member
	Warning  *Warning
	Active   int // active warnings after it
	Sanction *Sanction
	Step     *LadderStep // the ladder step a warning reached
	Guarded  bool        // the ladder would have banned a VIP: muted instead
	Review   *Review
	Groups   []Group // where it was carried out
	// Failed is why it could not be carried out in some groups, when it
	// was in others.
	Failed error
}

// Warn warns a member. When the count of active warnings reaches a step
// of the ladder, the step's sanction follows at once, except that a VIP
// is never banned by the ladder: they are muted instead and staff are
// asked to review.
func (m *Moderation) Warn(ctx context.Context, a Act) (Outcome, error) {
	target, err := m.target(ctx, a.Member)
	if err != nil {
		return Outcome{}, err
	}
	vip, err := m.IsVIP(ctx, a.Member)
	if err != nil {
		return Outcome{}, err
	}
	now := m.now()
	var out Outcome
	_, err = m.moderate(ctx, a.Member, now, func(rec ModerationRecord) (ModerationChange, error) {
		out = Outcome{Member: target, Groups: a.Groups}
		ch := ModerationChange{Uncount: a.Uncount}
		if err := settle(&ch, rec, a.Report, a.Review, "warned", a.By, now); err != nil {
			return ch, err
		}
		out.Warning = &Warning{Member: a.Member, By: a.By, Reason: a.Reason, At: now, Expires: now.Add(m.rules.WarnExpiry)}
		out.Active = len(rec.Warnings) + 1
		ch.Warning = out.Warning
		ch.Actions = append(ch.Actions, Action{Kind: ActionWarn, Member: a.Member, By: a.By, Reason: a.Reason, Rule: a.Rule, At: now,
			Groups: a.Groups, Active: out.Active, Count: a.Deleted, Report: a.Report})
		step, ok := m.rules.StepFor(out.Active)
		if !ok {
			return ch, nil
		}
		return ch, m.climb(ctx, &ch, &out, a, step, vip, now)
	})
	return out, err
}

// climb applies a ladder step: the guardrail turns a ban of a VIP into a
// mute of the same length and a review for staff.
func (m *Moderation) climb(ctx context.Context, ch *ModerationChange, out *Outcome, a Act, step LadderStep, vip bool, now time.Time) error {
	kind := step.Action
	out.Step, out.Guarded = &step, kind == SanctionBan && vip
	if out.Guarded {
		kind = SanctionMute
	}
	done, failed, err := m.carryOut(ctx, out.Member, kind, a.Groups, endOf(now, step.For))
	if err != nil {
		return err
	}
	out.Failed, out.Groups = failed, done
	out.Sanction = m.newSanction(kind, a, done, step.For, now)
	ch.Sanction = out.Sanction
	ch.Actions = append(ch.Actions, Action{Kind: actionOf(kind), Member: a.Member, By: a.By, Reason: a.Reason, Rule: a.Rule, At: now,
		Until: out.Sanction.Until, Groups: done, Active: out.Active, Ladder: true, Guarded: out.Guarded})
	if out.Guarded {
		out.Review = &Review{Member: a.Member, Groups: done, Reason: a.Reason, Rule: a.Rule, BanFor: step.For, At: now}
		ch.Review = out.Review
	}
	return nil
}

// Mute stops a member writing in the act's groups for a.For (0: until
// unmuted). Automod does not mute again someone muted already there.
func (m *Moderation) Mute(ctx context.Context, a Act) (Outcome, error) {
	return m.sanction(ctx, SanctionMute, a, "muted")
}

// Ban bans a member from the act's groups for a.For (0: for good).
func (m *Moderation) Ban(ctx context.Context, a Act) (Outcome, error) {
	return m.sanction(ctx, SanctionBan, a, "banned")
}

// Kick removes a member from the act's groups; they may come back.
func (m *Moderation) Kick(ctx context.Context, a Act) (Outcome, error) {
	return m.sanction(ctx, SanctionKick, a, "")
}

func (m *Moderation) sanction(ctx context.Context, kind SanctionKind, a Act, outcome string) (Outcome, error) {
	target, err := m.target(ctx, a.Member)
	if err != nil {
		return Outcome{}, err
	}
	now := m.now()
	var out Outcome
	already := false
	_, err = m.moderate(ctx, a.Member, now, func(rec ModerationRecord) (ModerationChange, error) {
		out = Outcome{Member: target}
		ch := ModerationChange{Uncount: a.Uncount}
		if err := settle(&ch, rec, a.Report, a.Review, outcome, a.By, now); err != nil {
			return ch, err
		}
		// Automod does not mute again, but what it removed earns nothing.
		if already = a.Rule != "" && kind == SanctionMute && mutedIn(rec, a.Groups, now); already {
			return ch, nil
		}
		done, failed, err := m.carryOut(ctx, target, kind, a.Groups, endOf(now, a.For))
		if err != nil {
			return ch, err
		}
		out.Failed, out.Groups = failed, done
		out.Sanction = m.newSanction(kind, a, done, a.For, now)
		ch.Sanction = out.Sanction
		ch.Actions = append(ch.Actions, Action{Kind: actionOf(kind), Member: a.Member, By: a.By, Reason: a.Reason, Rule: a.Rule,
			At: now, Until: out.Sanction.Until, Groups: done, Count: a.Deleted, Report: a.Report, Review: a.Review})
		if rv, ok := findReview(rec, a.Review); ok && rv.Sanction != 0 {
			// Banned after review: the mute given instead is over.
			ch.Lifts = append(ch.Lifts, Lift{Sanction: rv.Sanction, By: a.By, Reason: "superseded", At: now})
		}
		return ch, nil
	})
	if err == nil && already {
		err = Errorf(EConflict, "mod.already_muted", map[string]any{"Name": target.DisplayName}, "member %d is muted already", a.Member)
	}
	return out, err
}

func (m *Moderation) newSanction(kind SanctionKind, a Act, groups []Group, d time.Duration, now time.Time) *Sanction {
	s := &Sanction{Member: a.Member, Kind: kind, Groups: groups, By: a.By, Reason: a.Reason, At: now, Until: endOf(now, d)}
	if kind == SanctionKick {
		s.Until, s.Lifted = now, now
	}
	s.RenewAt = m.nextRenewal(*s, now)
	return s
}

// nextRenewal is when a mute must be told again to a platform that caps
// mutes shorter than it lasts; zero when none needs it.
func (m *Moderation) nextRenewal(s Sanction, from time.Time) time.Time {
	if s.Kind != SanctionMute {
		return time.Time{}
	}
	var next time.Time
	for _, g := range s.Groups {
		limit := m.enforcer.Capabilities(g.Platform).MaxMute
		if limit <= 0 || !s.Until.IsZero() && s.Until.Sub(from) <= limit {
			continue
		}
		at := from.Add(limit - renewMargin)
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// renewMargin renews a capped mute this long before the platform ends it.
const renewMargin = time.Hour

// Lifting is staff (or the expiry job) ending mutes or bans.
type Lifting struct {
	By       MemberID
	Member   MemberID
	Groups   []Group // where; ignored when Sanction is set
	Sanction int64   // lift this sanction where it applies; 0: any in Groups
	Reason   string
	Review   int64 // the review it settles
	Undo     bool
}

// Unmute lets a member write again in the groups. The platform is told
// even when Hearth recorded no mute: staff may have muted by hand. A
// member muted nowhere is EConflict mod.not_muted, and nothing is logged.
func (m *Moderation) Unmute(ctx context.Context, l Lifting) (Outcome, error) {
	return m.lift(ctx, SanctionMute, l)
}

// Unban lets a member join the groups again; one banned nowhere is
// EConflict mod.not_banned, and nothing is logged.
func (m *Moderation) Unban(ctx context.Context, l Lifting) (Outcome, error) {
	return m.lift(ctx, SanctionBan, l)
}

// lift ends mutes or bans where the platforms have them. Hearth's records
// of sanctions the platform says are over already are closed to match;
// only what was lifted goes to the staff log.
func (m *Moderation) lift(ctx context.Context, kind SanctionKind, l Lifting) (Outcome, error) {
	target, err := m.store.Member(ctx, l.Member)
	if err != nil {
		return Outcome{}, err
	}
	now := m.now()
	var out Outcome
	_, err = m.moderate(ctx, l.Member, now, func(rec ModerationRecord) (ModerationChange, error) {
		out = Outcome{Member: target}
		var ch ModerationChange
		if err := settle(&ch, rec, 0, l.Review, "lifted", l.By, now); err != nil {
			return ch, err
		}
		groups := l.Groups
		if l.Sanction != 0 {
			i := slices.IndexFunc(rec.InForce, func(s Sanction) bool { return s.ID == l.Sanction })
			if i < 0 {
				return ch, Errorf(EConflict, "mod.already_lifted", map[string]any{"Name": target.DisplayName}, "sanction %d is not in force", l.Sanction)
			}
			groups = rec.InForce[i].Groups
		}
		res, err := m.liftIn(ctx, target, kind, groups)
		if err != nil {
			return ch, err
		}
		out.Failed, out.Groups = res.failed, res.lifted
		ch.Lifts = closeLifted(rec, kind, l, res, now)
		if len(res.lifted) > 0 {
			ch.Actions = append(ch.Actions, Action{Kind: liftActionOf(kind), Member: l.Member, By: l.By, At: now,
				Groups: res.lifted, Sanction: l.Sanction, Undo: l.Undo, Review: l.Review})
		}
		return ch, nil
	})
	switch {
	case err != nil || len(out.Groups) > 0:
	case out.Failed != nil:
		err = out.Failed // nothing lifted where it worked, and it failed elsewhere
	default:
		err = nothingLifted(kind, l, target)
	}
	return out, err
}

// nothingLifted says that there was no mute (ban) to lift: of the member,
// or the one an Undo names.
func nothingLifted(kind SanctionKind, l Lifting, target Member) error {
	data := map[string]any{"Name": target.DisplayName}
	switch {
	case l.Sanction != 0:
		return Errorf(EConflict, "mod.already_lifted", data, "sanction %d is over already on the platforms", l.Sanction)
	case kind == SanctionBan:
		return Errorf(EConflict, "mod.not_banned", data, "member %d is banned in none of the groups", target.ID)
	}
	return Errorf(EConflict, "mod.not_muted", data, "member %d is muted in none of the groups", target.ID)
}

// lifted is where a lift worked, where there was nothing to lift, and
// why it failed elsewhere.
type lifted struct {
	lifted, nothing []Group
	failed          error
}

// closeLifted closes Hearth's records of the sanctions of kind (or the
// one lifting names) in the groups where they were lifted, and in those
// where the platform had ended them already.
func closeLifted(rec ModerationRecord, kind SanctionKind, l Lifting, res lifted, now time.Time) []Lift {
	var out []Lift
	for _, s := range rec.InForce {
		if s.Kind != kind || l.Sanction != 0 && s.ID != l.Sanction {
			continue
		}
		if in := overlap(s.Groups, res.lifted); len(in) > 0 {
			out = append(out, Lift{Sanction: s.ID, Groups: in, By: l.By, Reason: l.Reason, At: now})
		}
		if in := overlap(s.Groups, res.nothing); len(in) > 0 {
			out = append(out, Lift{Sanction: s.ID, Groups: in, Reason: "ended_elsewhere", At: now})
		}
	}
	return out
}

// Unwarn removes a member's latest active warning, or the one given.
func (m *Moderation) Unwarn(ctx context.Context, by, member MemberID, warning int64, undo bool) (Outcome, error) {
	target, err := m.store.Member(ctx, member)
	if err != nil {
		return Outcome{}, err
	}
	now := m.now()
	var out Outcome
	_, err = m.moderate(ctx, member, now, func(rec ModerationRecord) (ModerationChange, error) {
		out = Outcome{Member: target}
		var ch ModerationChange
		if len(rec.Warnings) == 0 {
			return ch, Errorf(ENotFound, "mod.no_warnings", map[string]any{"Name": target.DisplayName}, "member %d has no active warning", member)
		}
		w := rec.Warnings[len(rec.Warnings)-1]
		if warning != 0 {
			i := slices.IndexFunc(rec.Warnings, func(w Warning) bool { return w.ID == warning })
			if i < 0 {
				return ch, Errorf(EConflict, "mod.already_lifted", map[string]any{"Name": target.DisplayName}, "warning %d is not active", warning)
			}
			w = rec.Warnings[i]
		}
		out.Warning, out.Active = &w, len(rec.Warnings)-1
		ch.RemoveWarning, ch.RemovedBy = w.ID, by
		ch.Actions = append(ch.Actions, Action{Kind: ActionUnwarn, Member: member, By: by, At: now, Warning: w.ID, Active: out.Active, Undo: undo})
		return ch, nil
	})
	return out, err
}

// carryOut applies a sanction in every group where the member has an
// account. It fails when it worked nowhere; failed says why it did not
// work in some groups when it did in others.
func (m *Moderation) carryOut(ctx context.Context, t Member, kind SanctionKind, groups []Group, until time.Time) (done []Group, failed, err error) {
	return m.each(t, groups, func(g Group, userID string) error { return m.enforcer.Enforce(ctx, kind, g, userID, until) })
}

// liftIn lifts a sanction in every group where the member has an
// account. It fails when it failed everywhere.
func (m *Moderation) liftIn(ctx context.Context, t Member, kind SanctionKind, groups []Group) (lifted, error) {
	var res lifted
	done, failed, err := m.each(t, groups, func(g Group, userID string) error {
		err := m.enforcer.Lift(ctx, kind, g, userID)
		if errors.Is(err, ErrNothingToLift) {
			res.nothing = append(res.nothing, g)
			return nil
		}
		return err
	})
	for _, g := range done {
		if !slices.Contains(res.nothing, g) {
			res.lifted = append(res.lifted, g)
		}
	}
	res.failed = failed
	return res, err
}

func (m *Moderation) each(t Member, groups []Group, act func(g Group, userID string) error) (done []Group, failed, err error) {
	for _, g := range groups {
		acct, ok := accountOn(t, g.Platform)
		if !ok {
			continue
		}
		if err := act(g, acct.UserID); err != nil {
			failed = err
			continue
		}
		done = append(done, g)
	}
	switch {
	case len(done) > 0:
		return done, failed, nil
	case failed != nil:
		return nil, nil, failed
	}
	return nil, nil, Errorf(EInvalid, "mod.no_groups", map[string]any{"Name": t.DisplayName}, "member %d is in none of the groups", t.ID)
}

// settle closes the report or review an act settles, which must still be
// open.
func settle(ch *ModerationChange, rec ModerationRecord, report, review int64, outcome string, by MemberID, now time.Time) error {
	switch {
	case report != 0:
		if !slices.ContainsFunc(rec.Reports, func(r Report) bool { return r.ID == report }) {
			return Errorf(EConflict, "mod.settled", nil, "report %d is settled already", report)
		}
		ch.Settle = &Settlement{Report: report, Outcome: outcome, By: by, At: now}
	case review != 0:
		if _, ok := findReview(rec, review); !ok {
			return Errorf(EConflict, "mod.settled", nil, "review %d is settled already", review)
		}
		ch.Settle = &Settlement{Review: review, Outcome: outcome, By: by, At: now}
	}
	return nil
}

func findReview(rec ModerationRecord, id int64) (Review, bool) {
	for _, r := range rec.Reviews {
		if r.ID == id && id != 0 {
			return r, true
		}
	}
	return Review{}, false
}

// mutedIn reports whether a mute in force at now covers every group.
func mutedIn(rec ModerationRecord, groups []Group, now time.Time) bool {
	for _, g := range groups {
		if !slices.ContainsFunc(rec.InForce, func(s Sanction) bool {
			return s.Kind == SanctionMute && s.Covers(g) && (s.Until.IsZero() || s.Until.After(now))
		}) {
			return false
		}
	}
	return len(groups) > 0
}

func overlap(a, b []Group) []Group {
	var out []Group
	for _, g := range a {
		if slices.Contains(b, g) {
			out = append(out, g)
		}
	}
	return out
}

func actionOf(kind SanctionKind) ActionKind { return ActionKind(kind) }

func liftActionOf(kind SanctionKind) ActionKind {
	if kind == SanctionBan {
		return ActionUnban
	}
	return ActionUnmute
}
