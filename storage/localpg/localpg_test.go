package localpg

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq"
)

// clusterDir returns a folder for a cluster that the server can reach even
// when the tests run as root and the server as the postgres user.
func clusterDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "pg")
}

func start(t *testing.T, dir string, log *bytes.Buffer) *Server {
	t.Helper()
	s, err := Start(context.Background(), Options{
		Dir:      dir,
		Settings: map[string]string{"fsync": "off"},
		Log:      slog.New(slog.NewTextHandler(log, nil)),
	})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

func query(t *testing.T, dsn, q string, args ...any) string {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out sql.NullString
	if err := db.QueryRow(q, args...).Scan(&out); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out.String
}

func stop(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	select {
	case <-s.Exited():
	default:
		t.Fatal("Stop returned but the server is still running")
	}
}

func TestClusterIsCreatedSocketOnlyAndReusedAfterStop(t *testing.T) {
	dir := clusterDir(t)
	var log bytes.Buffer
	s := start(t, dir, &log)
	if !s.Started() {
		t.Fatal("Started() = false for a server this test started")
	}
	if got := query(t, s.DSN(), "SHOW listen_addresses"); got != "" {
		t.Errorf("listen_addresses = %q, want none (socket only)", got)
	}
	if got := query(t, s.DSN(), "SELECT current_database()"); got != "hearth" {
		t.Errorf("database = %q, want hearth", got)
	}
	if os.Geteuid() == 0 {
		if !strings.Contains(log.String(), "system user postgres") {
			t.Errorf("running as root, the log does not say the server runs as postgres:\n%s", log.String())
		}
	}
	query(t, s.DSN(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here') RETURNING v")
	stop(t, s)
	if _, err := os.Stat(filepath.Join(dir, ".s.PGSQL.5432")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket still there after Stop: %v", err)
	}

	log.Reset()
	again := start(t, dir, &log)
	if got := query(t, again.DSN(), "SELECT v FROM kept"); got != "still here" {
		t.Errorf("second start: got %q, want the data of the first", got)
	}
	if strings.Contains(log.String(), "creating a local PostgreSQL cluster") {
		t.Errorf("second start created a new cluster:\n%s", log.String())
	}
	stop(t, again)
}

func TestRunningServerIsReusedNotStopped(t *testing.T) {
	dir := clusterDir(t)
	var log bytes.Buffer
	first := start(t, dir, &log)
	second := start(t, dir, &log)
	if second.Started() {
		t.Fatal("second Start started another server in the same folder")
	}
	if err := second.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := query(t, first.DSN(), "SELECT 'up'"); got != "up" {
		t.Fatal("stopping the reusing handle stopped the server")
	}
	stop(t, first)
}

func TestServerRunsAsPostgresWhenRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only meaningful when the tests run as root")
	}
	var log bytes.Buffer
	s := start(t, clusterDir(t), &log)
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(s.cmd.Process.Pid), "status"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "Uid:") && strings.Fields(line)[1] == "0" {
			t.Fatalf("the server runs as root: %s", line)
		}
	}
}

func TestNoBinariesTellsHowToFix(t *testing.T) {
	installRoot = t.TempDir()
	t.Cleanup(func() { installRoot = "/usr/lib/postgresql" })
	t.Setenv("PATH", t.TempDir())
	_, err := Start(context.Background(), Options{Dir: clusterDir(t)})
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("got %v, want ErrNotInstalled", err)
	}
	for _, hint := range []string{"apt-get install postgresql", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("error %q does not mention %q", err, hint)
		}
	}
}

func TestBadFoldersAreExplained(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("x", 100), "pg")
	if _, err := Start(context.Background(), Options{Dir: long}); err == nil || !strings.Contains(err.Error(), "shorter database.data_dir") {
		t.Errorf("long path: got %v, want advice to shorten database.data_dir", err)
	}

	dir := clusterDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "holds no PostgreSQL cluster") {
		t.Errorf("non-empty folder: got %v, want a clear refusal", err)
	}

	if os.Geteuid() == 0 {
		private := filepath.Join(t.TempDir(), "private")
		if err := os.Mkdir(private, 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := Start(context.Background(), Options{Dir: filepath.Join(private, "data", "pg")})
		if err == nil || !strings.Contains(err.Error(), "cannot enter "+private) {
			t.Errorf("unreachable parent: got %v, want it named", err)
		}
	}
}
