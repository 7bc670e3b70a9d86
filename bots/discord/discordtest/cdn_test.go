package discordtest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAttachmentsAreServedFromTheCDN: a user's attachment and a file the
// bot uploads both have a signed URL on Discord's CDN host, and the fake
// serves their bytes there through HTTPClient; an unknown file is 404.
func TestAttachmentsAreServedFromTheCDN(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m := f.srv.MessageCreate(f.general, f.alice, "my new mug")
	at := f.srv.Attach(m, Attachment{Name: "mug.jpg", ContentType: "image/jpeg", Size: 8, Open: func() io.Reader { return strings.NewReader("jpegdata") }})
	if len(m.Attachments) != 1 || m.Attachments[0] != at || at.Size != 8 || at.Filename != "mug.jpg" {
		t.Fatalf("attachments = %+v, want mug.jpg of 8 bytes", m.Attachments)
	}
	u, err := url.Parse(at.URL)
	if err != nil || u.Scheme != "https" || u.Host != CDNHost || u.Query().Get("hm") == "" {
		t.Fatalf("URL = %s, want a signed https URL on %s", at.URL, CDNHost)
	}
	if got := get(t, f.srv, at.URL); got != "jpegdata" {
		t.Errorf("download = %q, want the attachment's bytes", got)
	}

	sent, err := restSession(t, f.srv).ChannelFileSend(f.general, "export.csv", strings.NewReader("a,b\n"))
	if err != nil || len(sent.Attachments) != 1 {
		t.Fatalf("file send: %v, %+v", err, sent)
	}
	if got := get(t, f.srv, sent.Attachments[0].URL); got != "a,b\n" {
		t.Errorf("bot's upload = %q, want its bytes", got)
	}
	if n := f.srv.CDNRequests(); n != 2 {
		t.Errorf("CDNRequests() = %d, want 2", n)
	}
	resp, err := f.srv.HTTPClient().Get("https://" + CDNHost + "/attachments/1/2/nothing.png")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown attachment: %s, want 404", resp.Status)
	}
}

func get(t *testing.T, srv *Server, link string) string {
	t.Helper()
	resp, err := srv.HTTPClient().Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v", link, resp.Status, err)
	}
	return string(data)
}
