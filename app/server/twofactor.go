package server

import (
	"imageapp/app/twofactor"
	"imageapp/app/web"
)

// totpIssuer is the name authenticator apps show beside the account.
const totpIssuer = "ImageApp"

// newTwoFactor is the two-factor service over the backend, its codes
// bounded per user by login's own rule and buckets (core's).
func newTwoFactor(cfg Config, b *backend, core *web.Server) *twofactor.Service {
	return &twofactor.Service{
		Store: b.TwoFactor, Keys: b.Keys, Passwords: b.Identity,
		Limits: core.LimitStore(), Rule: core.LoginRule(),
		Pending: b.Ceremonies, Users: b.Users,
		App: cfg.AppName, Issuer: totpIssuer, Now: cfg.Now,
	}
}
