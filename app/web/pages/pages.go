// Package pages serves the server-rendered pages: templ pages and their htmx
// fragments, and the forms they post, complete without JavaScript.
package pages

import (
	"net/http"

	"imageapp/app/web"
	"imageapp/views"
)

// Handlers are the page handlers. Build them with New.
type Handlers struct {
	*web.Server
	accounts  Accounts
	messaging Messaging
	passkeys  Passkeys  // WithPasskeys
	twoFactor TwoFactor // WithTwoFactor
}

// New returns the page handlers over the shared core and the services.
func New(core *web.Server, accounts Accounts, messaging Messaging) *Handlers {
	return &Handlers{Server: core, accounts: accounts, messaging: messaging}
}

// frame is a page's frame (web.Server.Page) with the unread count in its
// navigation, read for every page a logged-in person sees; a count that
// cannot be read is logged and left out, since the page itself can still
// be shown.
func (s *Handlers) frame(r *http.Request, title, active string) views.Page {
	p := s.Page(r, title, active)
	if u, ok := web.CurrentUser(r); ok {
		if n, err := s.messaging.UnreadCount(r.Context(), u); err == nil {
			p.Nav.Unread = n
		} else {
			s.Log().ErrorContext(r.Context(), "count unread", "err", err)
		}
	}
	return p
}
