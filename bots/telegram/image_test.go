package telegram_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// pngBytes is a small real PNG, as a chart renderer would produce.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var moreButton = [][]bots.Button{{{Label: "More", Data: "chart:more"}}}

func imageCommand(name string, reply bots.Reply) bots.Command {
	return bots.Command{Name: name, Permission: community.RoleMember, Where: bots.Anywhere, Run: replies(reply)}
}

// chartAndThenHelp runs /chart, waits for its photo, then runs /help in the
// same chat and waits for that answer. Messages to one chat go out in the
// order they were queued, so every call the chart's reply caused is
// recorded before the help arrives: the calls before it are all of them.
func chartAndThenHelp(t *testing.T, h *hearth) (chartMsg models.Update, calls []telegramtest.Call) {
	t.Helper()
	chartMsg = h.tg.MessageUpdate(group, alice, "/chart")
	h.tg.PushUpdate(chartMsg)
	h.tg.WaitCalls(t, "sendPhoto", 1, 10*time.Second)
	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "/help"))
	for {
		all := h.tg.WaitCalls(t, "", 1, 10*time.Second)
		for i, c := range all {
			if c.Method == "sendMessage" && strings.Contains(c.Params["text"], "/help") {
				return chartMsg, sendsOf(all[:i])
			}
		}
		h.tg.WaitCalls(t, "", len(all)+1, 10*time.Second)
	}
}

// sendsOf keeps the calls that put a message in a chat.
func sendsOf(calls []telegramtest.Call) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range calls {
		if c.Method == "sendPhoto" || c.Method == "sendMessage" {
			out = append(out, c)
		}
	}
	return out
}

func keyboardOf(t *testing.T, c telegramtest.Call) models.InlineKeyboardMarkup {
	t.Helper()
	var kb models.InlineKeyboardMarkup
	if _, ok := c.Params["reply_markup"]; !ok {
		return kb
	}
	if err := c.JSON("reply_markup", &kb); err != nil {
		t.Fatal(err)
	}
	return kb
}

// TestImageByURLIsOnePhotoWithCaptionAndButtons: a reply with an image URL
// and a short text is one sendPhoto: the URL as the photo, the text as its
// HTML caption, the buttons under it, answering the command's message.
func TestImageByURLIsOnePhotoWithCaptionAndButtons(t *testing.T) {
	t.Parallel()
	const url = "https://shop.example/charts/week-12.png"
	h := startCustom(t, custom{commands: []bots.Command{imageCommand("chart",
		bots.Reply{Text: "This week's *tea* chart", Image: &bots.Image{URL: url}, Buttons: moreButton})}})
	msg, calls := chartAndThenHelp(t, h)
	if len(calls) != 1 || calls[0].Method != "sendPhoto" || calls[0].Status != 200 {
		t.Fatalf("chart reply sent as %v; want one sendPhoto", calls)
	}
	p := calls[0]
	if p.Params["photo"] != url || len(p.Files) != 0 {
		t.Errorf("photo = %q, files %d; want the URL, nothing uploaded", p.Params["photo"], len(p.Files))
	}
	if got := p.Params["caption"]; got != "This week's <b>tea</b> chart" || p.Params["parse_mode"] != "HTML" {
		t.Errorf("caption = %q in parse mode %q", got, p.Params["parse_mode"])
	}
	if kb := keyboardOf(t, p); len(kb.InlineKeyboard) != 1 || kb.InlineKeyboard[0][0].CallbackData != "chart:more" {
		t.Errorf("keyboard = %+v", kb)
	}
	var reply models.ReplyParameters
	if err := p.JSON("reply_parameters", &reply); err != nil || reply.MessageID != msg.Message.ID {
		t.Errorf("reply_parameters = %+v, %v; want a reply to %d", reply, err, msg.Message.ID)
	}
	shown := h.tg.Messages(group.ID)[0]
	if len(shown.Photo) != 1 || shown.Caption != "This week's tea chart" || len(shown.CaptionEntities) != 1 {
		t.Errorf("the group shows %+v", shown)
	}
}

// TestImageBytesAreUploaded: an image given as bytes is uploaded as the
// photo file part, byte for byte, under its name.
func TestImageBytesAreUploaded(t *testing.T) {
	t.Parallel()
	data := pngBytes(t)
	h := startCustom(t, custom{commands: []bots.Command{imageCommand("chart",
		bots.Reply{Text: "Your chart", Image: &bots.Image{Data: data, Name: "chart.png"}})}})
	_, calls := chartAndThenHelp(t, h)
	if len(calls) != 1 || calls[0].Method != "sendPhoto" {
		t.Fatalf("chart reply sent as %v; want one sendPhoto", calls)
	}
	if got := calls[0].Files["photo"]; !bytes.Equal(got, data) {
		t.Errorf("uploaded %d bytes, want the %d of the image", len(got), len(data))
	}
	if calls[0].Params["caption"] != "Your chart" {
		t.Errorf("caption = %q", calls[0].Params["caption"])
	}
	if shown := h.tg.Messages(group.ID)[0]; len(shown.Photo) != 1 || shown.Photo[0].FileSize != len(data) {
		t.Errorf("the group shows %+v", shown.Photo)
	}
}

// TestLongCaptionFollowsThePhoto: Telegram takes at most 1024 UTF-16 units
// of caption after markup. A text that fits (its HTML may be longer) is
// the caption; a longer one follows the photo as messages of its own,
// with the buttons under the last one and only the photo answering the
// command.
func TestLongCaptionFollowsThePhoto(t *testing.T) {
	t.Parallel()
	teacups := strings.Repeat("🍵", 511) + "abc" // 514 characters, 1025 UTF-16 units
	for _, tc := range []struct {
		name     string
		text     string
		messages int // text messages after the photo
	}{
		{"exactly 1024 after markup", "*" + strings.Repeat("a", 1024) + "*", 0},
		{"1025 UTF-16 units in 514 characters", teacups, 1},
		{"longer than one message", strings.Repeat("Tea is a way of life. ", 200), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startCustom(t, custom{commands: []bots.Command{imageCommand("chart",
				bots.Reply{Text: tc.text, Image: &bots.Image{URL: "https://shop.example/c.png"}, Buttons: moreButton})}})
			_, calls := chartAndThenHelp(t, h)
			if len(calls) != 1+tc.messages {
				t.Fatalf("sent %v; want a photo and %d messages", calls, tc.messages)
			}
			for _, c := range calls {
				if c.Status != 200 {
					t.Errorf("%v refused", c)
				}
			}
			photo, last := calls[0], calls[len(calls)-1]
			if photo.Method != "sendPhoto" {
				t.Fatalf("first call %s, want sendPhoto", photo.Method)
			}
			if tc.messages == 0 {
				if utf16Units(h.tg.Messages(group.ID)[0].Caption) != 1024 {
					t.Errorf("caption = %q", photo.Params["caption"])
				}
			} else if photo.Params["caption"] != "" {
				t.Errorf("photo has a caption of %d bytes; the text does not fit one", len(photo.Params["caption"]))
			}
			if kb := keyboardOf(t, last); len(kb.InlineKeyboard) != 1 {
				t.Errorf("no buttons under the last message %v", last)
			}
			for _, c := range calls[:len(calls)-1] {
				if _, ok := c.Params["reply_markup"]; ok {
					t.Errorf("%v has buttons; only the last message should", c)
				}
			}
			for i, c := range calls {
				_, replies := c.Params["reply_parameters"]
				if replies != (i == 0) {
					t.Errorf("call %d (%s) answers the command: %t", i, c.Method, replies)
				}
			}
			var text strings.Builder
			for _, c := range calls[1:] {
				text.WriteString(c.Params["text"])
			}
			if tc.messages > 0 && text.String() != tc.text {
				t.Errorf("the text messages do not add up to the text")
			}
		})
	}
}

func utf16Units(s string) int { return len(utf16.Encode([]rune(s))) }

// TestPhotoIsNotSentTwiceWhenTheTextFails: when the photo went out and the
// text after it failed (a 5xx), the retry sends only the text.
func TestPhotoIsNotSentTwiceWhenTheTextFails(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{service: func(o *bots.ServiceOptions) {
		past := time.Now().Add(-time.Hour) // retries are due at once
		o.Now = func() time.Time { return past }
	}})
	h.tg.FailNext("sendMessage", 502, "", 0)
	err := h.store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"},
		Message: bots.Reply{Text: strings.Repeat("long caption ", 100), Image: &bots.Image{URL: "https://shop.example/c.png"}}}})
	if err != nil {
		t.Fatal(err)
	}
	h.svc.Dispatcher.Wake()
	calls := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)
	if calls[0].Status != 502 || calls[1].Status != 200 {
		t.Fatalf("sendMessage statuses %d, %d; want 502 then 200", calls[0].Status, calls[1].Status)
	}
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND cardinality(sent_ids) = 2`, 1)
	if n := len(h.tg.Calls("sendPhoto")); n != 1 {
		t.Errorf("the photo was sent %d times, want once", n)
	}
}
