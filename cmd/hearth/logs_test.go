package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/config"
)

// TestConsoleOnATerminalLogsToAFile: while the console chat runs on a
// terminal, log lines go to <data_dir>/hearth.log (said once on standard
// error) instead of landing in the conversation; with a bot token, or
// with output piped, they stay on standard error.
func TestConsoleOnATerminalLogsToAFile(t *testing.T) {
	cfg := config.Default()
	cfg.Database.DataDir = t.TempDir()
	var stderr bytes.Buffer
	c := &cli{stderr: &stderr}
	w, done, err := c.logDestination(cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	newLogger(cfg.Log, w).Info("a log line")
	done()
	data, err := os.ReadFile(filepath.Join(cfg.Database.DataDir, "hearth.log"))
	if err != nil || !strings.Contains(string(data), "a log line") {
		t.Errorf("hearth.log = %q, %v; want the log line", data, err)
	}
	if !strings.Contains(stderr.String(), "hearth.log") || strings.Contains(stderr.String(), "a log line") {
		t.Errorf("standard error = %q; want only where the logs go", stderr.String())
	}
	for name, cfg := range map[string]config.Config{"piped": cfg, "telegram": withToken(cfg)} {
		w, _, _ := c.logDestination(cfg, name != "piped")
		if w != &stderr {
			t.Errorf("%s: logs do not go to standard error", name)
		}
	}
}

func withToken(cfg config.Config) config.Config {
	cfg.Telegram.Token = "123:abc"
	return cfg
}
