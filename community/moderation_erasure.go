package community

import (
	"slices"
	"time"
)

// HearthEnds reports whether Hearth must still end s itself after now: a
// timed sanction in force that some group's platform does not end by
// itself, or a mute a platform caps, which Hearth renews until its end.
func (s Sanction) HearthEnds(caps func(Platform) ModerationCapabilities, now time.Time) bool {
	if s.Until.IsZero() || !s.Until.After(now) || !s.Lifted.IsZero() {
		return false
	}
	if !s.RenewAt.IsZero() {
		return true
	}
	return slices.ContainsFunc(s.Groups, func(g Group) bool {
		return !caps(g.Platform).EndsByItself(s.Kind, s.Until.Sub(s.At))
	})
}

// RefuseErasure refuses to erase a member while one of their sanctions in
// force runs whose end Hearth must still carry out (EConflict
// privacy.sanction_running, with the latest such end): once the member is
// erased nothing would end it, and it would last for ever. They may ask
// again when it ends.
func RefuseErasure(inForce []Sanction, caps func(Platform) ModerationCapabilities, now time.Time) error {
	var until time.Time
	for _, s := range inForce {
		if s.HearthEnds(caps, now) && s.Until.After(until) {
			until = s.Until
		}
	}
	if until.IsZero() {
		return nil
	}
	return Errorf(EConflict, "privacy.sanction_running", map[string]any{"Until": until.UTC().Format("2006-01-02 15:04 UTC")},
		"member %d has a sanction Hearth must end at %s", inForce[0].Member, until)
}
