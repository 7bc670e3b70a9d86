package localpg

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ErrNotInstalled means the machine has no PostgreSQL server binaries.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, postgres) were not found on PATH or under /usr/lib/postgresql/*/bin: install PostgreSQL (apt-get install postgresql) or set DATABASE_URL")

// installRoot is where Debian and Ubuntu keep each major version's server
// binaries, off PATH.
var installRoot = "/usr/lib/postgresql"

// findBinaries returns the folder holding initdb and postgres: the one of
// the cluster's own major version if it is installed, else the one on PATH,
// else the newest under installRoot.
func findBinaries(version string) (string, error) {
	var candidates []string
	if version != "" {
		candidates = append(candidates, filepath.Join(installRoot, version, "bin"))
	}
	if initdb, err := exec.LookPath("initdb"); err == nil {
		candidates = append(candidates, filepath.Dir(initdb))
	}
	installed, _ := filepath.Glob(filepath.Join(installRoot, "*", "bin"))
	slices.SortFunc(installed, func(a, b string) int { return majorOf(b) - majorOf(a) })
	candidates = append(candidates, installed...)
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", ErrNotInstalled
}

// majorOf reads the major version from .../postgresql/<major>/bin.
func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// clusterVersion returns the major version of the cluster in dir, or "".
func clusterVersion(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// account is the system user the server runs as when Hearth runs as root.
type account struct {
	name     string
	uid, gid uint32
	groups   []uint32
}

// serverUser returns the account to run the server as: nil (Hearth's own)
// unless Hearth runs as root.
func serverUser(log *slog.Logger) (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("local PostgreSQL: PostgreSQL refuses to run as root and there is no postgres system user: create one (adduser --system --group postgres), run Hearth as another user, or set DATABASE_URL")
	}
	a := &account{name: u.Username, uid: parseID(u.Uid), gid: parseID(u.Gid)}
	groups, _ := u.GroupIds()
	for _, g := range groups {
		a.groups = append(a.groups, parseID(g))
	}
	log.Info("Hearth runs as root: running the local PostgreSQL as system user "+a.name+", since PostgreSQL refuses to run as root", "user", a.name)
	return a, nil
}

func parseID(s string) uint32 {
	n, _ := strconv.ParseUint(s, 10, 32)
	return uint32(n)
}

// procAttr runs a child process as the account (or as Hearth when nil).
func (a *account) procAttr() *syscall.SysProcAttr {
	if a == nil {
		return &syscall.SysProcAttr{}
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: a.groups}}
}

// prepareDir creates the cluster folder, gives it to the server's account
// and checks that the account can reach it through every parent folder.
func prepareDir(dir string, owner *account) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("local PostgreSQL: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("local PostgreSQL: %w", err)
	}
	if owner == nil {
		return nil
	}
	if err := os.Chown(dir, int(owner.uid), int(owner.gid)); err != nil {
		return fmt.Errorf("local PostgreSQL: give %s to user %s: %w", dir, owner.name, err)
	}
	for parent := filepath.Dir(dir); ; parent = filepath.Dir(parent) {
		if info, err := os.Stat(parent); err == nil && !owner.canEnter(info) {
			return fmt.Errorf("local PostgreSQL: the server runs as user %s, which cannot enter %s (mode %s): choose a database.data_dir outside it or run chmod o+x %s",
				owner.name, parent, info.Mode().Perm(), parent)
		}
		if parent == filepath.Dir(parent) {
			return nil
		}
	}
}

// canEnter reports whether the account may search the folder.
func (a *account) canEnter(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := info.Mode().Perm()
	switch {
	case st.Uid == a.uid:
		return perm&0o100 != 0
	case st.Gid == a.gid || slices.Contains(a.groups, st.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
