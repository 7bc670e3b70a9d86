package console

import (
	"context"
	"fmt"

	"github.com/hearthbot/hearth/bots"
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
		switch {
		case f.IsVideo():
			kind = "video"
		case f.IsDocument():
			kind = "file"
		}
		out[i] = fmt.Sprintf("[%s: %s, %s, sha256 %s…]", kind, f.FileName(), bots.FileSize(f.Size), f.Hash[:min(12, len(f.Hash))])
	}
	return out, nil
}
