package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestMain doubles as the hearth binary: with HEARTH_TEST_AS_BINARY set, the
// test executable runs main(), so process tests exercise the real signal
// handling and exit codes without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("HEARTH_TEST_AS_BINARY") == "1" {
		main()
		return
	}
	storagetest.Main(m)
}

// sentinel stands for every secret: no output may ever contain it.
const sentinel = "SENTINEL0secret0value0do0not0print0me"

// testNow is the clock of in-process runs: every test sees the same "now".
var testNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// inProcess runs hearth with args and a fixed environment and clock
// (testNow), in-process.
func inProcess(t testing.TB, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &cli{stdout: &out, stderr: &errOut, now: func() time.Time { return testNow }, env: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}}
	code = c.main(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestUsageAndExitCodes(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		stdout     string // substring expected on stdout
		stderrLine string // the one-line reason expected on stderr
	}{
		{[]string{"--help"}, 0, "config check", ""},
		{[]string{"help"}, 0, "migrate", ""},
		{[]string{"help", "migrate"}, 0, "--status", ""},
		{[]string{"run", "--help"}, 0, "Usage: hearth run [--config FILE]", ""},
		{[]string{"config", "check", "-h"}, 0, "secrets masked", ""},
		{[]string{"version"}, 0, "hearth ", ""},
		{[]string{"frobnicate"}, 2, "", `hearth: unknown command "frobnicate" (see hearth --help)`},
		{[]string{"config"}, 2, "", `hearth: config: name a subcommand (want check; see hearth config --help)`},
		{[]string{"clv", "fitt"}, 2, "", `hearth: clv: unknown subcommand "fitt" (want fit or predict; see hearth clv --help)`},
		{[]string{"help", "frobnicate"}, 2, "", `hearth: unknown command "frobnicate" (see hearth --help)`},
		{[]string{"migrate", "--bogus"}, 2, "", "hearth: migrate: flag provided but not defined: -bogus (see hearth migrate --help)"},
		{[]string{"version", "extra"}, 2, "", `hearth: version: unexpected argument "extra"`},
		{[]string{"config", "check", "--config", "/nonexistent/hearth.yaml"}, 2, "", "hearth: read config file: open /nonexistent/hearth.yaml"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := inProcess(t, nil, c.args...)
			if code != c.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if !strings.Contains(stdout, c.stdout) {
				t.Errorf("stdout lacks %q:\n%s", c.stdout, stdout)
			}
			if c.stderrLine == "" && stderr != "" {
				t.Errorf("unexpected stderr: %q", stderr)
			}
			if c.stderrLine != "" && (!strings.HasPrefix(stderr, c.stderrLine) || strings.Count(stderr, "\n") != 1) {
				t.Errorf("stderr %q, want one line starting %q", stderr, c.stderrLine)
			}
		})
	}
}

// TestEveryCommandAnswersHelp: every command and subcommand, and every
// group of subcommands, shows its usage on --help, -h, help before it and
// help after it, with exit code 0 and nothing on stderr.
func TestEveryCommandAnswersHelp(t *testing.T) {
	check := func(t *testing.T, want string, args ...string) {
		t.Helper()
		code, stdout, stderr := inProcess(t, nil, args...)
		if code != 0 || stderr != "" || !strings.HasPrefix(stdout, want) {
			t.Errorf("hearth %s: exit %d, stderr %q, stdout:\n%s\nwant it to start %q", strings.Join(args, " "), code, stderr, stdout, want)
		}
	}
	groups := map[string]bool{}
	for _, cmd := range commands {
		words := strings.Fields(cmd.name)
		want := "Usage: hearth " + cmd.name
		check(t, want, append(words, "--help")...)
		check(t, want, append(words, "-h")...)
		check(t, want, append([]string{"help"}, words...)...)
		check(t, want, append(words, "help")...)
		if len(words) > 1 {
			groups[words[0]] = true
		}
	}
	for group := range groups {
		want := "Usage: hearth " + group + " <subcommand>"
		check(t, want, group, "--help")
		check(t, want, "help", group)
		check(t, want, group, "help")
		_, stdout, _ := inProcess(t, nil, "help", group)
		for _, sub := range subcommands(group) {
			if !strings.Contains(stdout, sub.name) {
				t.Errorf("hearth help %s does not list %q:\n%s", group, sub.name, stdout)
			}
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		check(t, "Hearth runs a brand's customer community", args...)
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		check(t, "hearth "+versionString()+" (go", args...)
	}
}

func TestConfigCheckListsEveryMistakeAndExits2(t *testing.T) {
	code, stdout, stderr := inProcess(t, map[string]string{
		"HEARTH_HTTP_ADDR": "localhost",
		"HEARTH_LOG_LEVEL": "chatty",
		"HEARTH_TIMEZONE":  "Atlantis/Capital",
	}, "config", "check")
	if code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	if stdout != "" {
		t.Errorf("nothing belongs on stdout, got %q", stdout)
	}
	for _, want := range []string{"invalid configuration (3 problems)", "http.addr:", "log.level:", "community.timezone:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// secretEnv sets every secret to a value containing the sentinel.
var secretEnv = map[string]string{
	"TELEGRAM_BOT_TOKEN":      "123456:" + sentinel,
	"TELEGRAM_WEBHOOK_SECRET": sentinel,
	"DISCORD_BOT_TOKEN":       sentinel,
	"HEARTH_LINK_SECRET":      sentinel,
}

func TestConfigCheckMasksSecrets(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://hearth:" + sentinel + "@db.internal:5432/hearth"}
	for k, v := range secretEnv {
		env[k] = v
	}
	code, stdout, stderr := inProcess(t, env, "config", "check")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	if strings.Contains(stdout+stderr, sentinel) {
		t.Fatalf("config check printed a secret:\n%s%s", stdout, stderr)
	}
	for _, want := range []string{"token: '********'", "secret: '********'", "postgres://hearth:%2A%2A%2A%2A%2A%2A%2A%2A@db.internal:5432/hearth"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("config check output lacks %q:\n%s", want, stdout)
		}
	}

	// A scheme in capitals is a URL all the same, and masked as one.
	env["DATABASE_URL"] = "POSTGRES://hearth:" + sentinel + "@db.internal:5432/hearth?sslmode=disable"
	code, stdout, stderr = inProcess(t, env, "config", "check")
	if code != 0 || strings.Contains(stdout+stderr, sentinel) || !strings.Contains(stdout, "hearth:%2A%2A%2A%2A%2A%2A%2A%2A@db.internal") {
		t.Fatalf("config check with POSTGRES://: exit %d:\n%s%s", code, stdout, stderr)
	}

	// Invalid secrets are reported by key, never by value.
	bad := map[string]string{"TELEGRAM_BOT_TOKEN": sentinel, "HEARTH_LINK_SECRET": sentinel[:10], "TELEGRAM_MODE": "webhook"}
	code, stdout, stderr = inProcess(t, bad, "config", "check")
	if code != 2 || strings.Contains(stdout+stderr, sentinel[:10]) {
		t.Fatalf("exit %d, output reveals a secret or misses the problem:\n%s%s", code, stdout, stderr)
	}
}
