package discord

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hearthbot/hearth/bots"
)

// cdnHosts are where Discord keeps attachments: FetchMedia downloads from
// nowhere else, whatever URL a media names.
var cdnHosts = map[string]bool{"cdn.discordapp.com": true, "media.discordapp.net": true}

// downloadTimeout bounds one attachment download.
const downloadTimeout = 10 * time.Minute

// FetchMedia implements bots.MediaFetcher: a GET of the attachment's URL
// on Discord's CDN, streamed.
func (a *Adapter) FetchMedia(ctx context.Context, m bots.Media, max int64) (io.ReadCloser, error) {
	if err := bots.CheckMediaSize(m.Size, max); err != nil {
		return nil, err
	}
	u, err := url.Parse(m.FileID)
	if err != nil || u.Scheme != "https" || !cdnHosts[u.Hostname()] {
		return nil, fmt.Errorf("discord attachment %q: not a URL on Discord's CDN", m.FileID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("discord attachment: %w", err)
	}
	resp, err := a.files.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discord attachment: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("discord attachment %s: %s", u.Path, resp.Status)
	}
	if err := bots.CheckMediaSize(resp.ContentLength, max); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return bots.LimitMedia(resp.Body, max), nil
}

// fileClient downloads attachments. Their URLs name Discord's CDN, which
// the API client would send to the API's host: that is right only for a
// server standing in for all of Discord (a test server, HTTPClient or a
// non-Discord api_url); for Discord itself the URL is taken as it is.
func fileClient(o Options, api *http.Client) *http.Client {
	if o.HTTPClient != nil {
		return api
	}
	if base, err := url.Parse(o.APIURL); err == nil && base.Host != "" && base.Hostname() != "discord.com" {
		return api
	}
	return &http.Client{Timeout: downloadTimeout, CheckRedirect: onlyToCDN}
}

// onlyToCDN follows a redirect only to Discord's CDN, over https: an
// attachment's URL never leads Hearth anywhere else.
func onlyToCDN(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return fmt.Errorf("discord attachment: more than %d redirects", len(via))
	}
	if req.URL.Scheme != "https" || !cdnHosts[req.URL.Hostname()] {
		return fmt.Errorf("discord attachment: redirected off Discord's CDN, to %s", req.URL.Host)
	}
	return nil
}
