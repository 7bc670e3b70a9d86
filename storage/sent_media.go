package storage

import (
	"context"
	"fmt"
	"io"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
)

// OpenSentMedia implements outbox.MediaOpener: the adapters stream a kept
// file (OpenMedia) as they send it. A hash that is not a kept file's is
// outbox.ErrMediaMissing.
func (s *Store) OpenSentMedia(ctx context.Context, hash string) (io.ReadCloser, int64, string, error) {
	h, err := feedback.ParseMediaHash(hash)
	if err != nil {
		return nil, 0, "", fmt.Errorf("%w: %v", outbox.ErrMediaMissing, err)
	}
	r, md, err := s.OpenMedia(ctx, h)
	if community.ErrorCode(err) == community.ENotFound {
		return nil, 0, "", outbox.ErrMediaMissing
	}
	if err != nil {
		return nil, 0, "", err
	}
	return r, md.Size, string(md.Type), nil
}
