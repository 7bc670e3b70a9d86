// Package localpg runs a private PostgreSQL server for Hearth when no
// database URL is configured: a cluster in a folder of Hearth's, created
// with the server binaries installed on the machine, reachable only through
// a Unix socket inside that folder, and stopped when Hearth stops.
package localpg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// superuser is the PostgreSQL role initdb creates for Hearth.
const superuser = "hearth"

// port only names the socket file (.s.PGSQL.5432): nothing listens on TCP.
const port = "5432"

// maxSocketPath is the longest Unix socket path Linux accepts (sun_path).
const maxSocketPath = 107

// Options says where the cluster lives and how to run it.
type Options struct {
	// Dir is the cluster's data folder (PGDATA); created when missing.
	Dir string
	// Database is created on first start if missing; "hearth" by default.
	Database string
	// Settings are extra server settings (name -> value), such as
	// fsync=off for throwaway test clusters.
	Settings map[string]string
	// Log receives what Hearth does with the cluster; the server's own
	// output goes to Dir + ".log".
	Log *slog.Logger
}

// Server is a running private PostgreSQL.
type Server struct {
	dir      string
	database string
	log      *slog.Logger
	cmd      *exec.Cmd // nil when an already running server was reused
	exited   chan struct{}
	waitErr  error
}

// Start initializes the cluster in opt.Dir if it is new, starts the server
// (or reuses one already running there) and waits until it accepts
// connections. As root it runs the server as the postgres system user,
// because PostgreSQL refuses to run as root.
func Start(ctx context.Context, opt Options) (*Server, error) {
	if opt.Database == "" {
		opt.Database = "hearth"
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, err
	}
	if socket := filepath.Join(dir, ".s.PGSQL."+port); len(socket) > maxSocketPath {
		return nil, fmt.Errorf("local PostgreSQL: the socket path %s is longer than %d bytes: choose a shorter database.data_dir", socket, maxSocketPath)
	}
	s := &Server{dir: dir, database: opt.Database, log: opt.Log, exited: make(chan struct{})}

	if s.accepting(ctx) {
		opt.Log.Info("reusing the local PostgreSQL already running", "dir", dir)
		close(s.exited)
		return s, s.createDatabase(ctx)
	}
	bin, err := findBinaries(clusterVersion(dir))
	if err != nil {
		return nil, err
	}
	owner, err := serverUser(opt.Log)
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir, owner); err != nil {
		return nil, err
	}
	if err := s.initialize(ctx, bin, owner); err != nil {
		return nil, err
	}
	if err := s.start(bin, owner, opt.Settings); err != nil {
		return nil, err
	}
	if err := s.waitUntilAccepting(ctx); err != nil {
		s.Stop(context.Background())
		return nil, err
	}
	if err := s.createDatabase(ctx); err != nil {
		s.Stop(context.Background())
		return nil, err
	}
	opt.Log.Info("local PostgreSQL started", "dir", dir, "pid", s.cmd.Process.Pid)
	return s, nil
}

// DSN returns the connection string for the server's Hearth database.
func (s *Server) DSN() string { return s.DSNFor(s.database) }

// DSNFor returns the connection string for another database on the server.
func (s *Server) DSNFor(database string) string {
	return fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable",
		quoteDSNValue(s.dir), port, superuser, quoteDSNValue(database))
}

// Exited is closed when a server this process started stops running, for
// whatever reason. For a reused server it is closed from the start.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Started reports whether this process started the server (and so stops it).
func (s *Server) Started() bool { return s.cmd != nil }

// Stop shuts down a server this process started: a fast shutdown (sessions
// are ended, data is flushed), then an immediate one if ctx ends first. A
// reused server is left running.
func (s *Server) Stop(ctx context.Context) error {
	if s.cmd == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
		s.log.Info("local PostgreSQL stopped", "dir", s.dir)
		return nil
	case <-ctx.Done():
	}
	s.log.Warn("local PostgreSQL did not stop in time; stopping it at once", "dir", s.dir)
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.exited:
	case <-time.After(2 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	return fmt.Errorf("local PostgreSQL needed an immediate shutdown: %w", ctx.Err())
}

func (s *Server) initialize(ctx context.Context, bin string, owner *account) error {
	if _, err := os.Stat(filepath.Join(s.dir, "PG_VERSION")); err == nil {
		return nil
	}
	if entries, _ := os.ReadDir(s.dir); len(entries) > 0 {
		return fmt.Errorf("local PostgreSQL: %s is not empty but holds no PostgreSQL cluster: move it away or choose another database.data_dir", s.dir)
	}
	s.log.Info("creating a local PostgreSQL cluster", "dir", s.dir)
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", s.dir, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--no-locale")
	cmd.Dir = s.dir
	cmd.SysProcAttr = owner.procAttr()
	if out, err := cmd.CombinedOutput(); err != nil {
		// The folder was empty: leave it so, for a clean retry.
		entries, _ := os.ReadDir(s.dir)
		for _, e := range entries {
			os.RemoveAll(filepath.Join(s.dir, e.Name()))
		}
		return fmt.Errorf("local PostgreSQL: initdb failed: %w\n%s", err, lastLines(string(out), 10))
	}
	return nil
}

func (s *Server) start(bin string, owner *account, settings map[string]string) error {
	logFile, err := os.OpenFile(s.dir+".log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("local PostgreSQL log: %w", err)
	}
	defer logFile.Close() // the child keeps its own copy
	args := []string{"-D", s.dir, "-k", s.dir, "-h", "", "-p", port}
	for name, value := range settings {
		args = append(args, "-c", name+"="+value)
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = owner.procAttr()
	// Its own process group keeps a terminal's Ctrl-C from reaching it
	// before Hearth has closed its connections; if Hearth dies, it gets a
	// fast shutdown signal.
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("local PostgreSQL: start: %w", err)
	}
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return nil
}

func (s *Server) waitUntilAccepting(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		if s.accepting(ctx) {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("local PostgreSQL exited at start-up (%v); its log %s ends:\n%s", s.waitErr, s.dir+".log", s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("local PostgreSQL did not accept connections: %w; its log %s ends:\n%s", ctx.Err(), s.dir+".log", s.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// accepting reports whether a server answers on the cluster's socket.
func (s *Server) accepting(ctx context.Context) bool {
	return s.exec(ctx, "postgres", "SELECT 1") == nil
}

func (s *Server) createDatabase(ctx context.Context) error {
	err := s.exec(ctx, "postgres", "CREATE DATABASE "+pq.QuoteIdentifier(s.database))
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "42P04" { // duplicate_database
		return nil
	}
	if err != nil {
		return fmt.Errorf("local PostgreSQL: create database %s: %w", s.database, err)
	}
	s.log.Info("created database", "database", s.database)
	return nil
}

// exec runs one statement on a short-lived connection to database.
func (s *Server) exec(ctx context.Context, database, statement string) error {
	connector, err := pq.NewConnector(s.DSNFor(database) + " connect_timeout=2")
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, statement)
	return err
}

func (s *Server) logTail() string {
	data, _ := os.ReadFile(s.dir + ".log")
	return lastLines(string(data), 10)
}

func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// quoteDSNValue quotes a key=value connection string value when it needs it.
func quoteDSNValue(v string) string {
	if v != "" && !strings.ContainsAny(v, ` '\`) {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
