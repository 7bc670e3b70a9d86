package storage

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

var _ feedback.ShowcaseStore = (*Store)(nil)

// SaveSubmission implements feedback.ShowcaseStore. A file the member submitted
// before (showcase_submission_media_once) is feedback.AlreadySubmitted,
// naming that submission.
func (s *Store) SaveSubmission(ctx context.Context, sub feedback.Submission, submitted func(feedback.SubmissionID) community.Event) (feedback.Submission, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := submit(ctx, tx, &sub); err != nil {
			return err
		}
		event, err := insertEventID(ctx, tx, submitted(sub.ID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE showcase_submissions SET card_event = $2 WHERE id = $1`, int64(sub.ID), event); err != nil {
			return err
		}
		if sub.Album == "" {
			return nil
		}
		// the album's other files come as messages of their own, after this one
		return holdCard(ctx, tx, event)
	})
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Constraint == "showcase_submission_media_once" {
		return feedback.Submission{}, s.alreadySubmitted(ctx, sub)
	}
	if err != nil {
		return feedback.Submission{}, fmt.Errorf("submission of member %d: %w", sub.Member, err)
	}
	return sub, nil
}

// submit writes sub. Each file is kept again, as PutMedia keeps a file
// again (keptAgain), so that the unused-media sweep cannot drop it under
// the submission: its row stays locked until the submission commits (a
// sweep passes it over) and is recent then; a file a sweep dropped first
// is MediaNotFound. The files are taken in the order of their hashes, so
// that two submissions of the same files never wait for each other.
func submit(ctx context.Context, tx *sqlx.Tx, sub *feedback.Submission) error {
	for _, i := range byHash(sub.Media) {
		if err := keptMedia(ctx, tx, &sub.Media[i]); err != nil {
			return err
		}
	}
	err := tx.GetContext(ctx, &sub.ID, `
INSERT INTO showcase_submissions (member_id, platform, chat_id, album, caption, status, created_at)
VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7) RETURNING id`,
		int64(sub.Member), string(sub.Platform), int64(sub.Chat), sub.Album, sub.Caption, string(sub.Status), sub.CreatedAt)
	if err != nil {
		return err
	}
	for i, m := range sub.Media {
		if err := addMedia(ctx, tx, sub.ID, i, m, sub.Member); err != nil {
			return err
		}
	}
	return nil
}

// keptMedia fills in the type and size of a kept file and keeps it again
// (see submit): its row stays locked until the transaction commits.
func keptMedia(ctx context.Context, tx *sqlx.Tx, m *feedback.SubmissionMedia) error {
	var r mediaRow
	err := tx.GetContext(ctx, &r, `UPDATE showcase_media SET created_at = GREATEST(created_at, now()) WHERE sha256 = $1
RETURNING sha256, type, size, created_at`, m.Hash[:])
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.MediaNotFound(m.Hash)
	}
	if err != nil {
		return err
	}
	m.Type, m.Size = feedback.MediaType(r.Type), r.Size
	return nil
}

func addMedia(ctx context.Context, tx *sqlx.Tx, id feedback.SubmissionID, position int, m feedback.SubmissionMedia, member community.MemberID) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO showcase_submission_media (submission_id, position, sha256, message_id, member_id) VALUES ($1, $2, $3, $4, $5)`,
		int64(id), position, m.Hash[:], m.MessageID, int64(member))
	return err
}

// holdCard makes the review card event wait AlbumWait from now for the
// album's next files. A claim whose lease ran out is taken back: a
// dispatcher still rendering the card under it cannot mark it rendered,
// so it is rendered again with the new file.
func holdCard(ctx context.Context, tx *sqlx.Tx, event int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox_events SET next_attempt_at = GREATEST(next_attempt_at, now() + $2 * interval '1 millisecond'),
    claim = NULL, locked_until = NULL
WHERE id = $1`, event, feedback.AlbumWait.Milliseconds())
	return err
}

// holdOpenCard holds submission id's review card back for one more file
// of its album, or refuses the file (AlbumClosed) once the card is being
// shown or was: staff approve only the files they saw. The card's row
// stays locked until the file is added, so no dispatcher claims it
// meanwhile.
func holdOpenCard(ctx context.Context, tx *sqlx.Tx, id int64, album string) error {
	var open bool
	err := tx.GetContext(ctx, &open, `
SELECT e.status = 'pending' AND (e.locked_until IS NULL OR e.locked_until < now())
FROM showcase_submissions s JOIN outbox_events e ON e.id = s.card_event WHERE s.id = $1 FOR UPDATE OF e`, id)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !open {
		return feedback.AlbumClosed(album)
	}
	if err != nil {
		return err
	}
	var event int64
	if err := tx.GetContext(ctx, &event, `SELECT card_event FROM showcase_submissions WHERE id = $1`, id); err != nil {
		return err
	}
	return holdCard(ctx, tx, event)
}

// AlbumSubmission implements feedback.ShowcaseStore.
func (s *Store) AlbumSubmission(ctx context.Context, member community.MemberID, p community.Platform, album string) (feedback.Submission, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `
SELECT id FROM showcase_submissions WHERE member_id = $1 AND platform = $2 AND album = $3 AND status = 'pending'
ORDER BY id DESC LIMIT 1`, int64(member), string(p), album)
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.Submission{}, feedback.SubmissionNotFound(0)
	}
	if err != nil {
		return feedback.Submission{}, fmt.Errorf("album %s of member %d: %w", album, member, err)
	}
	return s.Submission(ctx, feedback.SubmissionID(id))
}

// AddToAlbum implements feedback.ShowcaseStore.
func (s *Store) AddToAlbum(ctx context.Context, member community.MemberID, p community.Platform, album string, m feedback.SubmissionMedia) (feedback.Submission, error) {
	var id feedback.SubmissionID
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			ID    int64 `db:"id"`
			Files int   `db:"files"`
		}
		err := tx.GetContext(ctx, &row, `
SELECT s.id, (SELECT count(*) FROM showcase_submission_media sm WHERE sm.submission_id = s.id) AS files
FROM showcase_submissions s
WHERE s.member_id = $1 AND s.platform = $2 AND s.album = $3 AND s.status = 'pending'
ORDER BY s.id DESC LIMIT 1 FOR UPDATE`, int64(member), string(p), album)
		if errors.Is(err, sql.ErrNoRows) {
			return feedback.SubmissionNotFound(0)
		}
		if err != nil {
			return err
		}
		id = feedback.SubmissionID(row.ID)
		if err := holdOpenCard(ctx, tx, row.ID, album); err != nil {
			return err
		}
		if row.Files >= feedback.MaxAlbum {
			return community.Errorf(community.EInvalid, "showcase.too_many_files", map[string]any{"Count": row.Files + 1, "Max": feedback.MaxAlbum},
				"%d files; at most %d", row.Files+1, feedback.MaxAlbum)
		}
		if err := keptMedia(ctx, tx, &m); err != nil {
			return err
		}
		return addMedia(ctx, tx, id, row.Files, m, member)
	})
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Constraint == "showcase_submission_media_once" {
		return feedback.Submission{}, s.alreadySubmitted(ctx, feedback.Submission{Member: member, Media: []feedback.SubmissionMedia{m}})
	}
	if err != nil {
		if community.ErrorCode(err) != "" {
			return feedback.Submission{}, err
		}
		return feedback.Submission{}, fmt.Errorf("add to album %s of member %d: %w", album, member, err)
	}
	return s.Submission(ctx, id)
}

// byHash is the indexes of media in the order of the files' hashes.
func byHash(media []feedback.SubmissionMedia) []int {
	order := make([]int, len(media))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(media[a].Hash[:], media[b].Hash[:]) })
	return order
}

// alreadySubmitted names the member's submission that holds one of sub's
// files.
func (s *Store) alreadySubmitted(ctx context.Context, sub feedback.Submission) error {
	hashes := make([][]byte, len(sub.Media))
	for i, m := range sub.Media {
		hashes[i] = m.Hash[:]
	}
	var id int64
	if err := s.db.GetContext(ctx, &id, `
SELECT submission_id FROM showcase_submission_media WHERE member_id = $1 AND sha256 = ANY($2) ORDER BY submission_id LIMIT 1`,
		int64(sub.Member), pq.ByteaArray(hashes)); err != nil {
		return fmt.Errorf("submission of member %d holding the same file: %w", sub.Member, err)
	}
	return feedback.AlreadySubmitted(feedback.SubmissionID(id))
}

type submissionRow struct {
	ID         int64        `db:"id"`
	Member     int64        `db:"member_id"`
	Platform   string       `db:"platform"`
	Chat       int64        `db:"chat_id"`
	Album      string       `db:"album"`
	Caption    string       `db:"caption"`
	Status     string       `db:"status"`
	Reason     string       `db:"reason"`
	ReviewedBy int64        `db:"reviewed_by"`
	ReviewedAt sql.NullTime `db:"reviewed_at"`
	CreatedAt  time.Time    `db:"created_at"`
}

// Submission implements feedback.ShowcaseStore: its files in their order.
func (s *Store) Submission(ctx context.Context, id feedback.SubmissionID) (feedback.Submission, error) {
	var r submissionRow
	err := s.db.GetContext(ctx, &r, `
SELECT id, COALESCE(member_id, 0) AS member_id, platform, COALESCE(chat_id, 0) AS chat_id, album, caption, status, reason,
       COALESCE(reviewed_by, 0) AS reviewed_by, reviewed_at, created_at
FROM showcase_submissions WHERE id = $1`, int64(id))
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.Submission{}, feedback.SubmissionNotFound(id)
	}
	if err != nil {
		return feedback.Submission{}, fmt.Errorf("submission %d: %w", id, err)
	}
	sub := feedback.Submission{ID: id, Member: community.MemberID(r.Member), Platform: community.Platform(r.Platform),
		Chat: community.ChatID(r.Chat), Album: r.Album, Caption: r.Caption, Status: feedback.SubmissionStatus(r.Status), Reason: r.Reason,
		ReviewedBy: community.MemberID(r.ReviewedBy), ReviewedAt: r.ReviewedAt.Time, CreatedAt: r.CreatedAt}
	var media []struct {
		Hash      []byte `db:"sha256"`
		MessageID string `db:"message_id"`
		Type      string `db:"type"`
		Size      int64  `db:"size"`
	}
	if err := s.db.SelectContext(ctx, &media, `
SELECT sm.sha256, sm.message_id, m.type, m.size
FROM showcase_submission_media sm JOIN showcase_media m ON m.sha256 = sm.sha256
WHERE sm.submission_id = $1 ORDER BY sm.position`, int64(id)); err != nil {
		return feedback.Submission{}, fmt.Errorf("media of submission %d: %w", id, err)
	}
	for _, m := range media {
		sm := feedback.SubmissionMedia{MessageID: m.MessageID, Type: feedback.MediaType(m.Type), Size: m.Size}
		copy(sm.Hash[:], m.Hash)
		sub.Media = append(sub.Media, sm)
	}
	return sub, nil
}

// ReviewSubmission implements feedback.ShowcaseStore.
func (s *Store) ReviewSubmission(ctx context.Context, sub feedback.Submission, effects community.Effects) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
UPDATE showcase_submissions SET status = $2, reason = $3, reviewed_by = NULLIF($4, 0), reviewed_at = $5
WHERE id = $1 AND status = 'pending'`,
			int64(sub.ID), string(sub.Status), sub.Reason, int64(sub.ReviewedBy), sub.ReviewedAt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errOr(err, community.ErrConflict)
		}
		return saveEffects(ctx, tx, effects)
	})
	if err != nil {
		return fmt.Errorf("review submission %d: %w", sub.ID, err)
	}
	return nil
}

// errOr returns err when there is one, else otherwise.
func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
