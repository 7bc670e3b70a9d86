package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// jobRunsKept is how long the record of a job's runs is kept.
const jobRunsKept = 7 * 24 * time.Hour

// RunScheduled runs fn as job's run for the scheduled time slot, unless a
// replica has already claimed that slot or is running the job now. The job
// runs under a PostgreSQL advisory lock, so that across replicas exactly
// one runs it; the claim and its outcome are kept in job_runs. It reports
// whether fn ran.
func (s *Store) RunScheduled(ctx context.Context, job string, slot time.Time, fn func(ctx context.Context) error) (bool, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("job %s: %w", job, err)
	}
	defer conn.Close()
	var locked bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext('hearth.job.' || $1))`, job).Scan(&locked); err != nil {
		return false, fmt.Errorf("job %s: lock: %w", job, err)
	}
	if !locked {
		return false, nil
	}
	defer unlockJob(conn, job)
	res, err := conn.ExecContext(ctx, `INSERT INTO job_runs (job, slot) VALUES ($1, $2) ON CONFLICT DO NOTHING`, job, slot)
	if err != nil {
		return false, fmt.Errorf("job %s: claim %s: %w", job, slot.Format(time.RFC3339), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	// Frequent jobs claim a slot every few seconds: keep a week of them.
	if _, err := conn.ExecContext(ctx, `DELETE FROM job_runs WHERE job = $1 AND slot < $2`, job, slot.Add(-jobRunsKept)); err != nil {
		return false, fmt.Errorf("job %s: prune old runs: %w", job, err)
	}
	runErr := fn(ctx)
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), `UPDATE job_runs SET finished_at = now(), error = $3 WHERE job = $1 AND slot = $2`, job, slot, msg); err != nil && runErr == nil {
		runErr = fmt.Errorf("job %s: record the run: %w", job, err)
	}
	return true, runErr
}

// RunExclusive runs fn while holding job's advisory lock, waiting for a
// replica that is running the job to finish: for a run started by hand.
func (s *Store) RunExclusive(ctx context.Context, job string, fn func(ctx context.Context) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("job %s: %w", job, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext('hearth.job.' || $1))`, job); err != nil {
		return fmt.Errorf("job %s: lock: %w", job, err)
	}
	defer unlockJob(conn, job)
	return fn(ctx)
}

func unlockJob(conn *sql.Conn, job string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtext('hearth.job.' || $1))`, job)
}
