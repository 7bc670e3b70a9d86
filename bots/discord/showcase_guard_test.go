package discord_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// gate holds the first request it picks until the test opens it, then
// answers it with status fail, or lets it through to the fake when fail
// is 0. Later requests go through.
type gate struct {
	base   http.RoundTripper
	picks  func(*http.Request) bool
	picked atomic.Int32
	open   chan struct{}
	fail   int // set before open is closed
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	if !g.picks(r) || g.picked.Add(1) > 1 {
		return g.base.RoundTrip(r)
	}
	select {
	case <-g.open:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	if g.fail == 0 {
		return g.base.RoundTrip(r)
	}
	return &http.Response{StatusCode: g.fail, Status: http.StatusText(g.fail), Request: r,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{"message": "Internal Server Error", "code": 0}`))}, nil
}

// startGatedShowcaseWorld is the showcase world with the first reshare
// posted in #showcase held at g.
func startGatedShowcaseWorld(t *testing.T, g *gate) *showcaseWorld {
	t.Helper()
	g.open = make(chan struct{})
	return startShowcaseWorld(t, 0, func(sw *showcaseWorld, base http.RoundTripper) http.RoundTripper {
		g.base = base
		g.picks = func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/channels/"+sw.showcase+"/messages")
		}
		return g
	})
}

// withdrawWhileResharing allows alice's post #1 and, while its reshare is
// held on its way to Discord (its delivery guard passed), withdraws the
// permission with /mycontent and waits until the withdrawal has been
// rendered at least once.
func (sw *showcaseWorld) withdrawWhileResharing(t *testing.T, g *gate) {
	t.Helper()
	sw.post(t, sw.alice, "Morning tea #showcase", file("tea.jpg", "image/jpeg", jpegBytes(t, 50)))
	_, card := sw.card(t, 1)
	request := sw.consentRequest(t, card, 1, sw.alice)
	sw.press(t, request, sw.alice, "Allow")
	storagetest.Eventually(t, "the reshare held on its way to Discord", func() bool { return g.picked.Load() == 1 })

	mine := sw.slash(t, "", sw.dc.DMChannel(sw.alice), sw.alice, "mycontent")
	if r := sw.press(t, mine.Original, sw.alice, "Withdraw permission for #1"); !strings.Contains(text(r), "You withdrew your permission for post #1.") {
		t.Fatalf("Withdraw answered %q", text(r))
	}
	sw.waitCount(t, 1, `SELECT count(*) FROM outbox_events WHERE kind = $1 AND (status <> 'pending' OR attempts > 0)`, feedback.EventShowcaseWithdrawn)
}

// TestShowcaseReshareGuardedAtDeliveryOnDiscord: the reshare's first
// attempt fails (Discord answers 500) after its guard passed; alice
// withdraws her permission before the next: the next attempt is refused
// by the guard, for good, and nothing is ever posted in #showcase.
func TestShowcaseReshareGuardedAtDeliveryOnDiscord(t *testing.T) {
	t.Parallel()
	g := &gate{fail: http.StatusInternalServerError}
	sw := startGatedShowcaseWorld(t, g)
	sw.withdrawWhileResharing(t, g)
	close(g.open)

	sw.waitCount(t, 1, `SELECT count(*) FROM deliveries d JOIN showcase_reshares r ON d.event_id = r.event_id JOIN showcase_consents s ON s.id = r.consent_id
		WHERE s.submission_id = 1 AND d.status = 'dead' AND d.attempts = 2 AND d.last_error LIKE 'will not retry: refused at delivery (showcase.consent:1:1)%'`)
	storagetest.WaitSettled(t, sw.store.DB())
	if n := g.picked.Load(); n != 1 {
		t.Errorf("%d reshares were posted to Discord after the first failed, want none", n-1)
	}
	if n := len(messagesWith(sw.dc, sw.showcase, "Shared by")); n != 0 {
		t.Errorf("#showcase holds %d reshares after the withdrawal", n)
	}
}
