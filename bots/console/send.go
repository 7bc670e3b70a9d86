package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/outbox"
)

// Send implements bots.Sender: it prints the message, saying where it went
// when that is not where the speaker is.
func (c *Console) Send(ctx context.Context, d outbox.Delivery) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, t := d.Message, d.Target
	chat := t.ChatID
	if chat == "" {
		chat = dmPrefix + t.UserID
	}
	if m.Form != nil {
		speaker := strings.TrimPrefix(chat, dmPrefix)
		if !strings.HasPrefix(chat, dmPrefix) {
			speaker = c.state.speaker
		}
		c.startForm(speaker, chat, *m.Form)
		return nil, nil
	}
	media, err := c.mediaLines(ctx, m.Media)
	if err != nil {
		return nil, err // nothing printed yet
	}
	file := ""
	if m.File != nil {
		var err error
		if file, err = c.saveFile(strings.TrimPrefix(chat, dmPrefix), *m.File); err != nil {
			return nil, err // nothing printed yet: a retry prints it once
		}
	}
	c.state.seq++
	id := strconv.Itoa(c.state.seq)
	if m.Edit && t.EditID != "" {
		id = t.EditID
	}
	c.out.message(c.who(chat, m), markup.Plain(markup.Parse(m.Text)), m.Image)
	c.state.said[chat+"\x00"+botName] = bots.Message{ID: id, From: bots.User{ID: botName, IsBot: true, DisplayName: "Hearth"}, Text: m.Text}
	if file != "" {
		c.out.line(indent + file)
	}
	for _, l := range media {
		c.out.line(indent + l)
	}
	if len(m.Buttons) > 0 {
		var flat []bots.Button
		for _, row := range m.Buttons {
			flat = append(flat, row...)
		}
		c.state.buttons[chat] = shown{messageID: id, buttons: flat}
		c.out.buttons(flat)
	}
	return []string{id}, nil
}

// saveFile writes a file sent to recipient (a member, or a chat) into the
// files folder, under a name no other file has, and returns the line
// that shows it in the transcript: where it is, for the person at the
// terminal to open.
func (c *Console) saveFile(recipient string, f bots.File) (string, error) {
	if c.o.Files == "" {
		return fmt.Sprintf("[file: %s, %d bytes, not kept: the console was given no folder for files]", f.Name, len(f.Data)), nil
	}
	dir, err := filepath.Abs(c.o.Files)
	if err != nil {
		return "", fmt.Errorf("files folder %s: %w", c.o.Files, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("files folder: %w", err)
	}
	base := filepath.Base(recipient + "-" + f.Name) // a name cannot climb out of the folder
	ext := filepath.Ext(base)
	for n := 1; ; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(base, ext), n, ext)
		}
		path := filepath.Join(dir, name)
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // personal data: for the owner only
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("save %s: %w", f.Name, err)
		}
		_, err = out.Write(f.Data)
		if closeErr := out.Close(); err == nil {
			err = closeErr
		}
		if err != nil {
			os.Remove(path)
			return "", fmt.Errorf("save %s: %w", f.Name, err)
		}
		return "[file: " + path + "]", nil
	}
}

// who labels a message: "bot" where the speaker is, else where it went.
func (c *Console) who(chat string, m bots.Reply) string {
	label := "bot"
	if chat != c.state.chat {
		switch {
		case chat == groupChat:
			label = "bot → group"
		case chat == staffRoom:
			label = "bot → staff room"
		default:
			label = "bot → " + strings.TrimPrefix(chat, dmPrefix) + " (private)"
		}
	}
	switch {
	case m.Edit:
		label += " (edited)"
	case m.Ephemeral:
		label += " (only you see this)"
	}
	return label
}

// printer writes the transcript.
type printer struct{ w io.Writer }

const indent = "    "

func (p *printer) line(s string) { fmt.Fprintln(p.w, s) }

func (p *printer) note(s string) { fmt.Fprintln(p.w, "  ("+s+")") }

func (p *printer) prompt(speaker, place string) {
	fmt.Fprintf(p.w, "%s %s> ", speaker, place)
}

func (p *printer) message(who, text string, img *bots.Image) {
	lines := strings.Split(text, "\n")
	fmt.Fprintln(p.w, who+"> "+lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintln(p.w, strings.TrimRight(indent+l, " "))
	}
	if img != nil {
		name := img.Name
		if img.URL != "" {
			name = img.URL
		}
		fmt.Fprintln(p.w, indent+"[image: "+name+"]")
	}
}

func (p *printer) buttons(bs []bots.Button) {
	var parts []string
	for i, b := range bs {
		parts = append(parts, fmt.Sprintf("[%d] %s", i+1, b.Label))
	}
	fmt.Fprintln(p.w, indent+strings.Join(parts, "  ")+"   (/press N)")
}

func (p *printer) banner(community, speaker string) {
	fmt.Fprintf(p.w, `Hearth console: %s, simulated in this terminal (no account needed).
You are %s in the group. Type messages or commands such as /help.
  /as NAME     speak as someone else (/as owner: the community's owner)
  /group /staffchat /dm   move to the group, the staff room, a private chat
  /press N     press a button       /quit   leave
  /attach PATH [CAPTION]  post a file (a photo) with a caption
To set up staff: /as owner, /staffchat, then /setstaff.
`, community, speaker)
}
