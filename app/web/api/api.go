// Package api serves the JSON twins of the pages under /api/, for the React
// client and scripts, and the byte downloads both clients share (an image,
// the export zip).
package api

import (
	"imageapp/app/web"
)

// Handlers are the JSON API's handlers. Build them with New.
type Handlers struct {
	*web.Server
	accounts  Accounts
	messaging Messaging
	passkeys  Passkeys  // WithPasskeys
	push      Push      // WithPush; nil: Web Push is not set up
	twoFactor TwoFactor // WithTwoFactor
}

// New returns the API handlers over the shared core and the services.
func New(core *web.Server, accounts Accounts, messaging Messaging) *Handlers {
	return &Handlers{Server: core, accounts: accounts, messaging: messaging}
}
