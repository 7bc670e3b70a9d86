package clv

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// FitInfo describes how a maximum-likelihood fit went.
type FitInfo struct {
	Customers int // customers whose data the fit used
	Excluded  int // customers left out (Gamma-Gamma: non-positive monetary value)
	// Converged is true when the optimiser stopped because the gradient
	// vanished or the likelihood stopped improving, not on a limit or a
	// failure. Parameters of an unconverged fit are the best found.
	Converged   bool
	Iterations  int    // optimiser iterations
	Evaluations int    // likelihood evaluations, each with its gradient
	Status      string // the optimiser's final status, or why it stopped
	// LogLikelihood is the sum of the customers' log-likelihoods at the
	// estimate, on the data's own time scale.
	LogLikelihood float64
}

// objective is a negative mean log-likelihood over log-parameters: it
// returns the value at x and stores the gradient in grad.
type objective func(x, grad []float64) float64

// Settings of the optimiser, for negative mean log-likelihoods over
// log-parameters: a gradient this small moves the estimate by far less
// than its standard error.
const (
	gradientThreshold = 1e-9
	maxIterations     = 1000
	// Beyond e^maxLogParam a parameter is running off to infinity: the data
	// do not pin it down.
	maxLogParam = 40
)

// minimizeLog finds the log-parameters minimising f from start.
func minimizeLog(f objective, start []float64) ([]float64, FitInfo, error) {
	c := &cachedObjective{f: f}
	p := optimize.Problem{
		Func: c.value,
		Grad: c.gradient,
	}
	settings := &optimize.Settings{
		GradientThreshold: gradientThreshold,
		MajorIterations:   maxIterations,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-13, Relative: 1e-13, Iterations: 20},
	}
	res, err := optimize.Minimize(p, start, settings, &optimize.BFGS{})
	if res == nil {
		return nil, FitInfo{}, err
	}
	info := FitInfo{
		Iterations:  res.MajorIterations,
		Evaluations: c.evaluations,
		Status:      res.Status.String(),
	}
	if err != nil {
		info.Status += ": " + err.Error()
	}
	if math.IsNaN(res.F) || math.IsInf(res.F, 0) {
		return nil, info, errors.New("the likelihood is not finite at the estimate")
	}
	info.Converged = err == nil &&
		(res.Status == optimize.GradientThreshold || res.Status == optimize.FunctionConvergence)
	for _, v := range res.X {
		if math.Abs(v) > maxLogParam {
			info.Converged = false
			info.Status += ": a parameter ran off towards 0 or infinity"
		}
	}
	return res.X, info, nil
}

// cachedObjective evaluates value and gradient together once per point,
// since the optimiser asks for them separately at the same point.
type cachedObjective struct {
	f           objective
	x, grad     []float64
	val         float64
	evaluations int
}

func (c *cachedObjective) eval(x []float64) {
	if c.x != nil && slices.Equal(c.x, x) {
		return
	}
	c.x = append(c.x[:0], x...)
	c.grad = slices.Grow(c.grad[:0], len(x))[:len(x)]
	c.val = c.f(x, c.grad)
	c.evaluations++
}

func (c *cachedObjective) value(x []float64) float64 {
	c.eval(x)
	return c.val
}

func (c *cachedObjective) gradient(grad, x []float64) {
	c.eval(x)
	copy(grad, c.grad)
}

// standardErrors estimates the standard errors of the natural parameters
// exp(x) from the Hessian of the total negative log-likelihood n·f at its
// minimum x. The Hessian over log-parameters comes from central
// differences of the analytic gradient; by the delta method
// se(θ) = θ·se(log θ). A Hessian that is not positive definite gives NaN.
func standardErrors(f objective, x []float64, n float64) []float64 {
	k := len(x)
	h := mat.NewSymDense(k, nil)
	gp, gm := make([]float64, k), make([]float64, k)
	cols := make([][]float64, k)
	for i := range k {
		step := 1e-5 * math.Max(1, math.Abs(x[i]))
		xp, xm := slices.Clone(x), slices.Clone(x)
		xp[i] += step
		xm[i] -= step
		f(xp, gp)
		f(xm, gm)
		cols[i] = make([]float64, k)
		for j := range k {
			cols[i][j] = n * (gp[j] - gm[j]) / (2 * step)
		}
	}
	for i := range k {
		for j := i; j < k; j++ {
			h.SetSym(i, j, (cols[i][j]+cols[j][i])/2)
		}
	}
	se := make([]float64, k)
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		for i := range se {
			se[i] = math.NaN()
		}
		return se
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil {
		for i := range se {
			se[i] = math.NaN()
		}
		return se
	}
	for i := range k {
		se[i] = math.Exp(x[i]) * math.Sqrt(cov.At(i, i))
	}
	return se
}

// parallel runs work(lo, hi, w) over [0, n) split into one contiguous
// range per worker w = 0 .. workersFor(n)-1.
func parallel(n int, work func(lo, hi, w int)) {
	workers := workersFor(n)
	if workers == 1 {
		work(0, n, 0)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() { work(lo, hi, w) })
	}
	wg.Wait()
}

// workersFor is how many workers parallel uses for n items: every CPU (up
// to 8) once n is big enough to pay for the goroutines.
func workersFor(n int) int {
	if n >= 1<<14 {
		return min(runtime.GOMAXPROCS(0), 8)
	}
	return 1
}
