package community

// AuditEntry is the action's entry in the audit log: under
// AuditModeration(kind), with its reason, and the action itself as the
// details the staff log reads it back from. Storage writes it once the
// change's ids are in the action, and puts the entry's id in a.Log.
func (a Action) AuditEntry() AuditEntry {
	return AuditEntry{At: a.At, Actor: a.By, Action: AuditModeration(a.Kind), Target: a.Member, Reason: a.Reason, Details: a}
}

// Event is the action's EventModerationAction, the staff log's entry of
// it; a.Log is the id of its audit entry by then.
func (a Action) Event() Event { return NewEvent(EventModerationAction, a, a.At) }

// Event is the EventModerationReview that asks staff to decide about the
// review, once it has its id.
func (rv Review) Event() Event { return NewEvent(EventModerationReview, rv, rv.At) }

// Effects are what filing the report causes, once it has its id: the
// audit entry of the reporter's report and the EventModerationReport
// that shows it to staff.
func (r Report) Effects() Effects {
	return Effects{
		Audit: []AuditEntry{{At: r.At, Actor: r.Reporter, Action: AuditModerationReport, Target: r.Reported, Chat: r.Chat,
			Reason: r.Reason, Details: map[string]any{"report": r.ID, "message": r.MessageID}}},
		Events: []Event{NewEvent(EventModerationReport, r, r.At)},
	}
}

// Effects are what adding the note causes, once it has its id: an audit
// entry naming it.
func (n Note) Effects() Effects {
	return Effects{Audit: []AuditEntry{{At: n.At, Actor: n.By, Action: AuditModerationNote, Target: n.Member, Details: map[string]any{"note": n.ID}}}}
}
