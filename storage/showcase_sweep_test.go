package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// sweepCutOff is a sweep's cut-off after oldFile's files were kept and
// long before anything else was.
var sweepCutOff = time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)

// lockWaitersSQL counts the test database's sessions waiting for a lock.
const lockWaitersSQL = `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`

// oldFile keeps file as if long ago: no submission holds it, and a sweep
// at sweepCutOff drops it.
func (f *showcaseFixture) oldFile(file []byte) feedback.MediaHash {
	f.t.Helper()
	h := f.keep(file).Hash
	if _, err := f.s.DB().Exec(`UPDATE showcase_media SET created_at = '2000-01-01T00:00:00Z' WHERE sha256 = $1`, h[:]); err != nil {
		f.t.Fatal(err)
	}
	return h
}

// submitAsync submits file h as member's post and reports the outcome on
// the channel.
func (f *showcaseFixture) submitAsync(member community.MemberID, h feedback.MediaHash) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := f.sc.Submit(context.Background(), feedback.Submission{Member: member, Platform: community.Telegram,
			Media: []feedback.SubmissionMedia{{Hash: h, MessageID: "1"}}})
		done <- err
	}()
	return done
}

type sweepResult struct {
	n   int
	err error
}

// sweepAsync runs the sweep at sweepCutOff and reports the outcome on the
// channel.
func (f *showcaseFixture) sweepAsync() <-chan sweepResult {
	done := make(chan sweepResult, 1)
	go func() {
		n, err := f.s.DropUnusedMedia(context.Background(), sweepCutOff)
		done <- sweepResult{n, err}
	}()
	return done
}

// TestSweepPassesOverAFileBeingSubmitted: a sweep that comes while a
// submission of an old unused file is under way (its row of the
// submission not yet written) leaves the file, without waiting for the
// submission, and the submission holds it.
func TestSweepPassesOverAFileBeingSubmitted(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	db := f.s.DB()
	ann := f.member("ann", community.Telegram, true)
	h := f.oldFile(mp4(100, 1))
	hold, err := db.Begin() // holds the submission before its rows
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`LOCK TABLE showcase_submissions IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	submitted := f.submitAsync(ann, h)
	storagetest.WaitCount(t, db, 1, lockWaitersSQL+` AND query LIKE '%INSERT INTO showcase_submissions%'`)
	swept := f.sweepAsync()
	var sweep sweepResult
	ended := false
	storagetest.Eventually(t, "the sweep to end or wait", func() bool {
		select {
		case sweep = <-swept:
			ended = true
			return true
		default:
			return storagetest.Count(t, db, lockWaitersSQL) == 2
		}
	})
	if !ended {
		t.Error("the sweep waits for the submission under way")
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-submitted; err != nil {
		t.Fatalf("the submission: %v", err)
	}
	if !ended {
		sweep = <-swept
	}
	if sweep.n != 0 || sweep.err != nil {
		t.Fatalf("the sweep dropped %d, %v; want none", sweep.n, sweep.err)
	}
	if got, _ := readAll(t, f.s, h); len(got) != 100 {
		t.Fatalf("the submitted file: %d bytes", len(got))
	}
}

// TestSubmissionOfAFileBeingSwept: a submission that comes while a sweep
// drops its file (not yet committed) is refused as a file not kept,
// writing nothing, and the sweep ends well.
func TestSubmissionOfAFileBeingSwept(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	db := f.s.DB()
	ann := f.member("ann", community.Telegram, true)
	h := f.oldFile(mp4(100, 1))
	hold, err := db.Begin() // holds the sweep at its file's chunk
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`SELECT 1 FROM showcase_media_chunks WHERE sha256 = $1 FOR UPDATE`, h[:]); err != nil {
		t.Fatal(err)
	}
	swept := f.sweepAsync()
	storagetest.WaitCount(t, db, 1, lockWaitersSQL+` AND query LIKE '%DELETE FROM showcase_media%'`)
	submitted := f.submitAsync(ann, h)
	storagetest.WaitCount(t, db, 2, lockWaitersSQL)
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if sweep := <-swept; sweep.n != 1 || sweep.err != nil {
		t.Fatalf("the sweep dropped %d, %v; want the file", sweep.n, sweep.err)
	}
	if err := <-submitted; errorKey(err) != "showcase.media_not_found" {
		t.Fatalf("the submission: %v; want the file not found", err)
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_submissions`); n != 0 {
		t.Fatalf("%d submissions written, want none", n)
	}
}
