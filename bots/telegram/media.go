package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/hearthbot/hearth/bots"
)

// MaxDownload is the largest file the Bot API lets a bot download: getFile
// refuses a bigger one ("file is too big").
const MaxDownload = 20 << 20

// downloadTimeout bounds one file download: 20 MB at a slow 35 KB/s.
const downloadTimeout = 10 * time.Minute

// FetchMedia implements bots.MediaFetcher: getFile, then the file
// download from the same Bot API server, streamed.
func (a *Adapter) FetchMedia(ctx context.Context, m bots.Media, max int64) (io.ReadCloser, error) {
	if err := bots.CheckMediaSize(m.Size, max); err != nil {
		return nil, err
	}
	f, err := a.bot.GetFile(ctx, &bot.GetFileParams{FileID: m.FileID})
	if err != nil {
		if errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "file is too big") {
			return nil, &bots.TooBigError{Max: min(max, MaxDownload), Size: m.Size}
		}
		return nil, fmt.Errorf("telegram getFile: %w", err)
	}
	if err := bots.CheckMediaSize(f.FileSize, max); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.bot.FileDownloadLink(f), nil)
	if err != nil {
		return nil, fmt.Errorf("telegram file download: %w", a.redact(err))
	}
	resp, err := a.files.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram file download: %w", a.redact(err))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("telegram file download: %s", resp.Status)
	}
	if err := bots.CheckMediaSize(resp.ContentLength, max); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return bots.LimitMedia(resp.Body, max), nil
}

// redact takes the bot token out of a download error: the link carries
// it, and errors end up in logs.
func (a *Adapter) redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, a.o.Token, "***")
	}
	return err
}
