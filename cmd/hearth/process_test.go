package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// process is hearth running as a separate process (the test binary itself,
// see TestMain).
type process struct {
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
	exited         chan struct{}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startHearth runs hearth with args in a clean environment plus env.
func startHearth(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{"HEARTH_TEST_AS_BINARY=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "HEARTH_LOG_FORMAT=json"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	// An open, silent input: with no platform token hearth run chats on
	// the console, and stops when its input ends.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// waitExit waits up to limit for the process to end and returns its code.
func (p *process) waitExit(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		t.Fatalf("hearth still running after %s; stderr:\n%s", limit, p.stderr)
		return -1
	}
}

// waitForLog waits for a JSON log line with message msg and returns it.
func (p *process) waitForLog(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(p.stderr.String(), "\n") {
			var entry map[string]any
			if json.Unmarshal([]byte(line), &entry) == nil && entry["msg"] == msg {
				return entry
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("hearth exited (%v) before logging %q; stderr:\n%s", p.cmd.ProcessState, msg, p.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("hearth never logged %q; stderr:\n%s", msg, p.stderr)
	return nil
}

func httpStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// reachableDir returns a temporary folder the local PostgreSQL can use even
// when it runs as the postgres user because the tests run as root.
func reachableDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func localQuery(t *testing.T, dataDir, query string) string {
	t.Helper()
	db, err := sql.Open("postgres", fmt.Sprintf("host=%s user=hearth dbname=hearth sslmode=disable", filepath.Join(dataDir, "pg")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out string
	if err := db.QueryRow(query).Scan(&out); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// interruptAndWait sends Ctrl-C and checks that hearth and its PostgreSQL
// are gone within 10 seconds.
func interruptAndWait(t *testing.T, p *process, postgresPID int) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.waitExit(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code after Ctrl-C: %d; stderr:\n%s", code, p.stderr)
	}
	if err := syscall.Kill(postgresPID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("PostgreSQL (pid %d) still running after hearth stopped: %v", postgresPID, err)
	}
}

func TestRunStartsLocalPostgresReusesItAndStopsOnCtrlC(t *testing.T) {
	dataDir := filepath.Join(reachableDir(t), "data")
	env := map[string]string{"HEARTH_DATA_DIR": dataDir, "HEARTH_HTTP_ADDR": "127.0.0.1:0"}
	for k, v := range secretEnv {
		env[k] = v
	}
	// Both bots run, against fake platforms, with secret-bearing tokens.
	env["TELEGRAM_API_URL"] = telegramtest.New(t, secretEnv["TELEGRAM_BOT_TOKEN"]).URL()
	env["DISCORD_API_URL"] = discordtest.New(t, secretEnv["DISCORD_BOT_TOKEN"]).URL()

	first := startHearth(t, env) // no subcommand: run is the default
	started := first.waitForLog(t, "local PostgreSQL started")
	base := first.waitForLog(t, "Hearth is running; stop it with Ctrl-C")["http"].(string)
	for _, path := range []string{"/healthz", "/readyz"} {
		if code := httpStatus(t, base+path); code != http.StatusOK {
			t.Errorf("first run: GET %s = %d, want 200", path, code)
		}
	}
	localQuery(t, dataDir, "INSERT INTO members (display_name) VALUES ('kept across runs') RETURNING display_name")
	interruptAndWait(t, first, int(started["pid"].(float64)))
	if _, err := os.Stat(filepath.Join(dataDir, "pg", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid left behind: %v", err)
	}

	second := startHearth(t, env, "run")
	started = second.waitForLog(t, "local PostgreSQL started")
	base = second.waitForLog(t, "Hearth is running; stop it with Ctrl-C")["http"].(string)
	if code := httpStatus(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("second run: GET /readyz = %d, want 200", code)
	}
	if got := localQuery(t, dataDir, "SELECT display_name FROM members"); got != "kept across runs" {
		t.Errorf("second run sees %q, want the first run's data", got)
	}
	for _, fresh := range []string{"creating a local PostgreSQL cluster", "applied migration"} {
		if strings.Contains(second.stderr.String(), fresh) {
			t.Errorf("second run logged %q: it should reuse the cluster and schema", fresh)
		}
	}
	interruptAndWait(t, second, int(started["pid"].(float64)))

	for _, p := range []*process{first, second} {
		if out := p.stdout.String() + p.stderr.String(); strings.Contains(out, sentinel) {
			t.Fatalf("hearth run printed a secret:\n%s", out)
		}
	}
}

func TestMigrateConcurrentlyThenNothingToDo(t *testing.T) {
	env := map[string]string{"DATABASE_URL": storagetest.EmptyURL(t)}
	a, b := startHearth(t, env, "migrate"), startHearth(t, env, "migrate")
	for name, p := range map[string]*process{"first": a, "second": b} {
		if code := p.waitExit(t, 2*time.Minute); code != 0 {
			t.Fatalf("%s concurrent migrate: exit %d; stderr:\n%s", name, code, p.stderr)
		}
	}
	if n := strings.Count(a.stdout.String()+b.stdout.String(), "applied 00001_init.sql"); n != 1 {
		t.Fatalf("00001_init.sql applied %d times by two concurrent migrates, want once:\n%s\n%s", n, a.stdout, b.stdout)
	}

	latest, err := filepath.Glob("../../storage/migrations/*.sql")
	if err != nil || len(latest) == 0 {
		t.Fatalf("list migrations: %v", err)
	}
	// The latest version is the last file's number (numbers may skip while
	// branches land).
	version, err := strconv.Atoi(strings.SplitN(filepath.Base(latest[len(latest)-1]), "_", 2)[0])
	if err != nil {
		t.Fatalf("latest migration %s: %v", latest[len(latest)-1], err)
	}
	again := startHearth(t, env, "migrate")
	if code := again.waitExit(t, time.Minute); code != 0 || !strings.HasPrefix(again.stdout.String(), fmt.Sprintf("nothing to apply: the schema is at version %d", version)) {
		t.Fatalf("migrate on a current schema: exit %d, stdout %q", code, again.stdout)
	}
	status := startHearth(t, env, "migrate", "--status")
	if code := status.waitExit(t, time.Minute); code != 0 || !strings.Contains(status.stdout.String(), "00001_init.sql") || strings.Contains(status.stdout.String(), "pending") {
		t.Fatalf("migrate --status: exit %d, stdout %q", code, status.stdout)
	}
}

func TestRuntimeFailuresExit1WithOneLine(t *testing.T) {
	t.Run("database unreachable", func(t *testing.T) {
		p := startHearth(t, map[string]string{
			"DATABASE_URL":              "postgres://hearth:" + sentinel + "@127.0.0.1:1/hearth?sslmode=disable",
			"HEARTH_DB_CONNECT_TIMEOUT": "1s",
		}, "migrate")
		if code := p.waitExit(t, 30*time.Second); code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		stderr := p.stderr.String()
		last := lastLine(stderr)
		if !strings.HasPrefix(last, "hearth: database at postgres://hearth:%2A%2A%2A%2A%2A%2A%2A%2A@127.0.0.1:1/hearth") || !strings.Contains(last, "not reachable") {
			t.Errorf("last stderr line %q, want the redacted URL and 'not reachable'", last)
		}
		if strings.Contains(stderr+p.stdout.String(), sentinel) {
			t.Errorf("output reveals the database password:\n%s", stderr)
		}
	})
	t.Run("http address taken", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		p := startHearth(t, map[string]string{"DATABASE_URL": storagetest.URL(t), "HEARTH_HTTP_ADDR": taken.Addr().String()}, "run")
		if code := p.waitExit(t, time.Minute); code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		if last := lastLine(p.stderr.String()); !strings.Contains(last, "address already in use") || !strings.HasPrefix(last, "hearth: ") {
			t.Errorf("last stderr line %q, want a one-line reason", last)
		}
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestRunWithoutTokensChatsOnTheConsole pipes a script into hearth run
// with no platform token: the console answers it on stdout and Hearth
// stops cleanly when the script ends.
func TestRunWithoutTokensChatsOnTheConsole(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{"HEARTH_TEST_AS_BINARY=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + storagetest.URL(t), "HEARTH_HTTP_ADDR=127.0.0.1:0", "HEARTH_COMMUNITY_NAME=Tea Lovers"}
	cmd.Stdin = strings.NewReader("/help\n/as owner\n/setstaff\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("hearth run: %v\nstderr:\n%s", err, stderr.String())
	}
	for _, want := range []string{
		"alice> /help\nbot (only you see this)> Tea Lovers: commands you can use here\n",
		"owner> /setstaff\nbot> This chat is now the staff chat for console.",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, stdout.String())
		}
	}
}
