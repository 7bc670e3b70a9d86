package storage_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// videoSource streams an MP4 video of size bytes: its header, then an
// "mdat" box of random bytes from seed (as incompressible as a video),
// never held whole in memory.
func videoSource(size int64, seed uint64) io.Reader {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	return io.LimitReader(io.MultiReader(bytes.NewReader(mp4Head(size)), rand.NewChaCha8(key)), size)
}

// heapPeak samples the Go heap's objects (live and not yet swept) until
// stopped, and keeps the highest.
type heapPeak struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func watchHeap() *heapPeak {
	h := &heapPeak{stop: make(chan struct{})}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			h.peak = max(h.peak, s[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// Peak stops the watch and returns the highest heap seen.
func (h *heapPeak) Peak() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak
}

// BenchmarkShowcaseMedia keeps a 20 MB video (a new one each time, so
// that every run writes it) and reads it back, both streamed, and reports
// how far the heap rose above what it held before (peak-heap-MB, against
// the file's file-MB), besides the bytes allocated per round trip.
func BenchmarkShowcaseMedia(b *testing.B) {
	const size = feedback.DefaultMaxMediaBytes
	sc := feedback.NewShowcase(storage.New(storagetest.New(b)), time.Now, 0, 0)
	ctx := context.Background()
	runtime.GC()
	base := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(base)
	watch := watchHeap()
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		md, err := sc.KeepMedia(ctx, videoSource(size, i))
		if err != nil {
			b.Fatal(err)
		}
		rc, _, err := sc.OpenMedia(ctx, md.Hash)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil || n != size || md.Size != size {
			b.Fatalf("kept %d bytes, read %d back (%v); want %d", md.Size, n, err, size)
		}
	}
	peak := watch.Peak()
	b.ReportMetric(float64(peak-min(peak, base[0].Value.Uint64()))/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
}
