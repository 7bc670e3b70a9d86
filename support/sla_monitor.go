package support

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Clock names one of a ticket's two SLA targets.
type Clock string

// The clocks.
const (
	ClockFirstResponse Clock = "first_response"
	ClockResolution    Clock = "resolution"
)

// AlertKind says how far a clock has run: a reminder at RemindAt of its
// target, a breach when it is due.
type AlertKind string

// The alert kinds.
const (
	AlertReminder AlertKind = "reminder"
	AlertBreach   AlertKind = "breach"
)

// RemindAt is the share of a target after which the assignee (or the
// staff chats) is reminded.
const RemindAt = 0.8

// Alert is an SLA reminder or breach of one ticket's clock: the payload
// of EventSLAAlert. It is raised once per ticket, clock, kind and due
// time (a reopened ticket's new resolution due time may raise it again).
type Alert struct {
	Ticket   int64              `json:"ticket"`
	Member   community.MemberID `json:"member"`
	Name     string             `json:"name"`
	Urgency  Urgency            `json:"urgency"`
	Clock    Clock              `json:"clock"`
	Kind     AlertKind          `json:"kind"`
	Due      time.Time          `json:"due"`
	Assignee community.MemberID `json:"assignee,omitempty"`
	Text     string             `json:"text"`
	At       time.Time          `json:"at"`
}

// EventSLAAlert tells the assignee (or the staff chats) of a reminder,
// and the staff chats and owners of a breach.
const EventSLAAlert = "support.sla_alert"

// AuditSLABreached records a breach: the ticket and the clock.
const AuditSLABreached = "ticket.sla_breached"

// Alerts are the alerts an open ticket is due at now under the policy: for
// each clock still running (the first response until staff answered, the
// resolution until closed), a breach once it is due, else a reminder once
// RemindAt of its target has passed, counted in business time from the
// ticket's opening (its resolution from its reopening, if reopened).
func (p SLAPolicy) Alerts(t Ticket, now time.Time) []Alert {
	if !t.Open() {
		return nil
	}
	target := p.Targets[t.Urgency]
	var out []Alert
	check := func(c Clock, start, due time.Time, length time.Duration) {
		remind := p.Hours.Add(start, time.Duration(float64(length)*RemindAt))
		a := Alert{Ticket: t.ID, Member: t.Member, Name: t.Name, Urgency: t.Urgency, Clock: c, Due: due, Assignee: t.Assignee, Text: t.Text, At: now}
		switch {
		case !now.Before(due):
			a.Kind = AlertBreach
		case !now.Before(remind) && remind.Before(due):
			a.Kind = AlertReminder
		default:
			return
		}
		out = append(out, a)
	}
	if t.FirstResponseAt.IsZero() {
		check(ClockFirstResponse, t.OpenedAt, t.FirstResponseDue, target.FirstResponse)
	}
	start := t.OpenedAt
	if !t.ReopenedAt.IsZero() {
		start = t.ReopenedAt
	}
	check(ClockResolution, start, t.ResolutionDue, target.Resolution)
	return out
}

// AlertStore is what the SLA monitor needs from persistence.
type AlertStore interface {
	// WaitingTickets returns every open ticket (as Store does).
	WaitingTickets(ctx context.Context, member community.MemberID) ([]Ticket, error)
	// RaiseAlert saves an alert with its effects, in one transaction,
	// unless the same alert (ticket, clock, kind, due time) was raised
	// before; it reports whether this call raised it.
	RaiseAlert(ctx context.Context, a Alert, effects Effects) (bool, error)
}

// SLAMonitorEvery is how often the SLA monitor looks at the open tickets.
const SLAMonitorEvery = time.Minute

// SLAMonitor raises the alerts the open tickets are due, each once: a
// reminder tells the assignee (or the staff chats) before a target is
// missed, a breach tells the staff chats and owners and is audited. It
// returns how many alerts it raised.
func SLAMonitor(ctx context.Context, store AlertStore, p SLAPolicy, now time.Time) (int, error) {
	open, err := store.WaitingTickets(ctx, 0)
	if err != nil {
		return 0, err
	}
	raised := 0
	for _, t := range open {
		for _, a := range p.Alerts(t, now) {
			effects := Effects{Events: []community.Event{community.NewEvent(EventSLAAlert, a, now)}}
			if a.Kind == AlertBreach {
				effects.Audit = []community.AuditEntry{{At: now, Action: AuditSLABreached, Target: t.Member,
					Details: map[string]any{"ticket": t.ID, "clock": string(a.Clock), "due": a.Due, "urgency": string(t.Urgency)}}}
			}
			ok, err := store.RaiseAlert(ctx, a, effects)
			if err != nil {
				return raised, err
			}
			if ok {
				raised++
			}
		}
	}
	return raised, nil
}

// SLAJob runs the SLA monitor every SLAMonitorEvery.
func SLAJob(store AlertStore, p SLAPolicy, now func() time.Time) community.Job {
	return community.Job{Name: "support.sla_monitor", Schedule: community.Every(SLAMonitorEvery), Run: func(ctx context.Context) error {
		_, err := SLAMonitor(ctx, store, p, now())
		return err
	}}
}
