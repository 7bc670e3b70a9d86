package support_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// alertKinds is each alert as clock:kind.
func alertKinds(alerts []support.Alert) string {
	out := ""
	for _, a := range alerts {
		out += fmt.Sprintf("%s:%s ", a.Clock, a.Kind)
	}
	return out
}

// TestAlerts: a high ticket (1h/8h) is reminded of its first response at
// 48 minutes and breaches it at 1 hour; once answered only the resolution
// runs; a closed ticket raises nothing; a reopened ticket's resolution
// counts from its reopening.
func TestAlerts(t *testing.T) {
	p := support.DefaultSLAPolicy()
	opened := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tk := p.Due(support.Ticket{ID: 1, OpenedAt: opened}, support.Customer{Ranked: true, Tier: community.TierVIP})
	for _, c := range []struct {
		after time.Duration
		want  string
	}{
		{47 * time.Minute, ""},
		{48 * time.Minute, "first_response:reminder "},
		{time.Hour, "first_response:breach "},
		{6*time.Hour + 24*time.Minute, "first_response:breach resolution:reminder "},
		{8 * time.Hour, "first_response:breach resolution:breach "},
	} {
		if got := alertKinds(p.Alerts(tk, opened.Add(c.after))); got != c.want {
			t.Errorf("after %s: %q, want %q", c.after, got, c.want)
		}
	}
	answered := tk
	answered.FirstResponseAt = opened.Add(30 * time.Minute)
	if got := alertKinds(p.Alerts(answered, opened.Add(2*time.Hour))); got != "" {
		t.Errorf("answered in time, at 2h: %q", got)
	}
	closed := answered
	closed.ClosedAt = opened.Add(time.Hour)
	if got := p.Alerts(closed, opened.Add(9*time.Hour)); len(got) != 0 {
		t.Errorf("a closed ticket: %v", got)
	}
	reopened := answered
	reopened.ReopenedAt = opened.Add(24 * time.Hour)
	reopened.ResolutionDue = reopened.ReopenedAt.Add(8 * time.Hour)
	if got := alertKinds(p.Alerts(reopened, reopened.ReopenedAt.Add(6*time.Hour))); got != "" {
		t.Errorf("reopened 6h ago: %q", got)
	}
	if got := alertKinds(p.Alerts(reopened, reopened.ReopenedAt.Add(7*time.Hour))); got != "resolution:reminder " {
		t.Errorf("reopened 7h ago: %q", got)
	}
}

// fakeAlerts keeps open tickets and the alerts raised, by their key.
type fakeAlerts struct {
	tickets []support.Ticket
	raised  map[string]support.Effects
}

func (f *fakeAlerts) WaitingTickets(context.Context, community.MemberID) ([]support.Ticket, error) {
	return f.tickets, nil
}

func (f *fakeAlerts) RaiseAlert(_ context.Context, a support.Alert, e support.Effects) (bool, error) {
	key := fmt.Sprintf("%d/%s/%s/%s", a.Ticket, a.Clock, a.Kind, a.Due)
	if _, ok := f.raised[key]; ok {
		return false, nil
	}
	f.raised[key] = e
	return true, nil
}

// TestSLAMonitorRaisesEachAlertOnce: the monitor raises the reminder,
// then the breach (audited, with its event), each once however often it
// runs.
func TestSLAMonitorRaisesEachAlertOnce(t *testing.T) {
	p := support.DefaultSLAPolicy()
	opened := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tk := p.Due(support.Ticket{ID: 7, Member: 3, OpenedAt: opened, Text: "broken grinder"}, support.Customer{Ranked: true, Tier: community.TierVIP})
	store := &fakeAlerts{tickets: []support.Ticket{tk}, raised: map[string]support.Effects{}}
	ctx := context.Background()
	for _, c := range []struct {
		after time.Duration
		want  int
	}{{10 * time.Minute, 0}, {50 * time.Minute, 1}, {55 * time.Minute, 0}, {61 * time.Minute, 1}, {62 * time.Minute, 0}} {
		n, err := support.SLAMonitor(ctx, store, p, opened.Add(c.after))
		if err != nil || n != c.want {
			t.Errorf("at %s: raised %d, %v; want %d", c.after, n, err, c.want)
		}
	}
	breach := store.raised[fmt.Sprintf("7/first_response/breach/%s", tk.FirstResponseDue)]
	if len(breach.Audit) != 1 || breach.Audit[0].Action != support.AuditSLABreached || breach.Audit[0].Target != 3 || len(breach.Events) != 1 {
		t.Fatalf("the breach's effects: %+v", breach)
	}
	a, ok := breach.Events[0].Payload.(support.Alert)
	if !ok || a.Kind != support.AlertBreach || a.Ticket != 7 || a.Text != "broken grinder" || !a.Due.Equal(opened.Add(time.Hour)) {
		t.Errorf("the breach's event: %+v", breach.Events[0])
	}
	if reminder := store.raised[fmt.Sprintf("7/first_response/reminder/%s", tk.FirstResponseDue)]; len(reminder.Audit) != 0 || len(reminder.Events) != 1 {
		t.Errorf("the reminder's effects: %+v", reminder)
	}
}
