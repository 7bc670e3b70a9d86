package telegram

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// ackGate makes long polling acknowledge only handled updates. The Bot API
// confirms every update below the offset of the next getUpdates call, and
// the library asks again as soon as it has queued the previous batch; the
// gate holds that next call until every update of the previous batches has
// been handled, so an update Hearth stops before handling is delivered
// again after a restart.
type ackGate struct {
	client  *http.Client
	mu      sync.Mutex
	pending map[int64]bool
	done    chan struct{} // closed when pending becomes empty
}

func newAckGate(client *http.Client) *ackGate {
	return &ackGate{client: client, pending: map[int64]bool{}}
}

// Do implements the library's HttpClient.
func (g *ackGate) Do(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/getUpdates") {
		return g.client.Do(req)
	}
	if wait := g.wait(); wait != nil {
		select {
		case <-wait:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	resp, err := g.client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var batch struct {
		Result []struct {
			ID int64 `json:"update_id"`
		} `json:"result"`
	}
	if json.Unmarshal(body, &batch) == nil {
		g.mu.Lock()
		for _, u := range batch.Result {
			g.pending[u.ID] = true
		}
		g.mu.Unlock()
	}
	return resp, nil
}

// wait returns a channel closed once nothing is pending, or nil when
// nothing is.
func (g *ackGate) wait() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) == 0 {
		return nil
	}
	if g.done == nil {
		g.done = make(chan struct{})
	}
	return g.done
}

// handled marks an update handled.
func (g *ackGate) handled(id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.pending, id)
	if len(g.pending) == 0 && g.done != nil {
		close(g.done)
		g.done = nil
	}
}
