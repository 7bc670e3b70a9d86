package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// MediaChunk is how many bytes of a file one row of showcase_media_chunks
// holds: what a store or a read of a file holds in memory at a time.
const MediaChunk = 1 << 20

// PutMedia implements feedback.ShowcaseStore. The file is copied a chunk
// at a time under a provisional key, in one transaction, while m checks
// its type and size and hashes it; at its end the key becomes the hash.
// An error from m, or a file kept already (possibly by another replica
// at the same moment), rolls back every chunk written.
func (s *Store) PutMedia(ctx context.Context, m *feedback.MediaReader) (feedback.Media, error) {
	var md feedback.Media
	var kept bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		md, kept, err = putMedia(ctx, tx, m)
		if err == nil && kept {
			return errMediaKept
		}
		return err
	})
	if errors.Is(err, errMediaKept) {
		return s.keptAgain(ctx, md.Hash)
	}
	if err != nil {
		return feedback.Media{}, fmt.Errorf("keep media: %w", err)
	}
	return md, nil
}

// errMediaKept rolls back the copy of a file kept already.
var errMediaKept = errors.New("media kept already")

// putMedia writes the file's chunks and row; kept: the file was there
// already (the caller rolls back).
func putMedia(ctx context.Context, tx *sqlx.Tx, m *feedback.MediaReader) (md feedback.Media, kept bool, err error) {
	key := make([]byte, 32)
	rand.Read(key)
	buf := make([]byte, MediaChunk)
	n, err := readChunk(m, buf) // m refuses an empty file: no type
	if err != nil {
		return md, false, err
	}
	// The first chunk told the type; the row must exist before its chunks.
	if _, err := tx.ExecContext(ctx, `INSERT INTO showcase_media (sha256, type, size, created_at) VALUES ($1, $2, 1, now())`,
		key, string(m.Type())); err != nil {
		return md, false, fmt.Errorf("media row: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO showcase_media_chunks (sha256, seq, data) VALUES ($1, $2, $3)`)
	if err != nil {
		return md, false, err
	}
	defer stmt.Close()
	for seq := 0; n > 0; seq++ {
		if _, err := stmt.ExecContext(ctx, key, seq, buf[:n]); err != nil {
			return md, false, fmt.Errorf("media chunk %d: %w", seq, err)
		}
		if n, err = readChunk(m, buf); err != nil {
			return md, false, err
		}
	}
	md = m.Media()
	var there bool
	if err := tx.GetContext(ctx, &there, `SELECT EXISTS (SELECT 1 FROM showcase_media WHERE sha256 = $1)`, md.Hash[:]); err != nil {
		return md, false, err
	}
	if there {
		return md, true, nil
	}
	err = tx.GetContext(ctx, &md.CreatedAt, `UPDATE showcase_media SET sha256 = $2, size = $3 WHERE sha256 = $1 RETURNING created_at`,
		key, md.Hash[:], md.Size)
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23505" { // kept by another at the same moment
		return md, true, nil
	}
	return md, false, err
}

// readChunk fills buf from r, short only at the file's end. Unlike
// io.ReadFull it tells the end (nil) from a source that broke with
// io.ErrUnexpectedEOF (a download cut short), which is an error.
func readChunk(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// mediaRow is a row of showcase_media.
type mediaRow struct {
	Hash      []byte    `db:"sha256"`
	Type      string    `db:"type"`
	Size      int64     `db:"size"`
	CreatedAt time.Time `db:"created_at"`
}

func (r mediaRow) media() feedback.Media {
	m := feedback.Media{Type: feedback.MediaType(r.Type), Size: r.Size, CreatedAt: r.CreatedAt}
	copy(m.Hash[:], r.Hash)
	return m
}

// keptAgain returns the row of file h, kept again: its time is now, so
// that DropUnusedMedia spares it for the submission being made, as it
// spares a file kept for the first time.
func (s *Store) keptAgain(ctx context.Context, h feedback.MediaHash) (feedback.Media, error) {
	var r mediaRow
	err := s.db.GetContext(ctx, &r, `UPDATE showcase_media SET created_at = GREATEST(created_at, now()) WHERE sha256 = $1
RETURNING sha256, type, size, created_at`, h[:])
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.Media{}, feedback.MediaNotFound(h)
	}
	if err != nil {
		return feedback.Media{}, fmt.Errorf("media %s: %w", h, err)
	}
	return r.media(), nil
}

// media returns the kept file h's row (MediaNotFound).
func (s *Store) media(ctx context.Context, h feedback.MediaHash) (feedback.Media, error) {
	var r mediaRow
	err := s.db.GetContext(ctx, &r, `SELECT sha256, type, size, created_at FROM showcase_media WHERE sha256 = $1`, h[:])
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.Media{}, feedback.MediaNotFound(h)
	}
	if err != nil {
		return feedback.Media{}, fmt.Errorf("media %s: %w", h, err)
	}
	return r.media(), nil
}

// OpenMedia implements feedback.ShowcaseStore. The file is read a chunk
// at a time as the reader is read, each chunk in a query of its own, so
// that a slow reader holds no connection; a file deleted meanwhile (an
// erasure) ends the read with an error.
func (s *Store) OpenMedia(ctx context.Context, h feedback.MediaHash) (io.ReadCloser, feedback.Media, error) {
	md, err := s.media(ctx, h)
	if err != nil {
		return nil, feedback.Media{}, err
	}
	return &mediaReader{ctx: ctx, db: s.db, media: md}, md, nil
}

// mediaReader reads a kept file's chunks in order.
type mediaReader struct {
	ctx   context.Context
	db    *sqlx.DB
	media feedback.Media
	seq   int
	read  int64
	chunk []byte
}

func (r *mediaReader) Read(p []byte) (int, error) {
	if len(r.chunk) == 0 {
		if r.read >= r.media.Size {
			return 0, io.EOF
		}
		err := r.db.QueryRowContext(r.ctx, `SELECT data FROM showcase_media_chunks WHERE sha256 = $1 AND seq = $2`,
			r.media.Hash[:], r.seq).Scan(&r.chunk)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("media %s: chunk %d is gone after %d of %d bytes", r.media.Hash, r.seq, r.read, r.media.Size)
		}
		if err != nil {
			return 0, fmt.Errorf("media %s chunk %d: %w", r.media.Hash, r.seq, err)
		}
		r.seq++
	}
	n := copy(p, r.chunk)
	r.chunk = r.chunk[n:]
	r.read += int64(n)
	return n, nil
}

func (r *mediaReader) Close() error {
	r.chunk = nil
	return nil
}

// DropUnusedMedia deletes the files kept before that no submission and no
// ticket message holds (kept for a post that was then refused, or whose
// submission or message failed), and
// returns how many went. The grace period spares a file kept a moment ago
// for a submission being made. A file that a submission under way holds
// locked (submit) is passed over without waiting: the sweep never holds
// up a submission, nor waits for one in a circle.
func (s *Store) DropUnusedMedia(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `
DELETE FROM showcase_media WHERE sha256 IN (
    SELECT m.sha256 FROM showcase_media m WHERE m.created_at < $1
      AND NOT EXISTS (SELECT 1 FROM showcase_submission_media sm WHERE sm.sha256 = m.sha256)
      AND NOT EXISTS (SELECT 1 FROM ticket_message_files tf WHERE tf.sha256 = m.sha256)
    FOR UPDATE SKIP LOCKED)`, before)
	if err != nil {
		return 0, fmt.Errorf("drop unused media: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
