package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// copyBatch is how many bytes of rows a rowCopy hands the driver at once.
const copyBatch = 256 << 10

// rowCopy streams rows, written in COPY's text format, into a COPY FROM
// STDIN on a connection: a goroutine holds the connection and hands the
// driver (lib/pq's CopyData) a batch of rows at a time. That spares
// database/sql's checks and conversions of every value of every row,
// which cost more than reading and checking the row.
type rowCopy struct {
	buf   []byte      // the rows being written
	full  chan []byte // batches for the goroutine
	free  chan []byte // batches it is done with
	done  chan error  // the end of the COPY
	ended bool
}

// rawCopier is what lib/pq's COPY statement offers beyond driver.Stmt.
type rawCopier interface {
	CopyData(ctx context.Context, rows string) (driver.Result, error)
}

// startCopy runs query, a COPY ... FROM STDIN, on conn; no other statement
// may run on conn until end.
func startCopy(ctx context.Context, conn *sqlx.Conn, query string) *rowCopy {
	c := &rowCopy{full: make(chan []byte, 2), free: make(chan []byte, 4), done: make(chan error, 1)}
	for range 3 {
		c.free <- make([]byte, 0, copyBatch+4096)
	}
	c.buf = <-c.free
	go func() {
		err := conn.Raw(func(dc any) error { return c.run(ctx, dc, query) })
		for b := range c.full { // the rest, after an error
			c.free <- b[:0]
		}
		c.done <- err
	}()
	return c
}

// run copies the batches sent until full is closed, then ends the COPY.
func (c *rowCopy) run(ctx context.Context, dc any, query string) error {
	prep, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return fmt.Errorf("the database driver %T cannot prepare a COPY", dc)
	}
	stmt, err := prep.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	raw, ok := stmt.(rawCopier)
	if !ok {
		return errors.New("the database driver cannot copy rows as text")
	}
	for b := range c.full {
		_, err := raw.CopyData(ctx, string(b[:len(b)-1])) // it ends the last row itself
		c.free <- b[:0]
		if err != nil {
			return err
		}
	}
	//lint:ignore SA1019 lib/pq ends a COPY with Exec(nil) and has no ExecContext for it
	_, err = stmt.Exec(nil)
	return err
}

// endRow ends the row written into c.buf, and hands the batch over when it
// is full.
func (c *rowCopy) endRow() {
	c.buf[len(c.buf)-1] = '\n' // the tab after the last column
	if len(c.buf) >= copyBatch {
		c.full <- c.buf
		c.buf = <-c.free
	}
}

// end sends the last rows and ends the COPY, returning its error. It may
// be called again, and returns nil then.
func (c *rowCopy) end() error {
	if c.ended {
		return nil
	}
	c.ended = true
	if len(c.buf) > 0 {
		c.full <- c.buf
	}
	close(c.full)
	return <-c.done
}

// The columns of a row in COPY's text format, each followed by a tab.

func (c *rowCopy) int(n int) { c.buf = append(strconv.AppendInt(c.buf, int64(n), 10), '\t') }

func (c *rowCopy) float(f float64) { c.buf = append(strconv.AppendFloat(c.buf, f, 'f', -1, 64), '\t') }

func (c *rowCopy) time(t time.Time) { c.buf = append(t.AppendFormat(c.buf, time.RFC3339Nano), '\t') }

func (c *rowCopy) null() { c.buf = append(c.buf, `\N`+"\t"...) }

// text writes s with backslashes, tabs and line ends escaped.
func (c *rowCopy) text(s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc byte
		switch s[i] {
		case '\\':
			esc = '\\'
		case '\t':
			esc = 't'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		default:
			continue
		}
		c.buf = append(append(c.buf, s[start:i]...), '\\', esc)
		start = i + 1
	}
	c.buf = append(append(c.buf, s[start:]...), '\t')
}
