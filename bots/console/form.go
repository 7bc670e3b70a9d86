package console

import (
	"context"
	"fmt"

	"github.com/hearthbot/hearth/bots"
)

// form returns the form the current speaker is filling in, if any.
func (c *Console) form() *filling {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.forms[c.state.speaker]
}

// startForm shows a form's first question to whoever it was sent to.
func (c *Console) startForm(speaker, chat string, f bots.Form) {
	c.state.forms[speaker] = &filling{form: f, chat: chat, values: map[string]string{}}
	c.out.line("bot> " + f.Title)
	c.askNext(c.state.forms[speaker])
}

func (c *Console) askNext(f *filling) {
	field := f.form.Fields[f.next]
	hint := ""
	if field.Placeholder != "" {
		hint = " For example: " + field.Placeholder + "."
	}
	c.out.note(fmt.Sprintf("%s?%s Type your answer, or /cancel.", field.Label, hint))
}

// answer fills in the next field; the last answer submits the form.
func (c *Console) answer(ctx context.Context, r *bots.Router, f *filling, text string) error {
	c.mu.Lock()
	f.values[f.form.Fields[f.next].ID] = text
	f.next++
	if f.next < len(f.form.Fields) {
		c.askNext(f)
		c.mu.Unlock()
		return nil
	}
	delete(c.state.forms, c.state.speaker)
	c.mu.Unlock()
	u := c.update(bots.KindForm)
	u.Chat = c.chatOf(f.chat)
	u.Data, u.Fields, u.Handle = f.form.ID, f.values, u.ID
	return r.Handle(ctx, u)
}

func (c *Console) cancelForm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.forms[c.state.speaker] == nil {
		c.out.note("There is nothing to cancel.")
		return
	}
	delete(c.state.forms, c.state.speaker)
	c.out.note("Form cancelled.")
}
