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
	// Converged is true when the optimiser stopped at an interior maximum:
	// the gradient vanished or the likelihood stopped improving, every
	// parameter is between 1e-6 and 1e6, and the information matrix is
	// positive definite (finite standard errors). Otherwise the parameters
	// are the best found, often a limit of the model the data cannot pin
	// down (such as no difference between customers), and Status says why.
	Converged   bool
	Iterations  int    // optimiser iterations
	Evaluations int    // likelihood evaluations, each with gradient and Hessian
	Status      string // the optimiser's final status, and what went wrong
	// LogLikelihood is the sum of the customers' log-likelihoods at the
	// estimate, on the data's own time scale.
	LogLikelihood float64
}

// derivs is a log-likelihood with its gradient and Hessian over the
// natural parameters of a model (up to four; only the upper triangle of h
// is filled).
type derivs struct {
	ll float64
	g  [4]float64
	h  [4][4]float64
}

// add adds o to d.
func (d *derivs) add(o *derivs) {
	d.ll += o.ll
	for i := range d.g {
		d.g[i] += o.g[i]
		for j := i; j < len(d.g); j++ {
			d.h[i][j] += o.h[i][j]
		}
	}
}

// likelihood is a model's summed log-likelihood at parameters θ.
type likelihood func(theta []float64) derivs

// Settings of the optimiser, which minimises the negative mean
// log-likelihood over the logarithms of the parameters.
const (
	// A gradient this small moves the estimate by far less than its
	// standard error.
	gradientThreshold = 1e-8
	// A line search that fails where the gradient is below this has
	// reached the optimum as closely as floating point allows.
	acceptableGradient = 1e-5
	maxIterations      = 200
	// Beyond e^±maxLogParam (1e6) a parameter is running off to 0 or
	// infinity: the data do not pin it down.
	maxLogParam = 13.815510557964274
)

// minimizeLog maximises the likelihood of n customers with Newton's method
// over log-parameters, from start, and returns the estimate θ with the
// likelihood's derivatives there.
func minimizeLog(lik likelihood, n float64, start []float64) ([]float64, derivs, FitInfo, error) {
	c := &cachedObjective{lik: lik, n: n}
	p := optimize.Problem{Func: c.value, Grad: c.gradient, Hess: c.hessian}
	settings := &optimize.Settings{
		GradientThreshold: gradientThreshold,
		MajorIterations:   maxIterations,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-14, Iterations: 10},
	}
	res, err := optimize.Minimize(p, start, settings, &optimize.Newton{})
	if res == nil {
		return nil, derivs{}, FitInfo{}, err
	}
	info := FitInfo{Iterations: res.MajorIterations, Evaluations: c.evaluations, Status: res.Status.String()}
	if err != nil {
		info.Status += ": " + err.Error()
	}
	if math.IsNaN(res.F) || math.IsInf(res.F, 0) {
		return nil, derivs{}, info, errors.New("the likelihood is not finite at the estimate")
	}
	switch {
	case err == nil:
		info.Converged = res.Status == optimize.GradientThreshold || res.Status == optimize.FunctionConvergence
	case res.Status == optimize.Failure && maxAbs(res.Gradient) <= acceptableGradient:
		// The line search found no lower point than a nearly flat one: the
		// likelihood is at its optimum to floating-point precision.
		info.Converged = true
	}
	theta := make([]float64, len(res.X))
	for i, v := range res.X {
		theta[i] = math.Exp(v)
	}
	if maxAbs(res.X) > maxLogParam {
		info.Converged = false
		info.Status += ": a parameter ran off towards 0 or infinity"
	}
	c.eval(res.X)
	info.LogLikelihood = c.d.ll
	return theta, c.d, info, nil
}

// maxAbs is the largest absolute value in v.
func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// kahan is a compensated sum: adding a million log-likelihood terms loses
// no more than a few units in the last place, which keeps the line search
// working close to the optimum.
type kahan struct{ sum, c float64 }

func (k *kahan) add(v float64) {
	y := v - k.c
	t := k.sum + y
	k.c = (t - k.sum) - y
	k.sum = t
}

// cachedObjective turns a likelihood into the optimiser's objective, the
// negative mean log-likelihood over log-parameters x = ln θ, and evaluates
// it once per point although the optimiser asks for value, gradient and
// Hessian separately.
type cachedObjective struct {
	lik         likelihood
	n           float64
	x, theta    []float64
	d           derivs
	evaluations int
}

func (c *cachedObjective) eval(x []float64) {
	if c.x != nil && slices.Equal(c.x, x) {
		return
	}
	c.x = append(c.x[:0], x...)
	c.theta = c.theta[:0]
	for _, v := range x {
		c.theta = append(c.theta, math.Exp(v))
	}
	c.d = c.lik(c.theta)
	c.evaluations++
}

func (c *cachedObjective) value(x []float64) float64 {
	c.eval(x)
	return -c.d.ll / c.n
}

// gradient is −θ_i ∂ℓ/∂θ_i / n.
func (c *cachedObjective) gradient(grad, x []float64) {
	c.eval(x)
	for i := range grad {
		grad[i] = -c.theta[i] * c.d.g[i] / c.n
	}
}

// hessian is −(θ_i θ_j ∂²ℓ/∂θ_i∂θ_j + [i=j] θ_i ∂ℓ/∂θ_i) / n.
func (c *cachedObjective) hessian(h *mat.SymDense, x []float64) {
	c.eval(x)
	for i := range x {
		for j := i; j < len(x); j++ {
			v := c.theta[i] * c.theta[j] * c.d.h[i][j]
			if i == j {
				v += c.theta[i] * c.d.g[i]
			}
			h.SetSym(i, j, -v/c.n)
		}
	}
}

// standardErrors are the square roots of the diagonal of the inverse of
// the observed information −∇²ℓ at the estimate; NaN when it is not
// positive definite (the data do not pin the parameters down), which also
// marks info as not converged.
func standardErrors(d derivs, k int, info *FitInfo) []float64 {
	obs := mat.NewSymDense(k, nil)
	for i := range k {
		for j := i; j < k; j++ {
			obs.SetSym(i, j, -d.h[i][j])
		}
	}
	se := make([]float64, k)
	var chol mat.Cholesky
	var cov mat.SymDense
	if !chol.Factorize(obs) || chol.InverseTo(&cov) != nil {
		for i := range se {
			se[i] = math.NaN()
		}
		info.Converged = false
		info.Status += ": the information matrix is not positive definite"
		return se
	}
	for i := range k {
		se[i] = math.Sqrt(cov.At(i, i))
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
