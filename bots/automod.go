package bots

import (
	"context"
	"sync"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// automod watches the groups' messages for floods, blocked words and
// newcomers' links and media. Every message is screened in process (pure
// checks of the text, and a sliding window per sender for floods); only a
// message that may break a rule is handled, with the database, which has
// the last word: a flood is confirmed by counting the sender's recorded
// messages, so acting never rests on one replica's memory.
type automod struct {
	f     *moderationFeature
	judge *community.Automod
	rules community.AutomodRules
	flood *floodWindows
	// staff are senders known to be staff; settled, senders known to be
	// no newcomers (or verified buyers), whose links and media are fine.
	staff, settled *exemptions
}

func newAutomod(f *moderationFeature, judge *community.Automod) *automod {
	return &automod{f: f, judge: judge, rules: f.o.Automod,
		flood: newFloodWindows(f.o.Automod.FloodMessages, f.o.Automod.FloodWindow),
		staff: newExemptions(exemptFor), settled: newExemptions(exemptFor)}
}

// exemptFor is how long automod remembers that a sender is staff or no
// newcomer, so their links cost no database work.
const exemptFor = 5 * time.Minute

// inspect is the in-process screen of every plain message: it flags those
// automod must look at.
func (a *automod) inspect(u Update) bool {
	if u.IsDirect() || u.From.ID == "" || u.From.IsBot {
		return false
	}
	key := senderKey(u)
	flooding := u.Kind == KindMessage && a.flood.add(key, u.At) // an edit is no new message
	if a.staff.has(key) {
		return false
	}
	blocked, linkOrMedia := a.rules.Screen(u.Text, len(u.Media) > 0)
	return flooding || blocked != "" || linkOrMedia && !a.settled.has(key)
}

func senderKey(u Update) string {
	return string(u.Platform) + "\x00" + u.Chat.ID + "\x00" + u.From.ID
}

// check asks the domain for its verdict on a flagged message and carries
// it out: deletes the messages and warns or mutes their sender. It
// remembers senders the verdict exempts or settles.
func (a *automod) check(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	key := senderKey(r.Update)
	v, err := a.judge.Verdict(ctx, community.AutomodMessage{Member: r.Member, Account: r.Account(), Chat: r.ChatID,
		MessageID: r.MessageID, Text: r.Update.Text, Media: len(r.Media) > 0, At: r.At, InStaffChat: r.InStaffChat,
		Flooding: r.Kind == KindMessage && a.flood.flooding(key, r.At), Settled: a.settled.has(key)})
	switch {
	case err != nil:
		return nil, err
	case v.Exempt:
		a.staff.add(key)
	case v.Settled:
		a.settled.add(key)
	}
	if v.Rule == "" {
		return nil, nil
	}
	if v.Rule == community.RuleFlood {
		a.flood.reset(key)
	}
	return a.act(ctx, r, v.Rule, v.Detail, v.Messages)
}

// act deletes the messages and sanctions the sender, then tells the group
// in a line; the staff log hears of it from the sanction's event. The
// messages stop counting toward engagement and points, even where the
// platform would not let Hearth delete them.
func (a *automod) act(ctx context.Context, r *Request, rule, detail string, messages []string) ([]outbox.Outgoing, error) {
	deleted := len(messages)
	if err := a.f.enforcer.Delete(ctx, r.Platform, r.Update.Chat.ID, messages); err != nil {
		a.f.router.log.Warn("automod could not delete", "platform", r.Platform, "chat", r.Update.Chat.ID, "rule", rule, "error", err)
		deleted = 0
	}
	out, err := a.f.mod.Automod(ctx, community.AutomodHit{Member: r.Member, Group: groupOf(r), Chat: r.ChatID, Messages: messages,
		Rule: rule, Detail: detail, Deleted: deleted})
	switch community.ErrorCode(err) {
	case "":
	case community.EConflict, community.EForbidden:
		return nil, nil // muted already (what it removed earns nothing all the same), or staff after all
	default:
		return nil, err
	}
	cat := a.f.router.catalog
	text := cat.Text(r.Lang, "mod.automod."+rule, map[string]any{"Name": out.Member.DisplayName})
	if out.Warning != nil {
		text += "\n" + a.f.warnedText(r.Lang, out)
	} else if out.Sanction != nil {
		text += "\n" + a.f.sanctionedText(r.Lang, out.Member.DisplayName, out.Sanction)
	}
	return []outbox.Outgoing{{Target: outbox.Target{Platform: r.Platform, ChatID: r.Update.Chat.ID, ThreadID: r.ThreadID, Lang: r.Lang}, Message: Reply{Text: text}}}, nil
}

// floodWindows keeps, per sender in a chat, the times of their latest
// messages: at most as many as make a flood.
type floodWindows struct {
	limit  int
	window time.Duration
	mu     sync.Mutex
	seen   map[string][]time.Time
	adds   int
}

func newFloodWindows(limit int, window time.Duration) *floodWindows {
	return &floodWindows{limit: limit, window: window, seen: map[string][]time.Time{}}
}

// add records a message at t and reports whether the sender is flooding.
func (w *floodWindows) add(key string, t time.Time) bool {
	if w.limit <= 0 {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.adds++; w.adds%4096 == 0 {
		w.prune(t)
	}
	times := append(w.seen[key], t)
	if len(times) > w.limit {
		times = times[len(times)-w.limit:]
	}
	w.seen[key] = times
	return w.fullLocked(times, t)
}

// flooding reports whether the sender's window is full at t.
func (w *floodWindows) flooding(key string, t time.Time) bool {
	if w.limit <= 0 {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fullLocked(w.seen[key], t)
}

func (w *floodWindows) fullLocked(times []time.Time, t time.Time) bool {
	return len(times) >= w.limit && t.Sub(times[len(times)-w.limit]) <= w.window
}

// reset forgets a sender once automod has acted on them.
func (w *floodWindows) reset(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.seen, key)
}

// prune drops senders silent for longer than the window.
func (w *floodWindows) prune(now time.Time) {
	for k, times := range w.seen {
		if now.Sub(times[len(times)-1]) > w.window {
			delete(w.seen, k)
		}
	}
}

// exemptions remembers senders automod need not look up for a while.
type exemptions struct {
	ttl  time.Duration
	mu   sync.Mutex
	till map[string]time.Time
}

const maxExemptions = 100_000

func newExemptions(ttl time.Duration) *exemptions {
	return &exemptions{ttl: ttl, till: map[string]time.Time{}}
}

func (e *exemptions) add(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.till) >= maxExemptions {
		clear(e.till)
	}
	e.till[key] = time.Now().Add(e.ttl)
}

func (e *exemptions) has(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	until, ok := e.till[key]
	return ok && time.Now().Before(until)
}
