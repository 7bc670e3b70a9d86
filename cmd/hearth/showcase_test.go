package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
)

// pngFile is a small real PNG picture.
func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 13)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// showcaseSetup is a database with a showcase whose clock the test moves.
type showcaseSetup struct {
	t   *testing.T
	dsn string
	db  *sqlx.DB
	sc  *feedback.Showcase
	now time.Time
}

func newShowcaseSetup(t *testing.T) *showcaseSetup {
	s := &showcaseSetup{t: t, dsn: storagetest.URL(t), now: testNow}
	db, err := sqlx.Open("postgres", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`INSERT INTO members (display_name, created_at) VALUES ('Ann', $1), ('Bob', $1), ('Cy', $1), ('Sam', $1)`, testNow); err != nil {
		t.Fatal(err)
	}
	s.db, s.sc = db, feedback.NewShowcase(storage.New(db), func() time.Time { return s.now }, 0, 0)
	return s
}

// post is member's post of files, approved by Sam (4) and answered with d
// when d is not "".
func (s *showcaseSetup) post(member community.MemberID, caption string, d feedback.ConsentDecision, files ...[]byte) (feedback.Submission, feedback.Consent) {
	s.t.Helper()
	ctx := context.Background()
	sub := feedback.Submission{Member: member, Platform: community.Telegram, Caption: caption}
	for i, f := range files {
		md, err := s.sc.KeepMedia(ctx, bytes.NewReader(f))
		if err != nil {
			s.t.Fatal(err)
		}
		sub.Media = append(sub.Media, feedback.SubmissionMedia{Hash: md.Hash, MessageID: string(rune('1' + i))})
	}
	sub, err := s.sc.Submit(ctx, sub)
	if err != nil {
		s.t.Fatal(err)
	}
	if d == "" {
		return sub, feedback.Consent{}
	}
	if _, err := s.sc.Approve(ctx, sub.ID, 4); err != nil {
		s.t.Fatal(err)
	}
	c, err := s.sc.Consent(ctx, feedback.ConsentAnswer{Submission: sub.ID, Member: member, Decision: d,
		Scopes: []feedback.ConsentScope{feedback.ScopeCommunity, feedback.ScopeBrand}, Text: "May we reshare your post for 12 months?",
		Lang: "en", Months: 12, Platform: community.Telegram, MessageID: "900"})
	if err != nil {
		s.t.Fatal(err)
	}
	return sub, c
}

// TestShowcaseExport: hearth showcase export --consented DIR writes the
// files of the posts the brand may use, byte for byte, named by
// submission and position, and the manifests, newest first; nothing of
// a post whose consent expired or was revoked, or that waits for review.
func TestShowcaseExport(t *testing.T) {
	s := newShowcaseSetup(t)
	ctx := context.Background()
	jpeg, png := botstest.Photo(1, 5000), pngFile(t)
	video := botstest.Video(3, 2*storage.MediaChunk+12345) // read back in three chunks
	s.now = testNow.AddDate(-1, 0, -1)
	s.post(3, "old tea", feedback.ConsentAllow, botstest.Photo(4, 700)) // expired yesterday
	s.now = testNow.Add(-48 * time.Hour)
	album, annConsent := s.post(1, "my tea", feedback.ConsentAllow, jpeg, png)
	_, revoked := s.post(3, "cy's tea", feedback.ConsentAllow, botstest.Photo(5, 700))
	if _, err := s.sc.Revoke(ctx, revoked.ID, 3); err != nil {
		t.Fatal(err)
	}
	s.now = testNow.Add(-24 * time.Hour)
	clip, bobConsent := s.post(2, "=1+1 tea", feedback.ConsentAllowAnonymous, video)
	s.post(3, "new tea", "", botstest.Photo(6, 700)) // pending

	dir := filepath.Join(t.TempDir(), "export")
	env := map[string]string{"DATABASE_URL": s.dsn}
	code, stdout, stderr := inProcess(t, env, "showcase", "export", "--consented", dir)
	if code != 0 {
		t.Fatalf("showcase export: exit %d: %s", code, stderr)
	}
	if want := "exported 2 posts (3 files) to " + dir + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	name := func(sub feedback.Submission, n int, ext string) string {
		return fmt.Sprintf("%d-%d.%s", sub.ID, n, ext)
	}
	files := map[string][]byte{name(album, 1, "jpg"): jpeg, name(album, 2, "png"): png, name(clip, 1, "mp4"): video}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	wantNames := []string{"manifest.csv", "manifest.json"}
	for n, want := range files {
		wantNames = append(wantNames, n)
		if got, err := os.ReadFile(filepath.Join(dir, n)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes (%v), want the %d kept", n, len(got), err, len(want))
		}
	}
	slices.Sort(wantNames)
	if !slices.Equal(names, wantNames) {
		t.Errorf("directory holds %q, want %q", names, wantNames)
	}

	hash := hex.EncodeToString(annConsent.TextHash[:])
	want := []manifestEntry{
		{Submission: int64(clip.ID), Files: []string{name(clip, 1, "mp4")}, Caption: "=1+1 tea", Credit: "anonymous", Author: "",
			Scopes: []string{"community", "brand"}, Consent: int64(bobConsent.ID), GrantedAt: "2026-03-01T12:00:00Z", ExpiresAt: "2027-03-01T12:00:00Z",
			Language: "en", TextHash: hash},
		{Submission: int64(album.ID), Files: []string{name(album, 1, "jpg"), name(album, 2, "png")}, Caption: "my tea", Credit: "named", Author: "Ann",
			Scopes: []string{"community", "brand"}, Consent: int64(annConsent.ID), GrantedAt: "2026-02-28T12:00:00Z", ExpiresAt: "2027-02-28T12:00:00Z",
			Language: "en", TextHash: hash},
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []manifestEntry
	if err := json.Unmarshal(raw, &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("manifest.json (%v):\n%s\nwant %+v", err, raw, want)
	}
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	wantRows := [][]string{manifestColumns,
		{itoa(clip.ID), name(clip, 1, "mp4"), "'=1+1 tea", "anonymous", "", "community brand", itoa(bobConsent.ID), "2026-03-01T12:00:00Z", "2027-03-01T12:00:00Z", "en", hash},
		{itoa(album.ID), name(album, 1, "jpg") + " " + name(album, 2, "png"), "my tea", "named", "Ann", "community brand", itoa(annConsent.ID),
			"2026-02-28T12:00:00Z", "2027-02-28T12:00:00Z", "en", hash},
	}
	if err != nil || !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("manifest.csv (%v):\n%q\nwant\n%q", err, rows, wantRows)
	}

	// A file that breaks while it is read stops the export, and leaves no
	// half file and no manifest.
	if _, err := s.db.Exec(`DELETE FROM showcase_media_chunks WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "export")
	code, _, stderr = inProcess(t, env, "showcase", "export", "--consented", broken)
	if code != 1 || !strings.Contains(stderr, "chunk 1 is gone") || !strings.Contains(stderr, "the export in "+broken+" is unfinished (no manifest.json)") {
		t.Errorf("a broken file: exit %d, stderr %q", code, stderr)
	}
	if entries, err := os.ReadDir(broken); err != nil || len(entries) != 0 {
		t.Errorf("a broken export left %v (%v)", entries, err)
	}
}

// itoa writes an id.
func itoa[T ~int64](id T) string { return strconv.FormatInt(int64(id), 10) }

// TestShowcaseExportRefusals: --consented is required, and the export
// goes only into a new or empty directory, which a refusal leaves as it
// was.
func TestShowcaseExportRefusals(t *testing.T) {
	env := map[string]string{"DATABASE_URL": storagetest.URL(t)}
	code, _, stderr := inProcess(t, env, "showcase", "export")
	if code != 2 || stderr != "hearth: showcase export: --consented DIR is required (see hearth showcase export --help)\n" {
		t.Errorf("without --consented: exit %d, stderr %q", code, stderr)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := inProcess(t, env, "showcase", "export", "--consented", dir)
	if code != 2 || stdout != "" || stderr != "hearth: showcase export: "+dir+" is not empty (it holds notes.txt): export into a new or empty directory\n" {
		t.Errorf("into a directory with a file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the refused directory now holds %d entries", len(entries))
	}
	file := filepath.Join(dir, "notes.txt")
	if code, _, stderr := inProcess(t, env, "showcase", "export", "--consented", file); code != 2 || !strings.Contains(stderr, "not a directory") {
		t.Errorf("into a file: exit %d, stderr %q", code, stderr)
	}
	// An empty directory is fine, and so is nothing to export.
	empty := t.TempDir()
	code, stdout, stderr = inProcess(t, env, "showcase", "export", "--consented", empty)
	if code != 0 || stdout != "exported 0 posts (0 files) to "+empty+"\n" {
		t.Fatalf("into an empty directory: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if raw, err := os.ReadFile(filepath.Join(empty, "manifest.json")); err != nil || string(raw) != "[]\n" {
		t.Errorf("empty manifest.json %q (%v), want []", raw, err)
	}
}

// TestShowcaseExportWriteLeavesNoHalfFile: a write that fails midway leaves neither
// the name nor its temporary file; one that succeeds leaves only the name.
func TestShowcaseExportWriteLeavesNoHalfFile(t *testing.T) {
	dir := t.TempDir()
	broken := errors.New("connection lost")
	err := writeFile(dir, "1-1.mp4", func(w io.Writer) error {
		w.Write([]byte("half a video"))
		return broken
	})
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), filepath.Join(dir, "1-1.mp4")) {
		t.Errorf("got %v, want the write's error naming the file", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed write left %v", entries)
	}
	if err := writeFile(dir, "1-1.mp4", func(w io.Writer) error { _, err := w.Write([]byte("a video")); return err }); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if got, err := os.ReadFile(filepath.Join(dir, "1-1.mp4")); len(entries) != 1 || err != nil || string(got) != "a video" {
		t.Errorf("after a write: %v, %q (%v)", entries, got, err)
	}
}
