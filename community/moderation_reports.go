package community

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Report is a member telling staff about another member's message.
type Report struct {
	ID        int64     `json:"id"`
	Reporter  MemberID  `json:"reporter"`
	Reported  MemberID  `json:"reported"`
	Chat      ChatID    `json:"chat,omitempty"`
	Group     Group     `json:"group"`
	ChatRef   string    `json:"chat_ref"` // the platform's id of the chat the message is in
	MessageID string    `json:"message"`
	Text      string    `json:"text,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
	Status    string    `json:"status,omitempty"` // open, deleted, warned, muted, dismissed
}

// Review asks staff to decide about a VIP whom the warning ladder would
// have banned and who was muted instead.
type Review struct {
	ID       int64         `json:"id"`
	Member   MemberID      `json:"member"`
	Sanction int64         `json:"sanction"` // the mute given instead
	Groups   []Group       `json:"groups"`
	Reason   string        `json:"reason,omitempty"`
	Rule     string        `json:"rule,omitempty"`
	BanFor   time.Duration `json:"ban_for"` // the ban the ladder asked for; 0: for good
	At       time.Time     `json:"at"`
	Status   string        `json:"status,omitempty"` // open, banned, lifted, dismissed
}

const maxReportText = 1000

// FileReport files a member's report of a message: not of themself, not
// of staff, and not more often than the cooldown allows.
func (m *Moderation) FileReport(ctx context.Context, r Report) (Report, error) {
	if r.Reporter == r.Reported {
		return Report{}, Errorf(EInvalid, "report.self", nil, "member %d reported themself", r.Reporter)
	}
	reported, err := m.store.Member(ctx, r.Reported)
	if err != nil {
		return Report{}, err
	}
	staff, err := m.IsStaff(ctx, reported)
	if err != nil {
		return Report{}, err
	}
	if staff {
		return Report{}, Errorf(EInvalid, "report.staff", nil, "member %d reported staff", r.Reporter)
	}
	r.At, r.Status = m.now(), "open"
	r.Text, r.Reason = clip(r.Text, maxReportText), clip(strings.TrimSpace(r.Reason), maxReportText)
	admit := func(last time.Time) error {
		if wait := m.rules.ReportWait(last, r.At); wait > 0 {
			return Errorf(EConflict, "report.cooldown", map[string]any{"Wait": wait}, "member %d reported %s ago", r.Reporter, r.At.Sub(last))
		}
		return nil
	}
	if err := m.store.FileReport(ctx, &r, admit); err != nil {
		return Report{}, err
	}
	return r, nil
}

// ReportWait is how long a member who last reported at last (zero: never)
// must still wait at now to report again, in whole minutes rounded up; 0
// when they may report.
func (r ModerationRules) ReportWait(last, now time.Time) time.Duration {
	wait := last.Add(r.ReportCooldown).Sub(now)
	if last.IsZero() || wait <= 0 {
		return 0
	}
	return (wait + time.Minute - 1).Truncate(time.Minute)
}

// Report outcomes staff choose from the report's buttons.
const (
	ReportDelete  = "delete"
	ReportWarn    = "warn"
	ReportMute    = "mute"
	ReportDismiss = "dismiss"
)

// ReportMuteFor is how long the report's Mute button mutes.
const ReportMuteFor = time.Hour

// SettleReport does what staff chose for a report: delete the message,
// warn or mute its author for an hour, or dismiss it.
func (m *Moderation) SettleReport(ctx context.Context, by MemberID, id int64, outcome string) (Report, Outcome, error) {
	r, err := m.store.Report(ctx, id)
	if err != nil {
		return Report{}, Outcome{}, err
	}
	if r.Status != "open" {
		return r, Outcome{}, Errorf(EConflict, "mod.settled", nil, "report %d is %s", id, r.Status)
	}
	a := Act{By: by, Member: r.Reported, Groups: []Group{r.Group}, Reason: r.Reason, Report: id}
	var out Outcome
	switch outcome {
	case ReportWarn:
		out, err = m.Warn(ctx, a)
	case ReportMute:
		a.For = ReportMuteFor
		out, err = m.Mute(ctx, a)
	case ReportDelete, ReportDismiss:
		out, err = m.closeReport(ctx, r, by, outcome)
	default:
		return r, Outcome{}, fmt.Errorf("unknown report outcome %q", outcome)
	}
	return r, out, err
}

func (m *Moderation) closeReport(ctx context.Context, r Report, by MemberID, outcome string) (Outcome, error) {
	now := m.now()
	_, err := m.moderate(ctx, r.Reported, now, func(rec ModerationRecord) (ModerationChange, error) {
		var ch ModerationChange
		word, kind := "dismissed", ActionDismiss
		if outcome == ReportDelete {
			word, kind = "deleted", ActionDelete
		}
		if err := settle(&ch, rec, r.ID, 0, word, by, now); err != nil {
			return ch, err
		}
		a := Action{Kind: kind, Member: r.Reported, By: by, Reason: r.Reason, At: now, Groups: []Group{r.Group}, Report: r.ID}
		if outcome == ReportDelete {
			if err := m.enforcer.Delete(ctx, r.Group.Platform, r.ChatRef, []string{r.MessageID}); err != nil {
				return ch, err
			}
			a.Count = 1
		}
		ch.Actions = append(ch.Actions, a)
		return ch, nil
	})
	return Outcome{}, err
}

// Review decisions staff choose from the review's buttons.
const (
	ReviewBan     = "ban"
	ReviewLift    = "lift"
	ReviewDismiss = "dismiss"
)

// DecideReview does what staff chose for a guardrail review: ban the VIP
// after all, lift the mute, or keep the mute and close the review.
func (m *Moderation) DecideReview(ctx context.Context, by MemberID, id int64, decision string) (Review, Outcome, error) {
	rv, err := m.store.Review(ctx, id)
	if err != nil {
		return Review{}, Outcome{}, err
	}
	if rv.Status != "open" {
		return rv, Outcome{}, Errorf(EConflict, "mod.settled", nil, "review %d is %s", id, rv.Status)
	}
	var out Outcome
	switch decision {
	case ReviewBan:
		out, err = m.Ban(ctx, Act{By: by, Member: rv.Member, Groups: rv.Groups, Reason: rv.Reason, For: rv.BanFor, Review: id})
	case ReviewLift:
		out, err = m.Unmute(ctx, Lifting{By: by, Member: rv.Member, Groups: rv.Groups, Reason: "review", Review: id})
	case ReviewDismiss:
		out, err = m.dismissReview(ctx, rv, by)
	default:
		return rv, Outcome{}, fmt.Errorf("unknown review decision %q", decision)
	}
	return rv, out, err
}

func (m *Moderation) dismissReview(ctx context.Context, rv Review, by MemberID) (Outcome, error) {
	now := m.now()
	_, err := m.moderate(ctx, rv.Member, now, func(rec ModerationRecord) (ModerationChange, error) {
		var ch ModerationChange
		if err := settle(&ch, rec, 0, rv.ID, "dismissed", by, now); err != nil {
			return ch, err
		}
		ch.Actions = append(ch.Actions, Action{Kind: ActionDismiss, Member: rv.Member, By: by, At: now, Groups: rv.Groups, Review: rv.ID})
		return ch, nil
	})
	return Outcome{}, err
}

// Purge is staff deleting a chat's recent messages: the last Count, or
// every one from message From on.
type Purge struct {
	By      MemberID
	Group   Group
	Chat    ChatID
	ChatRef string   // the platform's id of the chat
	Count   int      // 1 to MaxPurge, when From is empty
	From    string   // a message id
	Also    []string // more messages to delete (the /purge command itself)
}

// MaxPurge bounds /purge N; MaxPurgeFrom bounds a purge from a message.
const (
	MaxPurge     = 100
	MaxPurgeFrom = 1000
)

// Purge deletes the messages and logs how many went; it returns their
// number, the command itself not counted.
func (m *Moderation) Purge(ctx context.Context, p Purge) (int, error) {
	var ids []string
	var err error
	if p.From != "" {
		if strings.Trim(p.From, "0123456789") != "" {
			return 0, Errorf(EInvalid, "purge.bad_message", map[string]any{"Value": p.From}, "message id %q is not a number", p.From)
		}
		ids, err = m.store.MessagesFrom(ctx, p.Chat, p.From, MaxPurgeFrom)
		if err == nil && len(ids) == 0 {
			err = Errorf(ENotFound, "purge.not_found", nil, "message %s is not recorded in chat %d", p.From, p.Chat)
		}
	} else {
		if p.Count < 1 || p.Count > MaxPurge {
			return 0, Errorf(EInvalid, "purge.count", map[string]any{"Max": MaxPurge}, "purge %d messages: want 1 to %d", p.Count, MaxPurge)
		}
		ids, err = m.store.RecentMessages(ctx, p.Chat, p.Count)
	}
	if err != nil {
		return 0, err
	}
	if err := m.enforcer.Delete(ctx, p.Group.Platform, p.ChatRef, append(slices.Clone(ids), p.Also...)); err != nil {
		return 0, err
	}
	a := Action{Kind: ActionPurge, By: p.By, At: m.now(), Groups: []Group{p.Group}, Count: len(ids)}
	return len(ids), m.store.LogAction(ctx, &a)
}

// Expire lifts the sanctions whose end has come where the platform does
// not lift them by itself, records every one as ended, and renews the
// mutes a platform caps. It returns how many sanctions ended.
func (m *Moderation) Expire(ctx context.Context) (int, error) {
	now := m.now()
	due, err := m.store.DueSanctions(ctx, now, expireBatch)
	if err != nil {
		return 0, err
	}
	var errs []error
	ended := 0
	for _, s := range due {
		if err := m.expire(ctx, s, now); err != nil {
			errs = append(errs, fmt.Errorf("end sanction %d: %w", s.ID, err))
			continue
		}
		ended++
	}
	renewals, err := m.store.DueRenewals(ctx, now, expireBatch)
	if err != nil {
		return ended, errors.Join(append(errs, err)...)
	}
	for _, s := range renewals {
		if err := m.renew(ctx, s, now); err != nil {
			errs = append(errs, fmt.Errorf("renew mute %d: %w", s.ID, err))
		}
	}
	return ended, errors.Join(errs...)
}

const expireBatch = 200

func (m *Moderation) expire(ctx context.Context, s Sanction, now time.Time) error {
	return m.stillInForce(ctx, s, now, func(target Member, rec ModerationRecord, cur Sanction) (ModerationChange, error) {
		var ch ModerationChange
		var done []Group
		var failed error
		for _, g := range cur.Groups {
			if m.endsByItself(cur, g.Platform) || coveredElsewhere(rec, cur, g, now) {
				done = append(done, g)
				continue
			}
			if acct, ok := accountOn(target, g.Platform); ok {
				// Over already on the platform (lifted by hand): ended all the same.
				if err := m.enforcer.Lift(ctx, cur.Kind, g, acct.UserID); err != nil && !errors.Is(err, ErrNothingToLift) {
					failed = err
					continue
				}
			}
			done = append(done, g)
		}
		if len(done) == 0 {
			return ch, failed
		}
		ch.Lifts = append(ch.Lifts, Lift{Sanction: cur.ID, Groups: done, Reason: "expired", At: now})
		ch.Actions = append(ch.Actions, Action{Kind: liftActionOf(cur.Kind), Member: cur.Member, At: now, Groups: done,
			Sanction: cur.ID, Expired: true})
		return ch, nil
	})
}

// stillInForce runs change on a sanction as it stands under the member's
// lock; a sanction lifted meanwhile is left alone.
func (m *Moderation) stillInForce(ctx context.Context, s Sanction, now time.Time,
	change func(target Member, rec ModerationRecord, cur Sanction) (ModerationChange, error)) error {
	target, err := m.store.Member(ctx, s.Member)
	if err != nil {
		return err
	}
	_, err = m.moderate(ctx, s.Member, now, func(rec ModerationRecord) (ModerationChange, error) {
		i := slices.IndexFunc(rec.InForce, func(x Sanction) bool { return x.ID == s.ID })
		if i < 0 {
			return ModerationChange{}, nil
		}
		return change(target, rec, rec.InForce[i])
	})
	return err
}

// endsByItself reports whether the platform ended s in its groups on p.
func (m *Moderation) endsByItself(s Sanction, p Platform) bool {
	return m.enforcer.Capabilities(p).EndsByItself(s.Kind, s.Until.Sub(s.At))
}

// coveredElsewhere reports whether another sanction of the same kind keeps
// the member out of g after cur ends.
func coveredElsewhere(rec ModerationRecord, cur Sanction, g Group, now time.Time) bool {
	return slices.ContainsFunc(rec.InForce, func(s Sanction) bool {
		return s.ID != cur.ID && s.Kind == cur.Kind && s.Covers(g) && (s.Until.IsZero() || s.Until.After(now))
	})
}

func (m *Moderation) renew(ctx context.Context, s Sanction, now time.Time) error {
	return m.stillInForce(ctx, s, now, func(target Member, _ ModerationRecord, cur Sanction) (ModerationChange, error) {
		for _, g := range cur.Groups {
			acct, ok := accountOn(target, g.Platform)
			if !ok || m.enforcer.Capabilities(g.Platform).MaxMute <= 0 {
				continue
			}
			if err := m.enforcer.Enforce(ctx, SanctionMute, g, acct.UserID, cur.Until); err != nil {
				return ModerationChange{}, err
			}
		}
		return ModerationChange{Renewal: &Renewal{Sanction: cur.ID, Next: m.nextRenewal(cur, now)}}, nil
	})
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
