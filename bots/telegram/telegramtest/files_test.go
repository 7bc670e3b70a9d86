package telegramtest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-telegram/bot"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// TestGetFileAndDownload: getFile describes a registered file and its
// link serves the bytes; a file over 20 MB is refused as Telegram refuses
// it, and an unknown id or a wrong token gets nothing.
func TestGetFileAndDownload(t *testing.T) {
	srv, b := startBot(t)
	ctx := context.Background()
	srv.AddFile("photo-1", []byte("a cup of tea"))
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: "photo-1"})
	if err != nil {
		t.Fatalf("getFile: %v", err)
	}
	if f.FileID != "photo-1" || f.FileSize != 12 || !strings.HasPrefix(f.FilePath, "photos/") || f.FileUniqueID == "" {
		t.Fatalf("getFile = %+v, want photo-1, 12 bytes, under photos/", f)
	}
	if got := download(t, b.FileDownloadLink(f)); got != "a cup of tea" {
		t.Errorf("download = %q, want the file's bytes", got)
	}
	if srv.Downloads() != 1 {
		t.Errorf("Downloads() = %d, want 1", srv.Downloads())
	}

	srv.AddFileSource(telegramtest.File{ID: "big", Size: telegramtest.MaxDownload + 1, Name: "big.mp4",
		Open: func() io.Reader { return strings.NewReader("") }})
	_, err = b.GetFile(ctx, &bot.GetFileParams{FileID: "big"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "file is too big") {
		t.Errorf("getFile of 20 MB + 1 = %v, want Bad Request: file is too big", err)
	}
	if _, err = b.GetFile(ctx, &bot.GetFileParams{FileID: "nope"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("getFile of an unknown id = %v, want Bad Request", err)
	}
	resp, err := http.Get(srv.URL() + "/file/bot123456:wrong/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("download with a wrong token: %s, want 404", resp.Status)
	}
}

func download(t *testing.T, link string) string {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %s, %v", resp.Status, err)
	}
	return string(data)
}
