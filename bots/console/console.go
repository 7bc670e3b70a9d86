// Package console is a chat platform in the terminal: a simulated community
// with a group, a staff room and private chats, where you type as any
// member and see Hearth's replies. It lets anyone try Hearth with no
// Telegram or Discord account, and lets demos and tests pipe a
// conversation through it as a script.
//
// Lines starting with one of the console's own commands change who speaks
// and where:
//
//	/as NAME     speak as NAME (owner is the community's owner)
//	/group       speak in the community group
//	/staffchat   speak in the staff room
//	/dm          speak in a private chat with the bot
//	/join        join the group as the current speaker, as a newcomer would
//	/reply NAME TEXT  send TEXT in reply to NAME's last message here
//	                  (/reply bot TEXT: to Hearth's last message here)
//	/press N     press button N of the last message with buttons here
//	/attach PATH [CAPTION]  post the file at PATH, with a caption, as a member posts a photo
//	/cancel      stop filling in a form
//	/quit        leave
//
// Every other line is a message, or a command for Hearth, from the
// current speaker in the current place.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// OwnerID is the console user who owns the simulated community: Hearth
// treats the account console:owner as an owner.
const OwnerID = "owner"

// The simulated chats.
const (
	groupChat = "group"
	staffRoom = "staff"
	dmPrefix  = "dm:"
)

// Options configures the console.
type Options struct {
	In  io.Reader
	Out io.Writer
	// Script reads In as a script: each line is echoed after the prompt
	// and its replies are printed before the next line is read.
	Script bool
	// CommunityName titles the simulated group.
	CommunityName string
	// Speaker is who speaks first (alice when empty).
	Speaker string
	// Flush delivers queued replies before the next line is read
	// (Dispatcher.DeliverPending), so the transcript is in order.
	Flush func(ctx context.Context)
	Now   func() time.Time
	// Files is the folder where files sent to members (a /mydata export)
	// are written, for the person at the terminal to open; when empty,
	// the console says a file was sent but does not keep it.
	Files string
	// Media reads the stored files messages carry (Message.Media), which
	// the console names with their size and hash.
	Media outbox.MediaOpener
}

// Console is the terminal chat platform.
type Console struct {
	o     Options
	run   string // makes update ids unique across runs
	mu    sync.Mutex
	out   *printer
	state state
	// sanctions are the mutes and bans in force, as a platform would keep
	// them: their end (zero: none) by kind, group and user.
	sanctions map[string]time.Time
}

// state is who speaks where, and what the console remembers of the
// conversation.
type state struct {
	speaker string
	chat    string                  // groupChat, staffRoom or dmPrefix+speaker
	seq     int                     // update and message ids
	buttons map[string]shown        // the last message with buttons, per chat
	said    map[string]bots.Message // each speaker's last message, per chat and speaker
	forms   map[string]*filling     // forms being filled in, per speaker
}

// shown is a message with buttons, as numbered on screen.
type shown struct {
	messageID string
	buttons   []bots.Button
}

// filling is a form a speaker is answering field by field.
type filling struct {
	form   bots.Form
	chat   string
	next   int
	values map[string]string
}

// New returns a console.
func New(o Options) *Console {
	if o.Speaker == "" {
		o.Speaker = "alice"
	}
	if o.CommunityName == "" {
		o.CommunityName = "Community"
	}
	if o.Flush == nil {
		o.Flush = func(context.Context) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Console{o: o, run: strconv.FormatInt(o.Now().UnixNano(), 36), out: &printer{w: o.Out}}
	c.state = state{speaker: normalName(o.Speaker), chat: groupChat, buttons: map[string]shown{}, said: map[string]bots.Message{},
		forms: map[string]*filling{}}
	return c
}

// Platform implements bots.Adapter.
func (c *Console) Platform() community.Platform { return community.Console }

// Run implements bots.Adapter: it reads lines until the input ends, /quit
// or ctx ends, and then returns nil, which stops Hearth.
func (c *Console) Run(ctx context.Context, r *bots.Router) error {
	if !c.o.Script {
		c.out.banner(c.o.CommunityName, c.state.speaker)
	}
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(c.o.In)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	for {
		c.prompt()
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			select {
			case err := <-readErr:
				if err != nil {
					return fmt.Errorf("read input: %w", err)
				}
			default:
			}
			return nil
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if c.o.Script {
			c.echo(line)
		}
		quit, err := c.line(ctx, r, line)
		if err != nil {
			return err
		}
		c.o.Flush(ctx)
		if quit {
			return nil
		}
	}
}

func (c *Console) prompt() {
	if c.o.Script {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.prompt(c.state.speaker, shortPlace(c.state.chat))
}

func (c *Console) echo(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.line(c.state.speaker + "> " + line)
}

// line handles one line of input.
func (c *Console) line(ctx context.Context, r *bots.Router, line string) (quit bool, err error) {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	if f := c.form(); f != nil && word != "/cancel" && word != "/quit" {
		if !strings.HasPrefix(word, "/") {
			return false, c.answer(ctx, r, f, line)
		}
		c.cancelForm() // a command stops the form and runs
	}
	switch strings.ToLower(word) {
	case "/quit", "/exit":
		return true, nil
	case "/as":
		return false, c.switchSpeaker(rest)
	case "/group":
		c.moveTo(groupChat)
	case "/staffchat":
		c.moveTo(staffRoom)
	case "/dm":
		c.moveTo(dmPrefix + c.state.speaker)
	case "/press":
		return false, c.press(ctx, r, rest)
	case "/join":
		return false, c.join(ctx, r)
	case "/reply":
		return false, c.reply(ctx, r, rest)
	case "/attach":
		return false, c.attach(ctx, r, rest)
	case "/cancel":
		c.cancelForm()
	default:
		return false, c.say(ctx, r, line)
	}
	return false, nil
}

func (c *Console) switchSpeaker(name string) error {
	name = normalName(name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if name == "" {
		c.out.note("Who? Write /as followed by a name, such as /as bob or /as owner.")
		return nil
	}
	c.state.speaker = name
	if strings.HasPrefix(c.state.chat, dmPrefix) {
		c.state.chat = dmPrefix + name
	}
	c.out.note(fmt.Sprintf("You are now %s, %s.", name, c.placeName(c.state.chat)))
	return nil
}

func (c *Console) moveTo(chat string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.chat = chat
	c.out.note(fmt.Sprintf("%s is now %s.", capitalize(c.state.speaker), c.placeName(chat)))
}

// say sends a message or command from the current speaker, in reply to
// another message when replyTo is given.
func (c *Console) say(ctx context.Context, r *bots.Router, text string, replyTo ...bots.Message) error {
	u := c.update(bots.KindMessage)
	u.Text = text
	if len(replyTo) > 0 {
		u.ReplyTo = &replyTo[0]
	}
	if strings.HasPrefix(text, "/") {
		cmd, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
		u.Command, u.Args = strings.ToLower(cmd), strings.TrimSpace(args)
	} else {
		c.mu.Lock()
		c.state.said[u.Chat.ID+"\x00"+u.From.ID] = bots.Message{ID: u.MessageID, From: u.From, Text: text}
		c.mu.Unlock()
	}
	return r.Handle(ctx, u)
}

// reply sends "NAME TEXT" as a reply to NAME's last message in the
// current place: how the console answers a message, reports it or marks
// it helpful.
func (c *Console) reply(ctx context.Context, r *bots.Router, arg string) error {
	name, text, _ := strings.Cut(arg, " ")
	name, text = normalName(name), strings.TrimSpace(text)
	c.mu.Lock()
	to, ok := c.state.said[c.state.chat+"\x00"+name]
	switch {
	case name == "" || text == "":
		c.out.note("Reply to someone's last message here with /reply NAME TEXT, such as /reply bob /helpful.")
	case !ok:
		c.out.note(capitalize(name) + " has not said anything " + c.placeName(c.state.chat) + " yet.")
	}
	c.mu.Unlock()
	if !ok || text == "" {
		return nil
	}
	return c.say(ctx, r, text, to)
}

// press presses a numbered button of the last message with buttons in the
// current place.
func (c *Console) press(ctx context.Context, r *bots.Router, arg string) error {
	c.mu.Lock()
	last, ok := c.state.buttons[c.state.chat]
	n, err := strconv.Atoi(arg)
	if !ok || err != nil || n < 1 || n > len(last.buttons) {
		msg := "There are no buttons here to press."
		if ok {
			msg = fmt.Sprintf("Press a button by its number, from 1 to %d: /press 1", len(last.buttons))
		}
		c.out.note(msg)
		c.mu.Unlock()
		return nil
	}
	b := last.buttons[n-1]
	c.mu.Unlock()
	if b.URL != "" {
		c.mu.Lock()
		c.out.note("That button opens " + b.URL)
		c.mu.Unlock()
		return nil
	}
	u := c.update(bots.KindButton)
	u.Data, u.MessageID = b.Data, last.messageID
	u.Handle = u.ID
	return r.Handle(ctx, u)
}

// join makes the current speaker join the group, as a newcomer does.
func (c *Console) join(ctx context.Context, r *bots.Router) error {
	u := c.update(bots.KindJoin)
	u.Chat, u.MessageID = c.chatOf(groupChat), ""
	c.mu.Lock()
	c.out.note(capitalize(u.From.ID) + " joined the group.")
	c.mu.Unlock()
	return r.Handle(ctx, u)
}

// update starts an update from the current speaker in the current place.
func (c *Console) update(kind bots.UpdateKind) bots.Update {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.seq++
	id := strconv.Itoa(c.state.seq)
	return bots.Update{
		Platform: community.Console, ID: c.run + "-" + id, Kind: kind, At: c.o.Now(), MessageID: id,
		Chat: c.chatOf(c.state.chat),
		From: bots.User{ID: c.state.speaker, Username: c.state.speaker, DisplayName: capitalize(c.state.speaker)},
	}
}

func (c *Console) chatOf(chat string) bots.Chat {
	switch {
	case chat == groupChat:
		return bots.Chat{ID: groupChat, Kind: community.ChatGroup, Title: c.o.CommunityName}
	case chat == staffRoom:
		return bots.Chat{ID: staffRoom, Kind: community.ChatGroup, Title: c.o.CommunityName + " staff"}
	default:
		return bots.Chat{ID: chat, Kind: community.ChatDirect}
	}
}

func (c *Console) placeName(chat string) string {
	switch {
	case chat == groupChat:
		return "in the group"
	case chat == staffRoom:
		return "in the staff room"
	default:
		return "in a private chat with the bot"
	}
}

// shortPlace names a chat in the prompt.
func shortPlace(chat string) string {
	switch chat {
	case groupChat:
		return "group"
	case staffRoom:
		return "staff room"
	default:
		return "private"
	}
}

// botName is how /reply names Hearth.
const botName = "bot"

func normalName(s string) string {
	s = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	if i := strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r == ':' }); i >= 0 {
		s = s[:i]
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ConfiguredGroups implements bots.ConfiguredGroups: the simulated group
// and staff room are the community's.
func (c *Console) ConfiguredGroups() []community.Group {
	return []community.Group{{Platform: community.Console, ID: groupChat}, {Platform: community.Console, ID: staffRoom}}
}

// Whispers implements bots.Whisperer: the console shows a reply to its
// speaker alone ("only you see this").
func (c *Console) Whispers() bool { return true }
