package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
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

// mp4Ftyp is an MP4's "ftyp" box: brand isom, compatible with mp41.
const mp4Ftyp = "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"

// mp4Head is the header of an MP4 video of n bytes: its ftyp, then the
// header of the "mdat" box holding the rest.
func mp4Head(n int64) []byte {
	b := binary.BigEndian.AppendUint32([]byte(mp4Ftyp), uint32(n-int64(len(mp4Ftyp))))
	return append(b, "mdat"...)
}

// mp4 is an MP4 video of n bytes, its data seed's.
func mp4(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	copy(b, mp4Head(int64(n)))
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
