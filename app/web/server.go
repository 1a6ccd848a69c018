// Package web is the HTTP core of ImageApp that every client shares:
// sessions and cookies, the current user, abuse limits and client IPs,
// pacing, security headers, compression, error replies, form decoding, the
// drain and readiness, the request log, and the steps a page and its JSON
// twin take alike (log in, upload an image, change a password…). The clients
// are packages of their own: pages (templ, htmx, complete without
// JavaScript), api (the JSON twins under /api/) and live (the event
// streams); app/server puts their routes in one table.
package web

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/gorilla/sessions"

	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
	"imageapp/app/metrics"
	"imageapp/app/ratelimit"
	"imageapp/static"
)

// Server holds what the handlers need: the two services, sessions and
// limits. Build it with New.
type Server struct {
	accounts       Accounts
	messaging      Messaging
	cookieKeys     *cookiekeys.Live
	cookieStore    atomic.Pointer[cookieStore] // built from cookieKeys, see sessionStore
	gobCookies     bool                        // write cookie values as gob (Options.GobCookies)
	secure         bool
	cookie         string
	maxUpload      int64
	reactDir       string
	rules          Limits
	limits         ratelimit.Store
	ownLimits      *ratelimit.Memory // the send budgets while limits cannot answer
	trustedProxies []netip.Prefix
	pace           Pace
	log            *slog.Logger
	now            func() time.Time
	metrics        *metrics.Registry
	outbox         string    // Options.Outbox
	twoFactor      TwoFactor // WithTwoFactor; nil asks no code

	drain *drain     // a deploy's drain of the sends (drain.go)
	ready *readiness // GET /readyz (ready.go)
}

// Options configure a Server.
type Options struct {
	Accounts  Accounts
	Messaging Messaging

	// CookieKeys sign and encrypt the session and device cookies: the
	// ring's signing pair signs, every pair verifies. Whoever holds it may
	// swap the ring (cookiekeys.Live.Refresh); requests pick it up.
	CookieKeys *cookiekeys.Live
	Secure     bool // served over TLS: Secure cookie with the __Host- prefix
	// GobCookies writes cookie values as gob, as versions before JSON did
	// (both are read): for a cluster that may still run such a version, an
	// instance mid-deploy or after a rollback, which cannot read JSON.
	GobCookies bool

	MaxUploadBytes int64
	ReactDir       string          // serve a built React client under /react/ if it exists
	Limits         Limits          // zero means DefaultLimits()
	LimitStore     ratelimit.Store // where the buckets are; nil keeps them in this process
	TrustedProxies []netip.Prefix  // peers whose X-Forwarded-For names the client
	Pace           Pace            // how fast request bodies must come; zero means DefaultPace()
	// Readiness are the checks of GET /readyz, one per dependency; none
	// means ready whenever the server is not draining.
	Readiness []imageapp.Check
	// Outbox is the folder mail is written to instead of being sent (the
	// embedded backend), which the verify page names; "" when mail is sent.
	Outbox string
	Log    *slog.Logger
	Now    func() time.Time
	// Metrics count what the web layer sees (limit refusals, open event
	// streams); nil counts into a registry nobody writes.
	Metrics *metrics.Registry
}

// New returns a Server.
func New(o Options) *Server {
	if o.CookieKeys == nil || o.CookieKeys.Ring() == nil || o.CookieKeys.Ring().Validate() != nil {
		panic("web: Options.CookieKeys must hold a valid ring") // a wiring mistake, not a request's
	}
	cookie := "imageapp_session"
	if o.Secure {
		cookie = "__Host-imageapp_session" // only set over TLS, for this exact host, path /
	}
	s := &Server{
		accounts: o.Accounts, messaging: o.Messaging,
		cookieKeys: o.CookieKeys, gobCookies: o.GobCookies, secure: o.Secure, cookie: cookie, maxUpload: o.MaxUploadBytes, reactDir: o.ReactDir,
		log: o.Log, now: o.Now, metrics: o.Metrics, outbox: o.Outbox,
	}
	if s.metrics == nil {
		s.metrics = metrics.New("ImageApp", nil)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = slog.New(RequestIDs(s.log.Handler()))
	if s.now == nil {
		s.now = time.Now
	}
	s.rules, s.limits, s.trustedProxies = o.Limits, o.LimitStore, o.TrustedProxies
	s.rules = s.rules.withDefaults()
	s.ownLimits = ratelimit.NewMemory(s.now)
	if s.limits == nil {
		s.limits = s.ownLimits
	}
	s.pace = o.Pace
	if s.pace.MinRate == 0 {
		s.pace = DefaultPace()
	}
	s.drain = newDrain()
	s.ready = &readiness{checks: o.Readiness, log: s.log, now: s.now}
	return s
}

// cookieStore is the session store built from one ring, for the pair that
// signs at the time it was built.
type cookieStore struct {
	ring   *cookiekeys.Ring
	signer int
	store  *sessions.CookieStore
}

// sessionStore is the cookie store for the ring in use now. It is built
// again only when the ring is replaced or its signing pair changes (a
// rotated pair starts to sign once it is old enough); two requests racing to
// build it both get a correct store, and either one is kept.
func (s *Server) sessionStore() *sessions.CookieStore {
	ring := s.cookieKeys.Ring()
	now := s.now()
	signer := ring.Signer(now)
	if c := s.cookieStore.Load(); c != nil && c.ring == ring && c.signer == signer {
		return c.store
	}
	// NewCookieStore gives every codec securecookie's 30-day limit on a
	// value's age (the device cookie relies on it); the session's own
	// lifetime is checked against its iat and seen times.
	store := sessions.NewCookieStore(ring.KeyPairs(now)...)
	withCookieValues(store.Codecs, s.gobCookies)
	store.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(sessionAbsolute / time.Second),
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	}
	s.cookieStore.Store(&cookieStore{ring: ring, signer: signer, store: store})
	return store
}

// Handler returns the routes that mount adds (the route table, app/server's)
// with what every request gets: health and readiness, the static files and
// React, the not-found and method-not-allowed answers, and around them the
// security middleware and the request log.
func (s *Server) Handler(mount func(r chi.Router)) http.Handler {
	r := chi.NewRouter()
	r.Use(recordRoute, middleware.GetHead, s.compress) // HEAD is GET without the body

	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if s.drain.draining() { // stopping: the load balancer takes it out
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	})
	r.Get("/readyz", s.readyz)
	r.Handle("/static/*", static.Handler())
	s.mountReact(r)
	mount(r)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.Fail(w, r, imageapp.Errorf(imageapp.ENOTFOUND, "There is no page at %s.", r.URL.Path))
	})
	root := r
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		allowed := allowedMethods(root, r.URL.Path)
		w.Header().Set("Allow", strings.Join(allowed, ", ")) // RFC 9110 asks a 405 to list them
		if !isAPI(r) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.formOnlyPage(w, r) // a bookmarked or typed address of a form's target
			return
		}
		s.Fail(w, r, &StatusError{http.StatusMethodNotAllowed, "method_not_allowed",
			r.Method + " is not allowed here; use " + strings.Join(allowed, " or ") + "."})
	})

	// Browsers' cross-origin unsafe requests are refused by their Fetch
	// metadata; scripts (curl) send none and pass, so they need no token.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Fail(w, r, imageapp.Errorf(imageapp.EFORBIDDEN, "This request came from another site and was refused."))
	}))
	// Outside the router, so that its refusals get the headers too; bodies
	// are paced before compression wraps the ResponseWriter.
	return s.logRequests(s.recoverer(securityHeaders(s.secure, s.paceBodies(cop.Handler(r)))))
}

// APINotFound answers a path under /api/ that no route takes, in JSON.
func (s *Server) APINotFound(w http.ResponseWriter, r *http.Request) {
	s.JSONError(w, r, imageapp.Errorf(imageapp.ENOTFOUND, "No such API route: %s %s.", r.Method, r.URL.Path))
}

// allowedMethods are the methods routes answer at path.
func allowedMethods(routes chi.Routes, path string) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if routes.Match(chi.NewRouteContext(), m, path) {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead) // middleware.GetHead
			}
		}
	}
	return out
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func IsHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// Log is the server's logger; what it logs during a request names the request.
func (s *Server) Log() *slog.Logger { return s.log }

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.now() }

// MaxUpload is the largest image upload, in bytes.
func (s *Server) MaxUpload() int64 { return s.maxUpload }

// LimitStore is where the abuse limits' buckets are.
func (s *Server) LimitStore() ratelimit.Store { return s.limits }

// Metrics is the registry the web layer counts into.
func (s *Server) Metrics() *metrics.Registry { return s.metrics }

// Outbox is the folder mail is written to instead of being sent, or "".
func (s *Server) Outbox() string { return s.outbox }
