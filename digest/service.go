package digest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
)

// EventReady is queued, in the transaction that stores a digest, once per
// week: the chat layer posts the digest to the staff chats.
const EventReady = "digest.ready"

// Ready is EventReady's payload.
type Ready struct {
	Week string `json:"week"` // "2026-W49"
}

// Store is what the digest needs from persistence.
type Store interface {
	// DigestFacts reads the facts of the span's weeks for a digest made
	// at made; weights weigh the members' activity as the standings do.
	DigestFacts(ctx context.Context, s Span, weights community.Weights, made time.Time) (Facts, error)
	// SaveDigest stores the digest of its week unless one is stored
	// already, with effects in the same transaction; it reports whether
	// this call stored it.
	SaveDigest(ctx context.Context, d Digest, effects community.Effects) (bool, error)
	// StoredDigest returns the stored digest of week w; ENotFound when
	// none is.
	StoredDigest(ctx context.Context, w Week) (Digest, error)
	// LatestDigest returns the week of the latest stored digest; false
	// when none is.
	LatestDigest(ctx context.Context) (Week, bool, error)
	// LiftFacts reads every shop customer's facts for the lift report,
	// counting orders up to asOf.
	LiftFacts(ctx context.Context, asOf time.Time) (LiftFacts, error)
}

// Rules configure the digest: when it is made (a cron spec read in the
// community's zone), the tiers' at-risk thresholds and the engagement
// weights.
type Rules struct {
	Schedule community.Schedule
	Location *time.Location
	Tiers    community.TierRules
	Weights  community.Weights
	Lift     Bootstrap // the lift section's intervals; zero: DefaultBootstrap
}

// DefaultSchedule makes the digest on Mondays at 09:00, community time.
const DefaultSchedule community.Schedule = "0 9 * * MON"

// CheckEvery is how often the job looks for a digest that is due and not
// made: a replica stopped in the middle of one is caught up by the next.
const CheckEvery = 10 * time.Minute

// Digests makes, stores and reads the weekly digests.
type Digests struct {
	store     Store
	rules     Rules
	timetable community.Timetable
	now       func() time.Time
}

// NewDigests returns the digests made by rules; a schedule that cannot be
// read is an error (the configuration checks it first).
func NewDigests(store Store, rules Rules, now func() time.Time) (*Digests, error) {
	if rules.Location == nil {
		rules.Location = time.UTC
	}
	if rules.Schedule == "" {
		rules.Schedule = DefaultSchedule
	}
	if rules.Lift == (Bootstrap{}) {
		rules.Lift = DefaultBootstrap
	}
	tt, err := community.Job{Name: "digest", Schedule: rules.Schedule, Location: rules.Location}.Timetable()
	if err != nil {
		return nil, fmt.Errorf("digest.schedule: %w", err)
	}
	return &Digests{store: store, rules: rules, timetable: tt, now: now}, nil
}

// LastWeek is the last week that has ended.
func (d *Digests) LastWeek() Week { return WeekOf(d.now(), d.rules.Location).Prev() }

// Make computes the digest of week w from the database as it is now.
func (d *Digests) Make(ctx context.Context, w Week) (Digest, error) {
	if !w.Start(d.rules.Location).Before(d.now()) {
		return Digest{}, community.Errorf(community.EInvalid, "digest.future", map[string]any{"Week": w.String()},
			"week %s has not begun", w)
	}
	span := SpanOf(w, d.rules.Location)
	facts, err := d.store.DigestFacts(ctx, span, d.rules.Weights, d.now())
	if err != nil {
		return Digest{}, fmt.Errorf("digest of %s: %w", w, err)
	}
	dg := Build(span, facts, RiskRules{Tiers: d.rules.Tiers}, d.now(), d.rules.Location.String())
	// The lift as of the week's end: orders after it are not counted.
	asOf := dg.End
	if now := d.now(); now.Before(asOf) {
		asOf = now
	}
	lf, err := d.store.LiftFacts(ctx, asOf)
	if err != nil {
		return Digest{}, fmt.Errorf("digest of %s: %w", w, err)
	}
	lift, err := BuildLift(lf, d.rules.Lift)
	if err != nil {
		return Digest{}, fmt.Errorf("digest of %s: %w", w, err)
	}
	dg.Lift = &lift
	return dg, nil
}

// Read returns the stored digest of week w, or makes it now when none is
// stored (a week before Hearth made digests, or the week under way);
// stored says which.
func (d *Digests) Read(ctx context.Context, w Week) (dg Digest, stored bool, err error) {
	dg, err = d.store.StoredDigest(ctx, w)
	if err == nil {
		return dg, true, nil
	}
	if community.ErrorCode(err) != community.ENotFound {
		return Digest{}, false, err
	}
	dg, err = d.Make(ctx, w)
	return dg, false, err
}

// Job looks every CheckEvery for the digests due by the schedule, and
// makes those not stored yet: one digest a week, whatever the replicas
// and restarts, each told to staff once (EventReady).
func (d *Digests) Job() community.Job {
	return community.Job{Name: "digest.weekly", Schedule: community.Every(CheckEvery), Run: func(ctx context.Context) error {
		_, err := d.MakeDue(ctx)
		return err
	}}
}

// CatchUp is how many weeks back the job makes digests it missed (every
// replica down across a Monday): older weeks are left to /digest.
const CatchUp = 4

// MakeDue makes and stores the digest of the week before the schedule's
// last time unless it is stored, and those of the weeks before it since
// the latest stored digest (at most CatchUp weeks in all), oldest first.
// A week's digest waits until the last UTC day its activity counts has
// ended (east of UTC, after the week). It returns the weeks it stored.
func (d *Digests) MakeDue(ctx context.Context) ([]Week, error) {
	slot := d.timetable.SlotAt(d.now())
	if slot.IsZero() {
		return nil, nil
	}
	due := WeekOf(slot, d.rules.Location).Prev()
	weeks := []Week{due}
	latest, stored, err := d.store.LatestDigest(ctx)
	if err != nil {
		return nil, err
	}
	for w := due.Prev(); stored && latest.Before(w) && len(weeks) < CatchUp; w = w.Prev() {
		weeks = append([]Week{w}, weeks...)
	}
	var made []Week
	var errs []error
	for _, w := range weeks { // a week that fails does not hold the others back
		saved, err := d.makeOnce(ctx, w)
		if err != nil {
			errs = append(errs, err)
		}
		if saved {
			made = append(made, w)
		}
	}
	return made, errors.Join(errs...)
}

// makeOnce makes and stores week w's digest unless it is stored or its
// activity is not complete yet; it reports whether this call stored it.
func (d *Digests) makeOnce(ctx context.Context, w Week) (bool, error) {
	if d.now().Before(ActivityComplete(w, d.rules.Location)) {
		return false, nil
	}
	if _, err := d.store.StoredDigest(ctx, w); err == nil || community.ErrorCode(err) != community.ENotFound {
		return false, err
	}
	dg, err := d.Make(ctx, w)
	if err != nil {
		return false, err
	}
	return d.store.SaveDigest(ctx, dg, community.Effects{Events: []community.Event{
		community.NewEvent(EventReady, Ready{Week: w.String()}, d.now())}})
}

// ActivityComplete is when week w's activity figures are complete: the
// week's end, or the end of the UTC day carrying its last date if that is
// later (the rollups are by UTC day: east of UTC, hours after the week).
func ActivityComplete(w Week, loc *time.Location) time.Time {
	end := w.End(loc)
	utc := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	if utc.After(end) {
		return utc
	}
	return end
}
