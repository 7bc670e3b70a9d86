package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/ordercsv"
	"github.com/hearthbot/hearth/storage"
)

// errInvalidFile is returned when a strict import found invalid rows; the
// problems have been printed.
var errInvalidFile = errors.New("nothing was imported: fix the rows above, or pass --skip-invalid to import the valid ones")

// importFlags are the flags of hearth import orders.
func (c *cli) importFlags() (fs *flag.FlagSet, skipInvalid *bool, source *string) {
	fs = c.flags("import orders", "FILE.csv [--source csv|api|shopify|woocommerce] [--skip-invalid] [--config FILE]",
		"Import shop orders from a CSV file with a header row. Required columns:\n"+
			"order_id, customer_id, ordered_at (RFC 3339 or YYYY-MM-DD), amount. Optional:\n"+
			"currency, margin or cost, status (paid, refunded, cancelled), email, phone,\n"+
			"telegram_id, telegram_username, discord_id. Orders are upserted by source and\n"+
			"order_id, so importing a file again changes nothing. Past orders of a shop that\n"+
			"also sends webhooks are imported with --source shopify (or woocommerce, or api\n"+
			"for POST /api/orders): the webhooks then update them instead of adding them\n"+
			"again. Any invalid row is reported with its line and column and nothing is\n"+
			"imported, unless --skip-invalid is given.")
	skipInvalid = fs.Bool("skip-invalid", false, "import the valid rows and list the invalid ones")
	source = fs.String("source", "csv", "whose order ids the file holds: csv (the file's own), api, shopify or woocommerce")
	return fs, skipInvalid, source
}

func (c *cli) importOrders(ctx context.Context, args []string) error {
	fs, skipInvalid, sourceName := c.importFlags()
	path, rest := splitPositional(args)
	cfg, err := c.parseConfig(fs, rest)
	if err != nil {
		return err
	}
	if path == "" {
		return usageError{"import orders: name the CSV file to import (see hearth import orders --help)"}
	}
	source, err := storage.ParseOrderSource(*sourceName)
	if err != nil {
		return usageError{"import orders: --source: " + err.Error()}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import orders: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("import orders: %w", err)
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()

	reader, err := ordercsv.NewReader(f, c.now())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	imp, err := store.BeginImport(ctx, source)
	if err != nil {
		return err
	}
	defer imp.Rollback()
	if err := stageOrders(reader, imp, newProgress(c.stderr, path, info.Size())); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	report := reader.Report()
	if err := report.Err(); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", path, err)
		if !*skipInvalid {
			return errInvalidFile
		}
	}
	res, err := imp.Commit()
	if err != nil {
		return err
	}
	c.importSummary(path, report, res)
	return nil
}

// stageOrders hands every valid order of reader to imp, drawing bar; the
// invalid rows are left out and listed in the reader's report. Reading and
// checking the rows runs beside the COPY, batches of orders passing from
// one to the other, so that two cores share the work.
func stageOrders(reader *ordercsv.Reader, imp *storage.OrderImport, bar *progress) error {
	const batches, size = 4, 1024
	full, free := make(chan []clv.Order, batches), make(chan []clv.Order, batches+2)
	for range batches + 2 {
		free <- make([]clv.Order, 0, size)
	}
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		defer close(full)
		readErr <- readOrders(reader, full, free, stop, bar)
	}()
	var addErr error
	for batch := range full {
		for _, o := range batch {
			if addErr == nil {
				addErr = imp.Add(o)
			}
		}
		if addErr != nil && stop != nil {
			close(stop)
			stop = nil
		}
		free <- batch[:0]
	}
	if err := <-readErr; err != nil {
		return err
	}
	return addErr
}

// readOrders reads the valid orders of reader into batches taken from free
// and sent on full, until the end of the file or stop.
func readOrders(reader *ordercsv.Reader, full, free chan []clv.Order, stop <-chan struct{}, bar *progress) error {
	batch := <-free
	for {
		o, err := reader.Next()
		if err == io.EOF {
			break
		}
		if _, invalid := errors.AsType[*ordercsv.RowError](err); invalid {
			continue // listed in the report
		}
		if err != nil {
			return err
		}
		if batch = append(batch, o); len(batch) == cap(batch) {
			select {
			case full <- batch:
			case <-stop:
				return nil
			}
			batch = <-free
			bar.update(reader.Offset(), reader.Report().Rows)
		}
	}
	if len(batch) > 0 {
		full <- batch
	}
	bar.done(reader.Report().Rows)
	return nil
}

// importSummary says what an import read and changed.
func (c *cli) importSummary(path string, report ordercsv.Report, res storage.ImportResult) {
	fmt.Fprintf(c.stdout, "%s: %s, %s: %d new, %d changed, %d unchanged", path, plural(report.Rows, "row", "rows"),
		plural(res.Rows, "order", "orders"), res.Inserted, res.Updated, res.Unchanged)
	if report.Invalid > 0 {
		fmt.Fprintf(c.stdout, "; %s skipped", plural(report.Invalid, "invalid row", "invalid rows"))
	}
	if report.Repeats > 0 {
		fmt.Fprintf(c.stdout, "; %s read once", plural(report.Repeats, "repeated row", "repeated rows"))
	}
	fmt.Fprintf(c.stdout, "\n%s new or updated, %d linked to members by the ids on their orders\n",
		plural(res.Customers, "customer", "customers"), res.Linked)
}

// splitPositional takes the first argument that is not a flag (or a flag's
// value) out of args, so that the file may come before or after flags.
func splitPositional(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return args[i+1], append(args[:i:i], args[i+2:]...)
			}
			return "", args[:i]
		case len(a) > 1 && a[0] == '-':
			if (a == "--config" || a == "-config" || a == "--source" || a == "-source") && i+1 < len(args) {
				i++ // its value
			}
		default:
			return a, append(args[:i:i], args[i+1:]...)
		}
	}
	return "", args
}

// progress draws a progress bar on a terminal; elsewhere it stays silent.
type progress struct {
	w     io.Writer
	on    bool
	name  string
	size  int64
	shown time.Time
	start time.Time
}

func newProgress(w io.Writer, name string, size int64) *progress {
	return &progress{w: w, on: isTerminal(w) && size > 0, name: name, size: size, start: time.Now()}
}

// update redraws the bar at most ten times a second.
func (p *progress) update(offset int64, rows int) {
	if !p.on || time.Since(p.shown) < 100*time.Millisecond {
		return
	}
	p.shown = time.Now()
	const width = 30
	filled := int(width * offset / p.size)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r%s [%s] %3d%% %s", p.name, bar, 100*offset/p.size, plural(rows, "row", "rows"))
}

// done ends the bar's line.
func (p *progress) done(rows int) {
	if p.on {
		fmt.Fprintf(p.w, "\r%s: read %s in %s, saving...\033[K\n", p.name, plural(rows, "row", "rows"), time.Since(p.start).Round(100*time.Millisecond))
	}
}
