package discord_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/lib/pq"
)

var discordOnly = []community.Platform{community.Discord}

// outboxScene is a fake Discord with one text channel, a database with one
// queued message to it (long enough for two parts), and a way to build
// Discord adapters, one per simulated process.
type outboxScene struct {
	store   *storage.Store
	dc      *discordtest.Server
	channel string
}

func newOutboxScene(t *testing.T) *outboxScene {
	t.Helper()
	sc := &outboxScene{store: storage.New(storagetest.New(t)), dc: discordtest.New(t, token)}
	g, channel := textGuild("Tea Lovers", "1")
	sc.dc.AddGuild(g)
	sc.channel = channel
	text := strings.Repeat("Oolong is lovely. ", 150) // 2,700 characters: two messages
	err := sc.store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Discord, ChatID: channel},
		Message: bots.Reply{Text: text}}})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func (sc *outboxScene) adapter(t *testing.T, client *http.Client) *discord.Adapter {
	t.Helper()
	if client == nil {
		client = sc.dc.HTTPClient()
	}
	a, err := discord.New(discord.Options{Token: token, HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// runDispatcher delivers the outbox through a until the test ends.
func (sc *outboxScene) runDispatcher(t *testing.T, a *discord.Adapter, lease time.Duration) {
	t.Helper()
	d := bots.NewDispatcher(bots.DispatcherOptions{Store: sc.store, Lease: lease})
	d.AddSender(community.Discord, a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitSent waits until the delivery is marked sent and returns its
// recorded message ids.
func (sc *outboxScene) waitSent(t *testing.T) []string {
	t.Helper()
	var ids pq.StringArray
	storagetest.Eventually(t, "the delivery marked sent", func() bool {
		return sc.store.DB().QueryRow(`SELECT sent_ids FROM deliveries WHERE status = 'sent'`).Scan(&ids) == nil
	})
	return ids
}

// checkPostedOnce checks that the channel holds each part once, with the
// ids the delivery recorded, and that every Create Message was sent with
// its part's nonce and enforce_nonce.
func (sc *outboxScene) checkPostedOnce(t *testing.T, recorded []string, posts int) {
	t.Helper()
	msgs := sc.dc.Messages(sc.channel)
	if len(msgs) != 2 || len(recorded) != 2 || msgs[0].ID != recorded[0] || msgs[1].ID != recorded[1] {
		t.Fatalf("channel holds %d messages, delivery recorded %v; want the two parts once each", len(msgs), recorded)
	}
	reqs := sc.dc.Requests("POST", "/channels/"+sc.channel+"/messages")
	if len(reqs) != posts {
		t.Fatalf("%d Create Message calls; want %d", len(reqs), posts)
	}
	nonces := map[string]int{}
	for _, r := range reqs {
		var body struct {
			Nonce        string `json:"nonce"`
			EnforceNonce bool   `json:"enforce_nonce"`
		}
		if err := r.JSON(&body); err != nil || body.Nonce == "" || !body.EnforceNonce {
			t.Fatalf("Create Message without nonce and enforce_nonce: %s (%v)", r.Payload, err)
		}
		nonces[body.Nonce]++
	}
	if len(nonces) != 2 {
		t.Fatalf("nonces used: %v; want one per part, the same on every attempt", nonces)
	}
}

// TestRetryByAnotherProcessDoesNotPostTwice: a process dies after Discord
// accepted both parts of a message and before it recorded them; when its
// claim runs out another process sends the message again with the same
// nonces, and Discord answers the messages already posted instead of
// posting them twice.
func TestRetryByAnotherProcessDoesNotPostTwice(t *testing.T) {
	t.Parallel()
	sc := newOutboxScene(t)
	ctx := context.Background()
	dels, err := sc.store.ClaimDeliveries(ctx, discordOnly, 16, 5, 500*time.Millisecond)
	if err != nil || len(dels) != 1 {
		t.Fatalf("claim = %+v, %v", dels, err)
	}
	first, err := sc.adapter(t, nil).Send(ctx, dels[0]) // and the process dies: nothing is recorded
	if err != nil || len(first) != 2 {
		t.Fatalf("first process sent %v, %v; want two parts", first, err)
	}

	// The first claim runs out after 500 ms; the second process's lasts,
	// so that on a loaded machine it does not lose its own claim mid-send
	// and try a third time (which would post nothing, but call again).
	sc.runDispatcher(t, sc.adapter(t, nil), 10*time.Second)
	recorded := sc.waitSent(t)
	if recorded[0] != first[0] || recorded[1] != first[1] {
		t.Fatalf("recorded %v; want the messages the first process posted, %v", recorded, first)
	}
	sc.checkPostedOnce(t, recorded, 4)
}

// lossyTransport loses the answer to the first Create Message: Discord
// posts the message, but Hearth sees a broken connection.
type lossyTransport struct {
	base http.RoundTripper
	lost atomic.Bool
}

func (lt *lossyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := lt.base.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages") && lt.lost.CompareAndSwap(false, true) {
		resp.Body.Close()
		return nil, errors.New("read: connection reset by peer")
	}
	return resp, err
}

// TestRetryAfterALostAnswerDoesNotPostTwice: when the answer to a Create
// Message is lost on the way back, the dispatcher tries again later with
// the same nonce and Discord answers the message it already posted.
func TestRetryAfterALostAnswerDoesNotPostTwice(t *testing.T) {
	t.Parallel()
	sc := newOutboxScene(t)
	client := &http.Client{Transport: &lossyTransport{base: sc.dc.HTTPClient().Transport}, Timeout: 20 * time.Second}
	sc.runDispatcher(t, sc.adapter(t, client), 10*time.Second)
	recorded := sc.waitSent(t)
	sc.checkPostedOnce(t, recorded, 3)
	if n := countAttempts(t, sc.store); n != 2 {
		t.Fatalf("attempts = %d; want the failed one and the retry", n)
	}
}

func countAttempts(t *testing.T, store *storage.Store) int {
	t.Helper()
	var n int
	if err := store.DB().Get(&n, `SELECT attempts FROM deliveries`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRetryOfADeletedPartPostsNothing: when the part an earlier attempt
// posted has been deleted since (a moderator removed it), Discord answers
// the retry with Unknown Message; the part counts as delivered and is not
// posted again.
func TestRetryOfADeletedPartPostsNothing(t *testing.T) {
	t.Parallel()
	sc := newOutboxScene(t)
	ctx := context.Background()
	dels, err := sc.store.ClaimDeliveries(ctx, discordOnly, 16, 5, 500*time.Millisecond)
	if err != nil || len(dels) != 1 {
		t.Fatalf("claim = %+v, %v", dels, err)
	}
	a := sc.adapter(t, nil)
	first, err := a.Send(ctx, dels[0]) // and the process dies: nothing is recorded
	if err != nil || len(first) != 2 {
		t.Fatalf("first process sent %v, %v; want two parts", first, err)
	}
	dg, err := discordgo.New("Bot " + token)
	if err != nil {
		t.Fatal(err)
	}
	dg.Client = sc.dc.HTTPClient()
	if err := dg.ChannelMessageDelete(sc.channel, first[0]); err != nil {
		t.Fatal(err)
	}

	sc.runDispatcher(t, sc.adapter(t, nil), 500*time.Millisecond)
	recorded := sc.waitSent(t)
	if len(recorded) != 2 || recorded[1] != first[1] {
		t.Fatalf("recorded %v; want the deleted part without an id, then %s", recorded, first[1])
	}
	if msgs := sc.dc.Messages(sc.channel); len(msgs) != 1 || msgs[0].ID != first[1] {
		t.Fatalf("channel holds %d messages; want only the second part, never posted again", len(msgs))
	}
}
