package outbox

import (
	"encoding/json"
	"testing"
)

// The deliveries table keeps targets and messages as this JSON, and
// storage queries it by these names: a change here is a migration.
func TestDeliverySchemaIsStable(t *testing.T) {
	target := Target{Platform: "telegram", ChatID: "-5", UserID: "7", ThreadID: "3", ReplyTo: "9", Handle: "h", EditID: "11", Lang: "el"}
	msg := Message{Text: "*hi*", Buttons: [][]Button{{{Label: "Go", Data: "x:1", URL: "https://e.x"}}},
		Image: &Image{URL: "https://e.x/a.png", Data: []byte{1}, Name: "a.png"}, File: &File{Name: "d.json", Data: []byte("{}")},
		Ephemeral: true, Edit: true, Forget: true, Privately: true,
		Form: &Form{ID: "f", Title: "T", Fields: []FormField{{ID: "q", Label: "Q", Placeholder: "p", Long: true, Required: true}}}}
	for _, tt := range []struct {
		name string
		v    any
		want string
	}{
		{"target", target, `{"platform":"telegram","chat":"-5","user":"7","thread":"3","reply_to":"9","handle":"h","edit":"11","lang":"el"}`},
		{"message", msg, `{"text":"*hi*","buttons":[[{"label":"Go","data":"x:1","url":"https://e.x"}]],` +
			`"image":{"url":"https://e.x/a.png","data":"AQ==","name":"a.png"},"file":{"name":"d.json","data":"e30="},` +
			`"ephemeral":true,"edit":true,"form":{"id":"f","title":"T","fields":[{"id":"q","label":"Q","placeholder":"p","long":true,"required":true}]},"forget":true}`},
		{"empty message", Message{}, `{}`},
	} {
		got, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
