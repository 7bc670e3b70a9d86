package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
)

var showcaseNow = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// showcaseFixture is the showcase on a real database, keeping files of
// at most max bytes, at a clock the test moves.
type showcaseFixture struct {
	*ideasFixture
	sc *feedback.Showcase
}

func newShowcaseFixture(t *testing.T, max int64) *showcaseFixture {
	f := &showcaseFixture{ideasFixture: newIdeasFixture(t)}
	f.now = showcaseNow
	f.sc = feedback.NewShowcase(f.s, func() time.Time { return f.now }, max, 0)
	return f
}

// mp4 is a file of n bytes that starts as an MP4 video, its other bytes
// seed's.
func mp4(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	copy(b, "\x00\x00\x00\x20ftypisom")
	return b
}

// keep keeps file.
func (f *showcaseFixture) keep(file []byte) feedback.Media {
	f.t.Helper()
	md, err := f.sc.KeepMedia(context.Background(), bytes.NewReader(file))
	if err != nil {
		f.t.Fatal(err)
	}
	return md
}

// submit submits files as member's album, one message each ("m1", ...).
func (f *showcaseFixture) submit(member community.MemberID, files ...[]byte) feedback.Submission {
	f.t.Helper()
	sub := feedback.Submission{Member: member, Platform: community.Telegram, Caption: "my tea"}
	for i, file := range files {
		sub.Media = append(sub.Media, feedback.SubmissionMedia{Hash: f.keep(file).Hash, MessageID: string(rune('1' + i))})
	}
	got, err := f.sc.Submit(context.Background(), sub)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

// consented is member's submission of file, approved by staff and allowed
// by member.
func (f *showcaseFixture) consented(member, staff community.MemberID, file []byte) feedback.Consent {
	f.t.Helper()
	ctx := context.Background()
	sub := f.submit(member, file)
	if _, err := f.sc.Approve(ctx, sub.ID, staff); err != nil {
		f.t.Fatal(err)
	}
	c, err := f.sc.Consent(ctx, feedback.ConsentAnswer{Submission: sub.ID, Member: member, Decision: feedback.ConsentAllow, Months: 12,
		Scopes: []feedback.ConsentScope{feedback.ScopeCommunity, feedback.ScopeBrand}, Text: "May we reshare it for 12 months?", Lang: "en",
		Platform: community.Telegram, MessageID: "900"})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// readAll reads kept file h back a few bytes at a time.
func readAll(t *testing.T, s *storage.Store, h feedback.MediaHash) ([]byte, feedback.Media) {
	t.Helper()
	rc, md, err := s.OpenMedia(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out bytes.Buffer
	buf := make([]byte, 100_000)
	for {
		n, err := rc.Read(buf)
		out.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			return out.Bytes(), md
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// errorKey is the message key of a domain error, or "".
func errorKey(err error) string {
	if e, ok := errors.AsType[*community.Error](err); ok {
		return e.Key
	}
	return ""
}
