package outbox

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Limits every platform accepts, so that one reply fits all of them.
const (
	MaxButtonData  = 64 // bytes: Telegram's callback_data (Discord allows 100)
	MaxButtonLabel = 80 // characters: Discord's button label
	MaxButtonsRow  = 5  // Discord's buttons per row
	MaxButtonRows  = 5  // Discord's rows per message
	MaxFormTitle   = 45 // characters: Discord's modal title
	MaxFormFields  = 5
	MaxFileSize    = 8 << 20 // bytes: under Discord's 10 MiB upload limit
)

// Message is a platform-neutral message: text in Hearth's markup, rows of
// buttons, an optional image. Adapters render it natively.
type Message struct {
	Text    string     `json:"text,omitempty"`
	Buttons [][]Button `json:"buttons,omitempty"`
	Image   *Image     `json:"image,omitempty"`
	// File is a document sent with the text, such as a member's data
	// export; a reply has an image or a file, not both.
	File *File `json:"file,omitempty"`
	// Media are stored files (members' photos and videos) sent with the
	// text as their caption; several are an album. A reply has media or
	// an image or a file, not two of them.
	Media []MediaRef `json:"media,omitempty"`
	// Ephemeral replies are seen only by the member they answer where the
	// platform can do that (Discord interactions, Telegram button alerts).
	Ephemeral bool `json:"ephemeral,omitempty"`
	// Edit replaces the message whose button was pressed, instead of
	// sending a new one.
	Edit bool `json:"edit,omitempty"`
	// Form asks the member to fill in fields: a Discord modal; on Telegram
	// and the console, a prompt the member answers.
	Form *Form `json:"form,omitempty"`
	// Forget deletes the delivery once sent instead of keeping it: for
	// the last words to a member who asked to be forgotten.
	Forget bool `json:"forget,omitempty"`
	// Guard ("kind:argument") is checked again right before each attempt
	// to send: a message that may go only while something still holds
	// (a reshare while its author's consent does) is not sent once it no
	// longer does. See Dispatcher.Guard.
	Guard string `json:"guard,omitempty"`
	// Undelivered is the event queued, in the same transaction, when the
	// message is given up on (the member blocked the bot, the chat is
	// gone, the attempts ran out): someone is told it did not arrive.
	Undelivered *Notice `json:"undelivered,omitempty"`
	// Privately: an answer to a member's message in a group that only they
	// should see; where the platform cannot show it to them alone there,
	// it goes to them privately (the router decides where it goes).
	Privately bool `json:"-"`
}

// Button is a button under a message: it either sends Data back to Hearth
// when pressed or opens URL.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Image is a picture sent with a message, by URL or as bytes.
type Image struct {
	URL  string `json:"url,omitempty"`
	Data []byte `json:"data,omitempty"`
	Name string `json:"name,omitempty"` // file name, such as chart.png
}

// Notice is an event a message queues when it is given up on: its kind
// and payload, as an Event's.
type Notice struct {
	Kind    string          `json:"kind"`
	Payload json.RawMessage `json:"payload"`
}

// File is a document attached to a message.
type File struct {
	Name string `json:"name"` // such as hearth-data.json
	Data []byte `json:"data"`
}

// Form asks a member for a few values; its submission comes back as an
// update of kind KindForm with Data = ID.
type Form struct {
	ID     string      `json:"id"`
	Title  string      `json:"title"`
	Fields []FormField `json:"fields"`
}

// FormField is one value a form asks for.
type FormField struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Placeholder string `json:"placeholder,omitempty"`
	Long        bool   `json:"long,omitempty"` // several lines
	Required    bool   `json:"required,omitempty"`
}

// IsEmpty reports whether the reply says nothing at all.
func (r Message) IsEmpty() bool {
	return r.Text == "" && r.Image == nil && r.File == nil && len(r.Media) == 0 && r.Form == nil && len(r.Buttons) == 0
}

// Validate checks the reply against the limits every platform shares, so a
// bad reply fails in tests rather than on one platform in production.
func (r Message) Validate() error {
	if len(r.Buttons) > MaxButtonRows {
		return fmt.Errorf("reply has %d button rows; at most %d", len(r.Buttons), MaxButtonRows)
	}
	for i, row := range r.Buttons {
		if len(row) == 0 || len(row) > MaxButtonsRow {
			return fmt.Errorf("button row %d has %d buttons; want 1 to %d", i+1, len(row), MaxButtonsRow)
		}
		for _, b := range row {
			if err := b.validate(); err != nil {
				return err
			}
		}
	}
	if r.Image != nil && r.Image.URL == "" && len(r.Image.Data) == 0 {
		return fmt.Errorf("reply image has neither a URL nor data")
	}
	if r.File != nil {
		switch {
		case r.Image != nil:
			return fmt.Errorf("reply has both an image and a file")
		case r.File.Name == "" || len(r.File.Data) == 0:
			return fmt.Errorf("reply file needs a name and data")
		case len(r.File.Data) > MaxFileSize:
			return fmt.Errorf("reply file %s is %d bytes; at most %d", r.File.Name, len(r.File.Data), MaxFileSize)
		}
	}
	if err := r.validateMedia(); err != nil {
		return err
	}
	if r.Form != nil {
		return r.Form.validate()
	}
	return nil
}

func (r Message) validateMedia() error {
	switch {
	case len(r.Media) == 0:
		return nil
	case len(r.Media) > MaxMedia:
		return fmt.Errorf("reply has %d media; at most %d", len(r.Media), MaxMedia)
	case r.Image != nil || r.File != nil:
		return fmt.Errorf("reply has media and an image or a file; it may have one kind")
	}
	for _, m := range r.Media {
		if err := m.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (b Button) validate() error {
	switch n := utf8.RuneCountInString(b.Label); {
	case n == 0:
		return fmt.Errorf("a button has no label")
	case n > MaxButtonLabel:
		return fmt.Errorf("button %q: the label is longer than %d characters", b.Label, MaxButtonLabel)
	}
	if (b.Data == "") == (b.URL == "") {
		return fmt.Errorf("button %q needs either data or a URL", b.Label)
	}
	if len(b.Data) > MaxButtonData {
		return fmt.Errorf("button %q: data %q is longer than %d bytes", b.Label, b.Data, MaxButtonData)
	}
	return nil
}

func (f Form) validate() error {
	if f.ID == "" || len(f.ID) > MaxButtonData {
		return fmt.Errorf("form %q: the id must be 1 to %d bytes", f.ID, MaxButtonData)
	}
	if n := utf8.RuneCountInString(f.Title); n == 0 || n > MaxFormTitle {
		return fmt.Errorf("form %q: the title must be 1 to %d characters", f.ID, MaxFormTitle)
	}
	if len(f.Fields) == 0 || len(f.Fields) > MaxFormFields {
		return fmt.Errorf("form %q has %d fields; want 1 to %d", f.ID, len(f.Fields), MaxFormFields)
	}
	for _, fl := range f.Fields {
		if fl.ID == "" || fl.Label == "" || utf8.RuneCountInString(fl.Label) > MaxFormTitle {
			return fmt.Errorf("form %q: field %q needs an id and a label of at most %d characters", f.ID, fl.ID, MaxFormTitle)
		}
	}
	return nil
}
