package discord

import (
	"net/http"
	"net/url"
	"time"
)

// rewriteHost sends every request to base's scheme and host, keeping the
// path: discordgo's endpoints are fixed to discord.com, and this is how
// discord.api_url points them elsewhere (a test server, a proxy).
type rewriteHost struct {
	base *url.URL
	next http.RoundTripper
}

func (t rewriteHost) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == t.base.Host && req.URL.Scheme == t.base.Scheme {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, t.base.Host
	return t.next.RoundTrip(r)
}

// apiClient is the HTTP client for apiURL.
func apiClient(apiURL string) (*http.Client, error) {
	base, err := url.Parse(apiURL)
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 20 * time.Second, Transport: rewriteHost{base: base, next: http.DefaultTransport}}, nil
}
