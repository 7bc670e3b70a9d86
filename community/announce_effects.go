package community

import "time"

// AnnouncementDMBatch is how many members one step of an announcement's
// expansion considers at most, and so how many recipients one
// EventAnnouncementDMs covers.
const AnnouncementDMBatch = 500

// RecipientBatch is a batch of recipients: those whose member ids lie
// between From and To, inclusive.
type RecipientBatch struct {
	From, To MemberID
}

// Effects are what sending the announcement causes, once its posts and
// reach are recorded: the audit entry counting its reach, the
// EventAnnouncementPosts when it posts in any group, and the first step
// of its expansion when it writes to any member privately (the steps
// record the recipients and queue their messages, a batch at a time).
func (s AnnouncementSend) Effects(reach Reach) Effects {
	e := Effects{Audit: []AuditEntry{{At: s.At, Actor: s.By, Action: AuditAnnounceSend,
		Details: map[string]any{"announcement": s.ID, "groups": reach.GroupCount(), "members": reach.MemberCount(), "capped": reach.Capped}}}}
	if reach.GroupCount() > 0 {
		e.Events = append(e.Events, NewEvent(EventAnnouncementPosts, AnnouncementPosts{Announcement: s.ID}, s.At))
	}
	if reach.MemberCount() > 0 {
		e.Events = append(e.Events, NewEvent(EventAnnouncementExpand, s.Expansion(), s.At))
	}
	return e
}

// Expansion is the first step of the announcement's expansion.
func (s AnnouncementSend) Expansion() AnnouncementExpansion {
	aud := s.Audience
	due := s.At
	if !aud.HoldUntil.IsZero() {
		due = aud.HoldUntil
	}
	return AnnouncementExpansion{Announcement: s.ID, Tiers: aud.Tiers, Platforms: aud.Platforms, HearthOpens: aud.HearthOpens,
		Cap: aud.Cap, Window: aud.Window, Due: due}
}

// Effects are what one step of an expansion causes once it has recorded
// the recipients in batch (recorded of them; the capped are not): the
// EventAnnouncementDMs writing to them, when there are any, and the next
// step, when the step considered all the members it could (full): more
// may follow. at is when the step ran.
func (x AnnouncementExpansion) Effects(batch RecipientBatch, recorded int, full bool, at time.Time) Effects {
	var e Effects
	if recorded > 0 {
		e.Events = append(e.Events, NewEvent(EventAnnouncementDMs, AnnouncementDMs{Announcement: x.Announcement, From: batch.From, To: batch.To}, at))
	}
	if full {
		next := x
		next.After = batch.To
		e.Events = append(e.Events, NewEvent(EventAnnouncementExpand, next, at))
	}
	return e
}
