// Package web is Hearth's HTTP server: health and readiness probes,
// Prometheus metrics, and the routes later parts mount on it (webhooks, the
// staff dashboard).
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ReadinessCheck reports why Hearth cannot serve yet (database unreachable,
// migrations pending), or nil when it can.
type ReadinessCheck func(ctx context.Context) error

// readyTimeout bounds one readiness check so a stuck database answers 503
// instead of hanging the probe.
const readyTimeout = 3 * time.Second

// NewRegistry returns a private Prometheus registry with the Go runtime and
// process collectors and Hearth's build information.
func NewRegistry(version string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "hearth_build_info",
			Help:        "Always 1; the version label says which Hearth is running.",
			ConstLabels: prometheus.Labels{"version": version},
		}, func() float64 { return 1 }),
	)
	return reg
}

// Server serves Hearth's HTTP routes, counting requests per route.
type Server struct {
	mux      *http.ServeMux
	srv      *http.Server
	listener net.Listener
	requests *prometheus.CounterVec
}

// Listen binds addr and prepares the built-in routes: /healthz, /readyz and
// /metrics. It does not serve until Serve is called.
func Listen(addr string, ready ReadinessCheck, reg *prometheus.Registry, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http server: %w", err)
	}
	s := &Server{
		mux:      http.NewServeMux(),
		listener: ln,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_http_requests_total",
			Help: "HTTP requests served, by route and status code.",
		}, []string{"route", "code"}),
	}
	if err := reg.Register(s.requests); err != nil {
		ln.Close()
		return nil, fmt.Errorf("http metrics: %w", err)
	}
	s.srv = &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	s.Handle("GET /healthz", http.HandlerFunc(healthz))
	s.Handle("GET /readyz", readyz(ready))
	s.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return s, nil
}

// Handle mounts a route (a net/http pattern such as "POST /api/orders").
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, promhttp.InstrumentHandlerCounter(
		s.requests.MustCurryWith(prometheus.Labels{"route": pattern}), h))
}

// Addr is the address the server listens on (useful with port 0).
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Serve answers requests until Shutdown.
func (s *Server) Serve() error {
	if err := s.srv.Serve(s.listener); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}

// Shutdown stops accepting requests and waits for those in flight, until
// ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.srv.Shutdown(ctx)
}

// healthz answers 200 while the process is up.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when ready can serve, else 503 with the reason.
func readyz(ready ReadinessCheck) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := ready(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
