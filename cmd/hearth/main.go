// Command hearth runs Hearth, the community bot for brands, and its
// maintenance commands. Exit codes: 0 success, 1 runtime failure, 2 bad
// usage or configuration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // community.timezone works on hosts without a zone database

	"github.com/hearthbot/hearth/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends Hearth at once
	}()
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, env: os.LookupEnv, now: time.Now}
	os.Exit(c.main(ctx, os.Args[1:]))
}

// cli is one invocation of the hearth command, with its own streams and
// environment so tests can run it in-process.
type cli struct {
	stdin          io.Reader // the console chat's input
	stdout, stderr io.Writer
	env            config.LookupEnv
	now            func() time.Time // the clock: time.Now, a fixed time in tests
}

// command is one subcommand; name may be two words ("config check").
type command struct {
	name    string
	summary string
	run     func(c *cli, ctx context.Context, args []string) error
}

var commands = []command{
	{"run", "start Hearth: storage, migrations and the HTTP server (the default)", (*cli).run},
	{"migrate", "apply pending database migrations and report them", (*cli).migrate},
	{"config check", "validate the configuration and print it, secrets masked", (*cli).configCheck},
	{"import orders", "import shop orders from a CSV file (upserted by order_id)", (*cli).importOrders},
	{"clv fit", "fit the CLV models to a file, or score every customer now from the stored orders", (*cli).clvFit},
	{"clv predict", "write each customer's CLV predictions as CSV", (*cli).clvPredict},
	{"link-url", "print the links that connect a shop customer to their community account", (*cli).linkURL},
	{"version", "print Hearth's version", (*cli).version},
}

// Errors that decide the exit code.
var errHelpShown = errors.New("help shown")

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// main runs the command named by args and returns the exit code.
func (c *cli) main(ctx context.Context, args []string) int {
	err := c.dispatch(ctx, args)
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return 0
	case errors.As(err, new(usageError)), errors.As(err, new(configError)):
		fmt.Fprintf(c.stderr, "hearth: %v\n", err)
		return 2
	default:
		fmt.Fprintf(c.stderr, "hearth: %v\n", err)
		return 1
	}
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelpFlag(args[0]) {
		return (*cli).run(c, ctx, args)
	}
	if isHelpFlag(args[0]) || args[0] == "help" && len(args) == 1 {
		c.usage()
		return errHelpShown
	}
	if args[0] == "help" {
		return c.dispatch(ctx, append(args[1:], "--help"))
	}
	for _, cmd := range commands {
		words := strings.Fields(cmd.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == cmd.name {
			return cmd.run(c, ctx, args[len(words):])
		}
	}
	for _, cmd := range commands {
		if first, rest, ok := strings.Cut(cmd.name, " "); ok && args[0] == first {
			return usageError{fmt.Sprintf("%s: unknown subcommand %q (want: %s; see hearth --help)", first, strings.Join(args[1:], " "), rest)}
		}
	}
	return usageError{fmt.Sprintf("unknown command %q (see hearth --help)", args[0])}
}

func isHelpFlag(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

func (c *cli) usage() {
	fmt.Fprintf(c.stdout, "Hearth runs a brand's customer community on Telegram and Discord.\n\n")
	fmt.Fprintf(c.stdout, "Usage: hearth [command] [flags]\n\nCommands:\n")
	for _, cmd := range commands {
		fmt.Fprintf(c.stdout, "  %-14s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(c.stdout, "\nRun hearth <command> --help for a command's flags. Configuration: hearth.example.yaml.\n")
}

// flags returns a flag set for a command whose help shows synopsis and about.
func (c *cli) flags(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("hearth "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(c.stdout, "Usage: %s\n\n%s\n", strings.TrimSpace("hearth "+name+" "+synopsis), about)
		fmt.Fprintln(c.stdout, "\nFlags:")
		fs.VisitAll(func(f *flag.Flag) {
			kind, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(c.stdout, "  %s\n        %s\n", strings.TrimSpace("--"+f.Name+" "+kind), usage)
		})
		fmt.Fprintln(c.stdout, "  --help\n        show this help")
	}
	return fs
}

// parse reads a command's flags; it takes no positional arguments.
func (c *cli) parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp): // Parse has shown the usage
		return errHelpShown
	case err != nil:
		return usageError{fmt.Sprintf("%s: %v (see %s --help)", fs.Name()[len("hearth "):], err, fs.Name())}
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("%s: unexpected argument %q (see %s --help)", fs.Name()[len("hearth "):], fs.Arg(0), fs.Name())}
	}
	return nil
}

// parseConfig adds --config to a command's flags, parses args and loads
// and validates the configuration.
func (c *cli) parseConfig(fs *flag.FlagSet, args []string) (config.Config, error) {
	path := fs.String("config", "", "YAML configuration `FILE` (default: $"+config.FileEnv+", else none)")
	if err := c.parse(fs, args); err != nil {
		return config.Config{}, err
	}
	cfg, err := config.Load(*path, c.env)
	if err != nil {
		return cfg, configError{err}
	}
	return cfg, nil
}
