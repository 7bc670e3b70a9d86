package feedback

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

var showcaseNow = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

type showcaseTest struct {
	t   *testing.T
	sc  *Showcase
	f   *fakeShowcase
	now time.Time
}

func newShowcaseTest(t *testing.T) *showcaseTest {
	st := &showcaseTest{t: t, f: newFakeShowcase(), now: showcaseNow}
	st.sc = NewShowcase(st.f, func() time.Time { return st.now }, 0, 0)
	return st
}

// keep keeps a PNG whose comment is seed.
func (st *showcaseTest) keep(seed string) MediaHash {
	st.t.Helper()
	md, err := st.sc.KeepMedia(context.Background(), bytes.NewReader(pngFile(200, seed)))
	if err != nil {
		st.t.Fatal(err)
	}
	return md.Hash
}

// submit submits files kept from the seeds by member.
func (st *showcaseTest) submit(member community.MemberID, seeds ...string) Submission {
	st.t.Helper()
	sub := Submission{Member: member, Platform: community.Telegram, Caption: "  my tea  "}
	for i, s := range seeds {
		sub.Media = append(sub.Media, SubmissionMedia{Hash: st.keep(s), MessageID: string(rune('a' + i))})
	}
	got, err := st.sc.Submit(context.Background(), sub)
	if err != nil {
		st.t.Fatal(err)
	}
	return got
}

func TestShowcaseDefaults(t *testing.T) {
	sc := NewShowcase(newFakeShowcase(), time.Now, 0, 0)
	if sc.MaxBytes() != 20<<20 || sc.ConsentMonths() != 12 {
		t.Fatalf("defaults %d bytes, %d months; want 20 MB, 12", sc.MaxBytes(), sc.ConsentMonths())
	}
}

func TestKeepMediaEnforcesTheShowcaseLimit(t *testing.T) {
	f := newFakeShowcase()
	sc := NewShowcase(f, time.Now, 1000, 0)
	_, err := sc.KeepMedia(context.Background(), bytes.NewReader(pngFile(1001, "tea")))
	if errorKey(err) != "showcase.too_big" || len(f.media) != 0 {
		t.Fatalf("got %v with %d files kept; want showcase.too_big and none", err, len(f.media))
	}
	md, err := sc.KeepMedia(context.Background(), bytes.NewReader(pngFile(1000, "tea")))
	if err != nil || md.Size != 1000 {
		t.Fatalf("got %+v, %v", md, err)
	}
	rc, got, err := sc.OpenMedia(context.Background(), md.Hash)
	if err != nil || got.Type != MediaPNG {
		t.Fatalf("open: %+v, %v", got, err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); !bytes.Equal(b, pngFile(1000, "tea")) {
		t.Fatal("opened file differs")
	}
}

func TestSubmitKeepsAnAlbumInOrderPending(t *testing.T) {
	st := newShowcaseTest(t)
	sub := st.submit(7, "one", "two", "three")
	if sub.Status != SubmissionPending || sub.Caption != "my tea" || !sub.CreatedAt.Equal(showcaseNow) {
		t.Fatalf("submission %+v", sub)
	}
	if len(sub.Media) != 3 || sub.Media[0].MessageID != "a" || sub.Media[2].MessageID != "c" {
		t.Fatalf("media %+v; want a, b, c in order", sub.Media)
	}
}

func TestSubmitRefusesBadSubmissions(t *testing.T) {
	st := newShowcaseTest(t)
	h := st.keep("x")
	many := make([]SubmissionMedia, MaxAlbum+1)
	for i := range many {
		many[i] = SubmissionMedia{Hash: st.keep(strings.Repeat("y", i+1))}
	}
	for _, tc := range []struct {
		name string
		sub  Submission
		key  string
	}{
		{"no media", Submission{Member: 1}, "showcase.no_media"},
		{"too many", Submission{Member: 1, Media: many}, "showcase.too_many_files"},
		{"long caption", Submission{Member: 1, Media: []SubmissionMedia{{Hash: h}}, Caption: strings.Repeat("é", MaxCaption+1)}, "showcase.caption_too_long"},
	} {
		_, err := st.sc.Submit(context.Background(), tc.sub)
		if community.ErrorCode(err) != community.EInvalid || errorKey(err) != tc.key {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.key)
		}
	}
}

func TestSubmitCountsAFileGivenTwiceInAnAlbumOnce(t *testing.T) {
	st := newShowcaseTest(t)
	h := st.keep("x")
	sub, err := st.sc.Submit(context.Background(), Submission{Member: 1, Media: []SubmissionMedia{{Hash: h, MessageID: "1"}, {Hash: h, MessageID: "2"}}})
	if err != nil || len(sub.Media) != 1 || sub.Media[0].MessageID != "1" {
		t.Fatalf("got %+v, %v; want the first only", sub.Media, err)
	}
}

func TestSubmitTheSameFileAgainIsAlreadySubmitted(t *testing.T) {
	st := newShowcaseTest(t)
	first := st.submit(7, "one")
	_, err := st.sc.Submit(context.Background(), Submission{Member: 7, Media: []SubmissionMedia{{Hash: st.keep("one")}}})
	if community.ErrorCode(err) != community.EConflict || errorKey(err) != "showcase.already_submitted" {
		t.Fatalf("got %v, want showcase.already_submitted", err)
	}
	if e, _ := err.(*community.Error); e.Data["ID"] != int64(first.ID) {
		t.Fatalf("names submission %v, want %d", e.Data["ID"], first.ID)
	}
	// Another member may submit the same file.
	if _, err := st.sc.Submit(context.Background(), Submission{Member: 8, Media: []SubmissionMedia{{Hash: st.keep("one")}}}); err != nil {
		t.Fatal(err)
	}
}

func TestApproveAndRejectOnlyPending(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	a, b := st.submit(7, "a"), st.submit(7, "b")
	st.now = showcaseNow.Add(time.Hour)
	got, err := st.sc.Approve(ctx, a.ID, 99)
	if err != nil || got.Status != SubmissionApproved || got.ReviewedBy != 99 || !got.ReviewedAt.Equal(st.now) {
		t.Fatalf("approve: %+v, %v", got, err)
	}
	got, err = st.sc.Reject(ctx, b.ID, 99, "  blurry  ")
	if err != nil || got.Status != SubmissionRejected || got.Reason != "blurry" {
		t.Fatalf("reject: %+v, %v", got, err)
	}
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"approve twice", func() error { _, err := st.sc.Approve(ctx, a.ID, 99); return err }},
		{"reject approved", func() error { _, err := st.sc.Reject(ctx, a.ID, 99, "no"); return err }},
		{"approve rejected", func() error { _, err := st.sc.Approve(ctx, b.ID, 99); return err }},
	} {
		if err := tc.do(); community.ErrorCode(err) != community.EConflict || errorKey(err) != "showcase.already_reviewed" {
			t.Errorf("%s: got %v, want showcase.already_reviewed", tc.name, err)
		}
	}
	if len(st.f.effects) != 2 || st.f.effects[1].Audit[0].Action != AuditShowcaseRejected || st.f.effects[1].Audit[0].Reason != "blurry" {
		t.Fatalf("audit %+v", st.f.effects)
	}
	if _, err := st.sc.Approve(ctx, 42, 99); errorKey(err) != "showcase.not_found" {
		t.Fatalf("approve a missing one: %v", err)
	}
}

func TestRejectNeedsAReason(t *testing.T) {
	st := newShowcaseTest(t)
	sub := st.submit(7, "a")
	for reason, key := range map[string]string{"  ": "showcase.reason_empty", strings.Repeat("x", MaxRejectReason+1): "showcase.reason_too_long"} {
		_, err := st.sc.Reject(context.Background(), sub.ID, 99, reason)
		if community.ErrorCode(err) != community.EInvalid || errorKey(err) != key {
			t.Errorf("reason of %d: got %v, want %s", len(reason), err, key)
		}
	}
	if got, _ := st.sc.Submission(context.Background(), sub.ID); got.Status != SubmissionPending {
		t.Fatalf("status %s after refused rejections", got.Status)
	}
}
