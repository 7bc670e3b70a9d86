package bots

import (
	"context"
	"strings"

	"github.com/hearthbot/hearth/outbox"
)

// deadLettersShown bounds the dead letters /outbox lists.
const deadLettersShown = 10

// outbox shows what waits and what failed for good, and retries failures:
// /outbox [list|retry] [id|all].
func (c *Core) outbox(ctx context.Context, r *Request) (Reply, error) {
	if r.Arg("action") == "retry" {
		return c.retry(ctx, r, r.Arg("id"))
	}
	status, err := c.store.OutboxStatus(ctx)
	if err != nil {
		return Reply{}, err
	}
	dead, err := c.store.DeadLetters(ctx, deadLettersShown)
	if err != nil {
		return Reply{}, err
	}
	text := r.Text("outbox.status", map[string]any{
		"Waiting": status.PendingDeliveries + status.PendingEvents,
		"Dead":    status.DeadDeliveries + status.DeadEvents,
	})
	inbound, err := c.deadUpdates(ctx, r)
	if err != nil {
		return Reply{}, err
	}
	text += inbound
	if len(dead) == 0 {
		return Reply{Text: text}, nil
	}
	text += "\n" + r.Text("outbox.dead_title", nil)
	for _, d := range dead {
		where := d.Kind
		if !d.Event && d.Target.ChatID == "" {
			where = platformName(d.Target.Platform) + " → " + r.Text("outbox.direct_to", map[string]any{"User": d.Target.UserID})
		} else if !d.Event {
			where = platformName(d.Target.Platform) + " → " + d.Target.ChatID
		}
		text += "\n" + r.Text("outbox.dead_line", map[string]any{"ID": d.DeadRef.String(), "Where": where, "Attempts": d.Attempts, "Error": clip(d.LastError, 200)})
	}
	return Reply{Text: text, Buttons: [][]Button{{{Label: r.Text("outbox.button_retry_all", nil), Data: "outbox:retry:all"}}}}, nil
}

func (c *Core) outboxButton(ctx context.Context, r *Request) (Reply, error) {
	reply, err := c.retry(ctx, r, strings.TrimPrefix(r.Data, "outbox:retry:"))
	reply.Edit = true
	return reply, err
}

// retry queues one dead letter (by id) or all of them again.
func (c *Core) retry(ctx context.Context, r *Request, which string) (Reply, error) {
	var ref outbox.DeadRef
	if which != "all" && which != "" {
		var err error
		if ref, err = outbox.ParseDeadRef(which); err != nil {
			return Reply{}, err
		}
	}
	n, err := c.store.RetryDead(ctx, ref)
	if err != nil {
		return Reply{}, err
	}
	if n > 0 {
		c.router.delivered()
	}
	return Reply{Text: r.Count("outbox.retried", n, nil)}, nil
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// deadUpdates lists the platform updates Hearth gave up on: the database
// refused to record them, or every attempt to handle them failed.
func (c *Core) deadUpdates(ctx context.Context, r *Request) (string, error) {
	dead, total, err := c.router.store.DeadUpdates(ctx, deadLettersShown)
	if err != nil || total == 0 {
		return "", err
	}
	text := "\n\n" + r.Count("outbox.updates_title", total, nil)
	for _, d := range dead {
		text += "\n" + r.Text("outbox.update_line."+d.Stage, map[string]any{"Platform": platformName(d.Platform), "Key": d.Key,
			"At": d.At.UTC().Format("2006-01-02 15:04 UTC"), "Error": clip(d.Error, 200)})
	}
	return text, nil
}
