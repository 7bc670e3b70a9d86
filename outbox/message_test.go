package outbox

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestMessageValidate(t *testing.T) {
	ok := Button{Label: "Go", Data: "go"}
	row := func(n int) []Button {
		r := make([]Button, n)
		for i := range r {
			r[i] = ok
		}
		return r
	}
	form := func(f func(*Form)) *Form {
		fm := &Form{ID: "ask", Title: "Ask", Fields: []FormField{{ID: "q", Label: "Question"}}}
		f(fm)
		return fm
	}
	for _, tt := range []struct {
		name string
		msg  Message
		want string // "" for valid
	}{
		{"text and a full grid of buttons", Message{Text: "hi", Buttons: [][]Button{row(5), row(5), row(5), row(5), row(5)}}, ""},
		{"too many rows", Message{Buttons: [][]Button{row(1), row(1), row(1), row(1), row(1), row(1)}}, "6 button rows; at most 5"},
		{"an empty row", Message{Buttons: [][]Button{{}}}, "button row 1 has 0 buttons"},
		{"a row too wide", Message{Buttons: [][]Button{row(6)}}, "button row 1 has 6 buttons"},
		{"no label", Message{Buttons: [][]Button{{{Data: "x"}}}}, "a button has no label"},
		{"a long label", Message{Buttons: [][]Button{{{Label: strings.Repeat("é", 81), Data: "x"}}}}, "longer than 80 characters"},
		{"data and a URL", Message{Buttons: [][]Button{{{Label: "a", Data: "x", URL: "https://e.x"}}}}, "needs either data or a URL"},
		{"neither data nor a URL", Message{Buttons: [][]Button{{{Label: "a"}}}}, "needs either data or a URL"},
		{"data over Telegram's 64 bytes", Message{Buttons: [][]Button{{{Label: "a", Data: strings.Repeat("x", 65)}}}}, "longer than 64 bytes"},
		{"an image with nothing", Message{Image: &Image{Name: "a.png"}}, "neither a URL nor data"},
		{"an image and a file", Message{Image: &Image{URL: "u"}, File: &File{Name: "a", Data: []byte{1}}}, "both an image and a file"},
		{"a file with no data", Message{File: &File{Name: "a"}}, "needs a name and data"},
		{"a file too large", Message{File: &File{Name: "a", Data: make([]byte, MaxFileSize+1)}}, "at most 8388608"},
		{"an album of ten", Message{Text: "look", Media: refs(10)}, ""},
		{"eleven media", Message{Media: refs(11)}, "11 media; at most 10"},
		{"media and an image", Message{Media: refs(1), Image: &Image{URL: "u"}}, "media and an image or a file"},
		{"media and a file", Message{Media: refs(1), File: &File{Name: "a", Data: []byte{1}}}, "media and an image or a file"},
		{"a short hash", Message{Media: []MediaRef{{Hash: "abcd", Type: "image/png"}}}, "not a hex SHA-256"},
		{"media of no MIME type", Message{Media: []MediaRef{{Hash: strings.Repeat("ab", 32), Type: "pdf"}}}, "not a MIME type"},
		{"a form", Message{Form: form(func(*Form) {})}, ""},
		{"a form with no id", Message{Form: form(func(f *Form) { f.ID = "" })}, "the id must be 1 to 64 bytes"},
		{"a form title too long", Message{Form: form(func(f *Form) { f.Title = strings.Repeat("t", 46) })}, "the title must be 1 to 45"},
		{"a form with no fields", Message{Form: form(func(f *Form) { f.Fields = nil })}, "0 fields; want 1 to 5"},
		{"a field with no label", Message{Form: form(func(f *Form) { f.Fields[0].Label = "" })}, `field "q" needs an id and a label`},
	} {
		err := tt.msg.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	if (Message{Media: refs(1)}).IsEmpty() {
		t.Error("IsEmpty: a message with media is not empty")
	}
	if !(Message{}).IsEmpty() || (Message{Buttons: [][]Button{row(1)}}).IsEmpty() {
		t.Error("IsEmpty: an empty message is empty, one with a button is not")
	}
}

func TestTargetKeyKeepsEachQueueApart(t *testing.T) {
	for _, tt := range []struct {
		target Target
		want   string
	}{
		{Target{Platform: "discord", ChatID: "5", Handle: "h1"}, "discord:handle:h1"}, // an interaction answer stands alone
		{Target{Platform: "telegram", ChatID: "-5", UserID: "7"}, "telegram:-5"},
		{Target{Platform: "discord", UserID: "7"}, "discord:user:7"},
	} {
		if got := tt.target.Key(); got != tt.want {
			t.Errorf("%+v: key %q, want %q", tt.target, got, tt.want)
		}
	}
}

func TestPermanentErrorsAreKnownThroughWrapping(t *testing.T) {
	boom := errors.New("boom")
	if !IsPermanent(errors.Join(errors.New("send"), Permanent(boom))) || IsPermanent(boom) {
		t.Error("IsPermanent must see a wrapped permanent error, and only that")
	}
	if !errors.Is(Permanent(boom), boom) || !strings.Contains(Permanent(boom).Error(), "will not retry: boom") {
		t.Error("a permanent error keeps its cause")
	}
}

// refs are n media references to distinct stored photos.
func refs(n int) []MediaRef {
	out := make([]MediaRef, n)
	for i := range out {
		out[i] = MediaRef{Hash: fmt.Sprintf("%064x", i+1), Type: "image/jpeg"}
	}
	return out
}

func TestMediaFileName(t *testing.T) {
	h := strings.Repeat("0a", 32)
	for _, tt := range []struct {
		ref  MediaRef
		want string
	}{
		{MediaRef{Hash: h, Type: "image/jpeg"}, "media-0a0a0a0a.jpg"},
		{MediaRef{Hash: h, Type: "video/mp4"}, "media-0a0a0a0a.mp4"},
		{MediaRef{Hash: h, Type: "image/png", Name: "tea.png"}, "tea.png"},
	} {
		if got := tt.ref.FileName(); got != tt.want {
			t.Errorf("%+v: file name %q, want %q", tt.ref, got, tt.want)
		}
	}
}
