package community

// AnnouncementDMBatch is how many recipients one EventAnnouncementDMs
// covers at most.
const AnnouncementDMBatch = 500

// RecipientBatch is a batch of an announcement's recipients: those whose
// member ids lie between From and To, inclusive.
type RecipientBatch struct {
	From, To MemberID
}

// Effects are what sending the announcement causes, once its posts and
// recipients are recorded: the audit entry counting its reach, the
// EventAnnouncementPosts when it posts in any group, and one
// EventAnnouncementDMs per batch of its recipients (batches in member id
// order, each of at most AnnouncementDMBatch recipients).
func (s AnnouncementSend) Effects(reach Reach, batches []RecipientBatch) Effects {
	e := Effects{Audit: []AuditEntry{{At: s.At, Actor: s.By, Action: AuditAnnounceSend,
		Details: map[string]any{"announcement": s.ID, "groups": reach.GroupCount(), "members": reach.MemberCount(), "capped": reach.Capped}}}}
	if reach.GroupCount() > 0 {
		e.Events = append(e.Events, NewEvent(EventAnnouncementPosts, AnnouncementPosts{Announcement: s.ID}, s.At))
	}
	for _, b := range batches {
		e.Events = append(e.Events, NewEvent(EventAnnouncementDMs, AnnouncementDMs{Announcement: s.ID, From: b.From, To: b.To}, s.At))
	}
	return e
}
