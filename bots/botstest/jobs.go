package botstest

import (
	"context"
	"slices"
	"testing"

	"github.com/hearthbot/hearth/bots"
)

// RunJob runs the service's job called name once, as one replica's
// scheduler would, and fails the test if there is no such job or it fails.
func RunJob(t testing.TB, svc *bots.Service, name string) {
	t.Helper()
	jobs := svc.Jobs()
	i := slices.IndexFunc(jobs, func(j bots.Job) bool { return j.Name == name })
	if i < 0 {
		t.Fatalf("no job %s", name)
	}
	if err := jobs[i].Run(context.Background()); err != nil {
		t.Fatalf("job %s: %v", name, err)
	}
}
