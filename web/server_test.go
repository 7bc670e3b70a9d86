package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/hearthbot/hearth/web"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

var quiet = slog.New(slog.DiscardHandler)

// serve starts a server whose readiness is that of db's migrations.
func serve(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	m, err := storage.NewMigrator(db, quiet)
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.Listen("127.0.0.1:0", m.Ready, web.NewRegistry("test-1.2.3"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return "http://" + s.Addr()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestProbesOnAMigratedDatabase(t *testing.T) {
	base := serve(t, storagetest.New(t))
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, base+path); code != http.StatusOK {
			t.Errorf("GET %s: %d %s, want 200", path, code, body)
		}
	}
}

func TestReadyzIs503WithPendingMigrationsOrNoDatabase(t *testing.T) {
	db, err := storage.Open(context.Background(), storagetest.EmptyURL(t), storage.DefaultPoolOptions, quiet)
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, db)

	code, body := get(t, base+"/readyz")
	var answer struct{ Status, Reason string }
	if err := json.Unmarshal([]byte(body), &answer); err != nil {
		t.Fatalf("readyz body %q: %v", body, err)
	}
	if code != http.StatusServiceUnavailable || !strings.Contains(answer.Reason, "migrations pending") {
		t.Errorf("empty database: %d %+v, want 503 naming pending migrations", code, answer)
	}

	db.Close()
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database unreachable") {
		t.Errorf("closed database: %d %s, want 503 database unreachable", code, body)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz with the database gone: %d, want 200 (the process is up)", code)
	}
}

func TestMetricsExposeRuntimeProcessAndHearthCounters(t *testing.T) {
	base := serve(t, storagetest.New(t))
	get(t, base+"/healthz")
	get(t, base+"/healthz")
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	for _, want := range []string{
		"go_goroutines ",
		"process_resident_memory_bytes ",
		`hearth_build_info{version="test-1.2.3"} 1`,
		`hearth_http_requests_total{code="200",route="GET /healthz"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
