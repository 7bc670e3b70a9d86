package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hearthbot/hearth/bots"
)

// attach posts "PATH [CAPTION]" as the current speaker's message with the
// file at PATH attached, as a member posts a photo with a caption; a
// caption starting with a /command runs it, as a Telegram caption does.
func (c *Console) attach(ctx context.Context, r *bots.Router, arg string) error {
	path, caption, _ := strings.Cut(arg, " ")
	m, problem := localMedia(path)
	if problem != "" {
		c.mu.Lock()
		c.out.note(problem)
		c.mu.Unlock()
		return nil
	}
	u := c.update(bots.KindMessage)
	u.Text, u.Media = strings.TrimSpace(caption), []bots.Media{m}
	if strings.HasPrefix(u.Text, "/") {
		cmd, args, _ := strings.Cut(strings.TrimPrefix(u.Text, "/"), " ")
		u.Command, u.Args = strings.ToLower(cmd), strings.TrimSpace(args)
	}
	c.mu.Lock()
	c.state.said[u.Chat.ID+"\x00"+u.From.ID] = bots.Message{ID: u.MessageID, From: u.From, Text: u.Text, Media: u.Media}
	c.out.note(fmt.Sprintf("%s attached %s (%d bytes).", capitalize(u.From.ID), m.Name, m.Size))
	c.mu.Unlock()
	return r.Handle(ctx, u)
}

// localMedia describes the regular file at path, by its absolute path, or
// says why it cannot be attached.
func localMedia(path string) (bots.Media, string) {
	if path == "" {
		return bots.Media{}, "Attach a file with /attach PATH, and a caption after it if you like: /attach mug.jpg #showcase"
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return bots.Media{}, fmt.Sprintf("%s is not a path to a file.", path)
	}
	info, err := os.Stat(abs)
	if err != nil || !info.Mode().IsRegular() {
		return bots.Media{}, fmt.Sprintf("There is no file at %s.", abs)
	}
	return bots.Media{Kind: mediaKind(abs), FileID: abs, Name: filepath.Base(abs), Size: info.Size()}, ""
}

// mediaKind guesses how a chat app would send a file, from its name.
func mediaKind(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jpg", ".jpeg", ".png", ".webp":
		return "photo"
	case ".gif":
		return "animation"
	case ".mp4", ".mov", ".webm":
		return "video"
	}
	return "document"
}

// FetchMedia implements bots.MediaFetcher: the attached file, read from
// the disk as it is now.
func (c *Console) FetchMedia(_ context.Context, m bots.Media, max int64) (io.ReadCloser, error) {
	if err := bots.CheckMediaSize(m.Size, max); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(m.FileID) {
		return nil, fmt.Errorf("console media %q: not an attached file", m.FileID)
	}
	f, err := os.Open(m.FileID)
	if err != nil {
		return nil, fmt.Errorf("console media: %w", err)
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", m.FileID)
	}
	if err == nil {
		err = bots.CheckMediaSize(info.Size(), max)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return bots.LimitMedia(f, max), nil
}
