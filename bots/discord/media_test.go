package discord_test

import (
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// twentyMB is the showcase's default limit, Telegram's download limit.
const twentyMB = 20 << 20

// TestMembersAttachmentsDownloadWhole: a member's message with a photo and
// a 20 MB video reaches Hearth with both attachments, named by their CDN
// URLs with their sizes, and both stream back through the router byte for
// byte; a reply to that message (/share) carries both attachments.
func TestMembersAttachmentsDownloadWhole(t *testing.T) {
	t.Parallel()
	owner, alice := discordtest.NewUser("owner"), discordtest.NewUser("alice")
	g, channel := textGuild("Tea Lovers", owner.ID)
	got := make(chan bots.Update, 4)
	w := startScene(t, scene{owner: owner.ID, prepare: func(dc *discordtest.Server) { dc.AddGuild(g) },
		messages: func(_ context.Context, r *bots.Request) ([]outbox.Outgoing, error) {
			if len(r.Media) > 0 || r.ReplyTo != nil {
				got <- r.Update
			}
			return nil, nil
		}})
	w.waitGuild(t, g.ID)
	m := w.dc.MessageCreate(channel, alice, "my new mug") // no #showcase: the showcase would download it too
	photo := w.dc.Attach(m, discordtest.Attachment{Name: "mug.jpg", ContentType: "image/jpeg", Size: 300_000, Open: botstest.PhotoSource(1, 300_000)})
	video := w.dc.Attach(m, discordtest.Attachment{Name: "unboxing.mp4", ContentType: "video/mp4", Size: twentyMB, Open: botstest.VideoSource(2, twentyMB)})
	w.dc.Dispatch(t, "MESSAGE_CREATE", m)

	var u bots.Update
	select {
	case u = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the message with attachments never reached Hearth")
	}
	want := []bots.Media{
		{Kind: "photo", FileID: photo.URL, Name: "mug.jpg", Size: 300_000},
		{Kind: "video", FileID: video.URL, Name: "unboxing.mp4", Size: twentyMB},
	}
	if len(u.Media) != 2 || u.Media[0] != want[0] || u.Media[1] != want[1] || u.MediaGroup != "" {
		t.Fatalf("media = %+v (group %q), want %+v", u.Media, u.MediaGroup, want)
	}
	for i, open := range []func() io.Reader{botstest.PhotoSource(1, 300_000), botstest.VideoSource(2, twentyMB)} {
		rc, err := w.svc.Router.FetchMedia(context.Background(), community.Discord, u.Media[i], twentyMB)
		if err != nil {
			t.Fatalf("fetch %s: %v", u.Media[i].Name, err)
		}
		sum, n := botstest.Digest(t, rc)
		rc.Close()
		wantSum, _ := botstest.Digest(t, open())
		if sum != wantSum || n != want[i].Size {
			t.Errorf("%s: %d bytes, sha256 %s; want %d bytes, %s", want[i].Name, n, sum, want[i].Size, wantSum)
		}
	}
	if n := w.dc.CDNRequests(); n != 2 {
		t.Errorf("%d CDN downloads, want 2", n)
	}

	share := w.dc.MessageCreate(channel, alice, "share this one")
	share.Type, share.ReferencedMessage = discordgo.MessageTypeReply, m
	share.MessageReference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: channel, GuildID: g.ID}
	w.dc.Dispatch(t, "MESSAGE_CREATE", share)
	select {
	case u = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the reply never reached Hearth")
	}
	if r := u.ReplyTo; len(u.Media) != 0 || r == nil || r.ID != m.ID || len(r.Media) != 2 || r.Media[0] != want[0] || r.Media[1] != want[1] {
		t.Errorf("reply to the post: media %+v, ReplyTo %+v; want none, and the post's two attachments", u.Media, r)
	}
}

// adapter is the Discord adapter alone against a fake Discord, not
// connected: enough to fetch attachments, without a database.
func adapter(t testing.TB) (*discord.Adapter, *discordtest.Server) {
	t.Helper()
	dc := discordtest.New(t, token)
	a, err := discord.New(discord.Options{Token: token, HTTPClient: dc.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	return a, dc
}

// TestAttachmentOverTheLimitIsRefused: an attachment over the limit is
// refused before any download when its declared size says so, at the
// download's length when the message lied, and as soon as the stream
// passes the limit when nothing declares the length: never more than the
// limit is read. A URL off Discord's CDN is never fetched.
func TestAttachmentOverTheLimitIsRefused(t *testing.T) {
	t.Parallel()
	a, dc := adapter(t)
	const max = 1000
	channel := discordtest.NewID()
	user := discordtest.NewUser("alice")
	m := dc.MessageCreate(channel, user, "")
	declared := dc.Attach(m, discordtest.Attachment{Name: "big.png", ContentType: "image/png", Size: 2000, Open: botstest.Generated(3, 2000)})
	lying := dc.Attach(m, discordtest.Attachment{Name: "lying.png", ContentType: "image/png", Size: 5000, Declared: 500, Open: botstest.Generated(4, 5000)})
	chunked := dc.Attach(m, discordtest.Attachment{Name: "chunked.png", ContentType: "image/png", Size: 5000, Declared: 500, Chunked: true, Open: botstest.Generated(5, 5000)})
	ctx := context.Background()

	for _, tc := range []struct {
		name      string
		media     bots.Media
		downloads int
	}{
		{"declared in the message", bots.Media{Kind: "photo", FileID: declared.URL, Size: int64(declared.Size)}, 0},
		{"download's length", bots.Media{Kind: "photo", FileID: lying.URL, Size: int64(lying.Size)}, 1},
	} {
		before := dc.CDNRequests()
		rc, err := a.FetchMedia(ctx, tc.media, max)
		var tooBig *bots.TooBigError
		if !errors.As(err, &tooBig) || !errors.Is(err, bots.ErrTooBig) || tooBig.Max != max {
			if rc != nil {
				rc.Close()
			}
			t.Errorf("%s: err = %v, want too big with the limit %d", tc.name, err, max)
			continue
		}
		if n := dc.CDNRequests() - before; n != tc.downloads {
			t.Errorf("%s: %d downloads, want %d", tc.name, n, tc.downloads)
		}
	}

	rc, err := a.FetchMedia(ctx, bots.Media{Kind: "photo", FileID: chunked.URL, Size: int64(chunked.Size)}, max)
	if err != nil {
		t.Fatalf("fetch of an attachment declared small: %v, want a stream", err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if !errors.Is(err, bots.ErrTooBig) || len(data) != max {
		t.Errorf("read %d bytes, err %v; want %d bytes, then too big", len(data), err, max)
	}

	before := dc.CDNRequests()
	for _, link := range []string{"https://example.com/attachments/1/2/a.png", "http://cdn.discordapp.com/attachments/1/2/a.png", "not a url\x7f"} {
		if rc, err := a.FetchMedia(ctx, bots.Media{Kind: "photo", FileID: link}, max); err == nil || errors.Is(err, bots.ErrTooBig) {
			if rc != nil {
				rc.Close()
			}
			t.Errorf("fetch of %q: err = %v, want refused as off Discord's CDN", link, err)
		}
	}
	if n := dc.CDNRequests() - before; n != 0 {
		t.Errorf("%d requests for URLs off the CDN, want none", n)
	}
	if _, err := a.FetchMedia(ctx, bots.Media{Kind: "photo", FileID: "https://cdn.discordapp.com/attachments/1/2/gone.png"}, max); err == nil {
		t.Error("fetch of an unknown attachment succeeded, want the CDN's 404")
	}
}

// TestFetchStreamsTheAttachment: fetching a 20 MB video allocates far less
// than the video: the bytes stream through, nothing holds the file. (Not
// parallel: the count is the whole process's.)
func TestFetchStreamsTheAttachment(t *testing.T) {
	a, dc := adapter(t)
	m := dc.MessageCreate(discordtest.NewID(), discordtest.NewUser("alice"), "")
	at := dc.Attach(m, discordtest.Attachment{Name: "v.mp4", ContentType: "video/mp4", Size: twentyMB, Open: botstest.Generated(6, twentyMB)})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rc, err := a.FetchMedia(context.Background(), bots.Media{Kind: "video", FileID: at.URL, Size: twentyMB}, twentyMB)
	if err != nil {
		t.Fatal(err)
	}
	_, n := botstest.Digest(t, rc)
	rc.Close()
	runtime.ReadMemStats(&after)
	if n != twentyMB {
		t.Fatalf("read %d bytes, want %d", n, twentyMB)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > twentyMB/2 {
		t.Errorf("fetching 20 MB allocated %d bytes: the file is held, not streamed", allocated)
	}
}

// BenchmarkFetchAttachment20MB fetches a 20 MB video from the fake CDN and
// hashes it: B/op is everything the process allocated for it (the fake's
// side included), far below the video's size.
func BenchmarkFetchAttachment20MB(b *testing.B) {
	a, dc := adapter(b)
	m := dc.MessageCreate(discordtest.NewID(), discordtest.NewUser("alice"), "")
	at := dc.Attach(m, discordtest.Attachment{Name: "v.mp4", ContentType: "video/mp4", Size: twentyMB, Open: botstest.Generated(7, twentyMB)})
	b.ReportAllocs()
	b.SetBytes(twentyMB)
	var peak uint64
	for b.Loop() {
		rc, err := a.FetchMedia(context.Background(), bots.Media{Kind: "video", FileID: at.URL, Size: twentyMB}, twentyMB)
		if err != nil {
			b.Fatal(err)
		}
		if _, n := botstest.Digest(b, rc); n != twentyMB {
			b.Fatalf("read %d bytes", n)
		}
		rc.Close()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.ReportMetric(float64(peak)/(1<<20), "heap-inuse-MB")
}
