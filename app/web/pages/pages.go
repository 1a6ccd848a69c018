// Package pages serves the server-rendered pages: templ pages and their htmx
// fragments, and the forms they post, complete without JavaScript.
package pages

import (
	"imageapp/app/web"
)

// Handlers are the page handlers. Build them with New.
type Handlers struct {
	*web.Server
	accounts  Accounts
	messaging Messaging
}

// New returns the page handlers over the shared core and the services.
func New(core *web.Server, accounts Accounts, messaging Messaging) *Handlers {
	return &Handlers{Server: core, accounts: accounts, messaging: messaging}
}
