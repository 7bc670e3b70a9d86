package console

import (
	"context"
	"fmt"

	"github.com/hearthbot/hearth/outbox"
)

// mediaLines describe a message's stored files, one line each, such as
// "[photo: tea.jpg, 1.2 MB, sha256 3f2a9c0d81be…]": the terminal shows no
// picture, but each file is opened, so one that is not kept fails the
// delivery as it would on a platform.
func (c *Console) mediaLines(ctx context.Context, refs []outbox.MediaRef) ([]string, error) {
	files, err := outbox.OpenMedia(ctx, c.o.Media, refs)
	if err != nil {
		return nil, err
	}
	defer outbox.CloseMedia(files)
	out := make([]string, len(files))
	for i, f := range files {
		kind := "photo"
		if f.IsVideo() {
			kind = "video"
		}
		out[i] = fmt.Sprintf("[%s: %s, %s, sha256 %s…]", kind, f.FileName(), size(f.Size), f.Hash[:min(12, len(f.Hash))])
	}
	return out, nil
}

// size writes a file's size for people, to a tenth of a KB or MB.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
