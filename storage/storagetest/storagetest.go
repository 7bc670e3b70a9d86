// Package storagetest gives every test its own fresh PostgreSQL database,
// cloned from a template migrated once per test binary and dropped when the
// test ends.
//
// The server is TEST_DATABASE_URL if set, else the local server at
// postgres://postgres@127.0.0.1:5432/postgres if it answers, else a private
// cluster started for the test run from the installed PostgreSQL binaries.
// When none works the tests fail, saying how to fix it: they never skip.
//
// A package that uses it calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { storagetest.Main(m) }
//
// Tests wait for facts, never for a length of time: Eventually polls any
// condition, WaitCount a query, and WaitHandled and WaitSettled wait until
// updates are handled and the outbox is done with what they caused, which
// is when a test may check that something did not happen.
package storagetest

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/localpg"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// DefaultURL is the server tried when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// EnvURL names the variable that points the tests at a server.
const EnvURL = "TEST_DATABASE_URL"

// server is the PostgreSQL all of this binary's test databases live on.
type server struct {
	adminDSN string
	admin    *sql.DB
	template string
	local    *localpg.Server // nil unless a private cluster was started
	localDir string
	setupErr error
	mu       sync.Mutex // serializes CREATE DATABASE ... TEMPLATE
}

var (
	setupOnce  sync.Once
	shared     server
	mainCalled bool
	counter    atomic.Int64
)

// Main runs the package's tests, then drops the template and stops the
// private cluster if one was started. Call it from TestMain.
func Main(m *testing.M) {
	mainCalled = true
	code := m.Run()
	shared.close()
	os.Exit(code)
}

// MainParallel is Main for packages whose tests mostly wait rather than
// compute (Hearth against a fake platform: network round trips, a client
// library's fixed pauses such as discordgo's second in every Close): up
// to n of their parallel tests run at once, instead of GOMAXPROCS (two on
// a small machine). A -parallel flag on the command line still decides.
func MainParallel(m *testing.M, n int) {
	if f := flag.Lookup("test.parallel"); f != nil {
		if err := f.Value.Set(strconv.Itoa(n)); err != nil {
			panic(err)
		}
	}
	Main(m)
}

// New returns a connection pool to a fresh, fully migrated database that is
// dropped when the test ends.
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	dsn := URL(t)
	db, err := storage.Open(context.Background(), dsn, storage.DefaultPoolOptions, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	dsns.Store(db, dsn)
	t.Cleanup(func() { dsns.Delete(db); db.Close() }) // runs before the drop registered by URL
	return db
}

// dsns maps each pool New returned to its database's connection string.
var dsns sync.Map

// OutboxWakeups signals whenever outbox work is queued in db (a pool from
// New), through PostgreSQL's LISTEN/NOTIFY as storage.ListenOutbox does in
// production, until the test ends. Given to bots.ServiceOptions.Wakeups,
// it makes work queued outside a handler (a scheduled job, a test's own
// QueueMessages) go out at once, as it does in production, instead of at
// the dispatcher's next sweep.
func OutboxWakeups(t testing.TB, db *sqlx.DB) <-chan struct{} {
	t.Helper()
	dsn, ok := dsns.Load(db)
	if !ok {
		t.Fatal("storagetest: OutboxWakeups needs a database from storagetest.New")
	}
	ctx, cancel := context.WithCancel(context.Background())
	wake, err := storage.ListenOutbox(ctx, dsn.(string), slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatalf("storagetest: listen for outbox work: %v", err)
	}
	t.Cleanup(cancel)
	return wake
}

// URL returns the connection string of a fresh, fully migrated database
// that is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	s := ready(t)
	return s.createDatabase(t, s.template)
}

// EmptyURL returns the connection string of a fresh database with no schema
// at all, dropped when the test ends: for testing migrations themselves.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return ready(t).createDatabase(t, "template0")
}

func ready(t testing.TB) *server {
	t.Helper()
	if !mainCalled {
		t.Fatal("storagetest: call storagetest.Main(m) from TestMain in this package, so the test databases are cleaned up")
	}
	setupOnce.Do(shared.setup)
	if shared.setupErr != nil {
		t.Fatalf("storagetest: no PostgreSQL for the tests: %v", shared.setupErr)
	}
	return &shared
}

func (s *server) createDatabase(t testing.TB, template string) string {
	t.Helper()
	name := fmt.Sprintf("hearth_test_%d_%d", os.Getpid(), counter.Add(1))
	s.mu.Lock()
	_, err := s.admin.Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", pq.QuoteIdentifier(name), pq.QuoteIdentifier(template)))
	s.mu.Unlock()
	if err != nil {
		t.Fatalf("storagetest: create database %s: %v", name, err)
	}
	// Sessions read and print times in UTC whatever the server's own
	// time zone (initdb takes the machine's), so that a test passes on
	// any machine. PGOPTIONS="-c timezone=..." still overrides it, to try
	// Hearth under another session time zone.
	//
	// A commit does not wait for its WAL to reach the disk: the database
	// is thrown away, and what other sessions see is the same either way.
	// Waiting for the disk was most of the time of the tests that run one
	// at a time.
	for _, setting := range []string{"timezone TO 'UTC'", "synchronous_commit TO off"} {
		if _, err := s.admin.Exec("ALTER DATABASE " + pq.QuoteIdentifier(name) + " SET " + setting); err != nil {
			t.Fatalf("storagetest: set %s in database %s: %v", setting, name, err)
		}
	}
	t.Cleanup(func() {
		if _, err := s.admin.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(name) + " WITH (FORCE)"); err != nil {
			t.Errorf("storagetest: drop database %s: %v", name, err)
		}
	})
	return WithDatabase(s.adminDSN, name)
}

// setup finds a server and builds the migrated template.
func (s *server) setup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s.adminDSN, s.setupErr = s.findServer(ctx)
	if s.setupErr != nil {
		return
	}
	if s.admin, s.setupErr = sql.Open("postgres", s.adminDSN); s.setupErr != nil {
		return
	}
	s.template = fmt.Sprintf("hearth_template_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(s.template)); err != nil {
		s.setupErr = fmt.Errorf("create template database: %w", err)
		return
	}
	s.setupErr = migrate(ctx, WithDatabase(s.adminDSN, s.template))
}

func migrate(ctx context.Context, dsn string) error {
	quiet := slog.New(slog.DiscardHandler)
	db, err := storage.Open(ctx, dsn, storage.DefaultPoolOptions, quiet)
	if err != nil {
		return err
	}
	defer db.Close() // a template must have no open connections
	m, err := storage.NewMigrator(db, quiet)
	if err != nil {
		return err
	}
	_, err = m.Up(ctx)
	return err
}

func (s *server) findServer(ctx context.Context) (string, error) {
	if dsn := os.Getenv(EnvURL); dsn != "" {
		if err := ping(ctx, dsn); err != nil {
			return "", fmt.Errorf("%s is set but its server does not answer: %v", EnvURL, config.HideDSNPassword(err.Error(), dsn))
		}
		return dsn, nil
	}
	if err := ping(ctx, DefaultURL); err == nil {
		return DefaultURL, nil
	}
	local, err := s.startPrivateCluster(ctx)
	if err != nil {
		return "", fmt.Errorf("%s is not set, nothing answers at %s, and a private cluster could not start: %v\n"+
			"Fix: install PostgreSQL (apt-get install postgresql) and start it, or point %s at a server (postgres://user@host:5432/postgres)",
			EnvURL, DefaultURL, err, EnvURL)
	}
	return local, nil
}

func (s *server) startPrivateCluster(ctx context.Context) (string, error) {
	dir, err := os.MkdirTemp("", "hearth-test-pg-")
	if err != nil {
		return "", err
	}
	s.localDir = dir
	if err := os.Chmod(dir, 0o755); err != nil { // the server may run as another user
		return "", err
	}
	s.local, err = localpg.Start(ctx, localpg.Options{
		Dir:      dir + "/pg",
		Database: "postgres",
		// A throwaway cluster: speed over durability.
		Settings: map[string]string{"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"},
	})
	if err != nil {
		return "", err
	}
	return s.local.DSN(), nil
}

func (s *server) close() {
	if s.admin != nil && s.template != "" {
		s.admin.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(s.template) + " WITH (FORCE)")
	}
	if s.admin != nil {
		s.admin.Close()
	}
	if s.local != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s.local.Stop(ctx)
		cancel()
	}
	if s.localDir != "" {
		os.RemoveAll(s.localDir)
	}
}

func ping(ctx context.Context, dsn string) error {
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// WithDatabase returns dsn (a URL or key=value pairs) pointed at another
// database on the same server.
func WithDatabase(dsn, database string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path = "/" + database
			return u.String()
		}
	}
	return dsn + " dbname=" + database
}

// EveryGroupConnected makes every chat recorded in db from now on born
// connected to the community, as if an owner had connected each group:
// for tests of what Hearth does inside the community, which need not
// connect each group they use. Tests of the connection itself use a
// database without it.
func EveryGroupConnected(t testing.TB, db *sqlx.DB) {
	t.Helper()
	if _, err := db.Exec(`ALTER TABLE chats ALTER COLUMN connected_at SET DEFAULT now(), ALTER COLUMN connected_via SET DEFAULT 'config'`); err != nil {
		t.Fatalf("storagetest: connect every group: %v", err)
	}
}

// RefuseUpdate makes db refuse to record the inbound update whose key is
// key, as PostgreSQL refuses an update it cannot store: for tests of what
// Hearth does with an update it cannot take in.
func RefuseUpdate(t testing.TB, db *sqlx.DB, key string) {
	t.Helper()
	_, err := db.Exec(`
CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.update_key = ` + pq.QuoteLiteral(key) + ` THEN RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'data_exception'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_for_test BEFORE INSERT ON inbound_updates FOR EACH ROW EXECUTE FUNCTION refuse_for_test();`)
	if err != nil {
		t.Fatalf("storagetest: refuse update %s: %v", key, err)
	}
}
