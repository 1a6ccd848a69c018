package server

import (
	"github.com/go-chi/chi/v5"

	"imageapp/app/web"
	"imageapp/app/web/api"
	"imageapp/app/web/live"
	"imageapp/app/web/pages"
	"imageapp/static"
)

// routeTable is the route table: every client's routes in one place, since the
// twins of a route (a page and its JSON answer) read best side by side, and
// a few handlers serve both clients (an image's bytes, the export zip). It
// lives here, where the clients are wired, so the core (web) depends on none
// of them.
// It returns the mounting function, so that a test can walk the table
// (TestEveryRouteThatDecryptsIsRecorded).
func routeTable(core *web.Server, p *pages.Handlers, a *api.Handlers, l *live.Handlers) func(chi.Router) {
	return func(r chi.Router) {
		// Pages.
		r.Get("/", p.Home)
		r.Get("/signup", p.SignupPage)
		r.Post("/signup", p.SignupSubmit)
		r.Get("/verify", p.VerifyPage)
		r.Post("/verify", p.VerifySubmit)
		r.Post("/verify/resend", p.ResendSubmit)
		r.Get("/login", p.LoginPage)
		r.Post("/login", p.LoginSubmit)
		r.Get("/login/code", p.LoginCodePage)
		r.Post("/login/code", p.LoginCodeSubmit)
		r.Post("/logout", p.LogoutSubmit)
		r.Get("/forgot", p.ForgotPage)
		r.Post("/forgot", p.ForgotSubmit)
		r.Get("/reset", p.ResetPage)
		r.Post("/reset", p.ResetSubmit)
		r.Get("/.well-known/imageapp-record-key", a.RecordKey)
		r.Handle("/sw.js", static.ServiceWorker()) // Web Push (static/sw.js)
		r.Group(func(r chi.Router) {
			r.Use(core.RequireUser)
			r.Get("/users", p.UsersPage)
			r.Get("/send", p.SendPage)
			r.Post("/send", p.SendSubmit)
			r.Get("/inbox", p.InboxPage)
			r.Get("/events", l.EventStream)
			r.Get("/sent", p.SentPage)
			r.Get("/conversations/{username}", p.ConversationPage)
			r.Post("/conversations/{username}", p.ComposerSubmit)
			r.Get("/messages/{id}", p.MessagePage)
			r.Get("/messages/{id}/image", a.MessageImage)
			r.Post("/messages/{id}/delete", p.DeleteSubmit)
			r.Post("/messages/{id}/view", p.ViewOnceSubmit)
			r.Get("/settings/delete", p.DeleteAccountPage)
			r.Post("/settings/delete", p.DeleteAccountSubmit)
			r.Get("/settings", p.SettingsPage)
			r.Post("/people/{username}/block", p.BlockSubmit(true))
			r.Post("/people/{username}/unblock", p.BlockSubmit(false))
			r.Get("/requests", p.RequestsPage)
			r.Post("/requests/{username}/accept", p.RequestSubmit(web.AcceptRequests))
			r.Post("/requests/{username}/delete", p.RequestSubmit(web.DeleteRequests))
			r.Post("/requests/{username}/block", p.RequestSubmit(web.BlockRequests))
			r.Post("/settings/privacy", p.PrivacySubmit)
			r.Post("/settings/password", p.PasswordSubmit)
			r.Post("/settings/email", p.EmailSubmit)
			r.Post("/settings/email/confirm", p.EmailConfirmSubmit)
			r.Post("/settings/email/cancel", p.EmailCancelSubmit)
			r.Post("/settings/sessions/end-others", p.EndOthersSubmit)
			r.Post("/settings/sessions/{sid}/end", p.EndSessionSubmit)
			r.Post("/settings/notifications", p.NotificationsSubmit)
			r.Post("/settings/mail/resend", p.ResendMailSubmit)
			r.Post("/settings/passkeys/{id}/remove", p.PasskeyRemoveSubmit)
			r.Post("/settings/two-factor/enrol", p.TwoFactorEnrolSubmit)
			r.Post("/settings/two-factor/confirm", p.TwoFactorConfirmSubmit)
			r.Post("/settings/two-factor/disable", p.TwoFactorDisableSubmit)
			r.Get("/settings/export", p.ExportPage)
			r.Post("/settings/export", a.ExportDownload)
			r.Get("/settings/record", p.RecordPage)
		})

		// JSON twins.
		r.Route("/api", func(r chi.Router) {
			r.Post("/signup", a.Signup)
			r.Post("/verify", a.Verify)
			r.Post("/verify/resend", a.Resend)
			r.Post("/login", a.Login)
			r.Post("/login/code", a.LoginCode)
			r.Post("/logout", a.Logout)
			r.Post("/password/forgot", a.Forgot)
			r.Post("/password/reset", a.Reset)
			r.Post("/passkeys/login/begin", a.PasskeyLoginBegin)
			r.Post("/passkeys/login/finish", a.PasskeyLoginFinish)
			r.Get("/push/key", a.PushKey)
			r.Group(func(r chi.Router) {
				r.Use(core.RequireUser)
				r.Get("/me", a.Me)
				settingsAPI(r, a, "/settings") // "/api" + the page's path: the name
				settingsAPI(r, a, "/me")       // the former names, kept for older clients
				r.Get("/events", l.EventStream)
				r.Get("/users", a.Users)
				r.Get("/messages", a.Messages)
				r.Post("/messages", a.Send)
				r.Get("/messages/{id}", a.Message)
				r.Get("/messages/{id}/image", a.MessageImage)
				r.Delete("/messages/{id}", a.Delete)
				r.Post("/messages/{id}/view", a.ViewOnce)
				r.Delete("/me", a.DeleteAccount)
				r.Put("/people/{username}/block", a.Block(true))
				r.Delete("/people/{username}/block", a.Block(false))
				r.Put("/blocks/{username}", a.Block(true))     // the former name, kept for older clients
				r.Delete("/blocks/{username}", a.Block(false)) // the former name, kept for older clients
				r.Get("/conversations/{username}", a.Conversation)
				r.Get("/requests", a.Requests)
				r.Post("/requests/{username}/accept", a.AcceptRequests)
				r.Delete("/requests/{username}", a.DeleteRequests)
			})
			r.NotFound(core.APINotFound)
		})
	}
}

// settingsAPI mounts the JSON twins of the settings page's forms under
// prefix: "/settings" names them as the pages do (/settings/password →
// /api/settings/password); "/me" is what they were called before.
func settingsAPI(r chi.Router, a *api.Handlers, prefix string) {
	r.Get(prefix+"/mail", a.Mail)
	r.Post(prefix+"/mail/resend", a.MailResend)
	r.Get(prefix+"/privacy", a.Privacy)
	r.Put(prefix+"/privacy", a.PrivacyPut)
	r.Post(prefix+"/password", a.ChangePassword)
	r.Get(prefix+"/email", a.Email)
	r.Post(prefix+"/email", a.EmailRequest)
	r.Post(prefix+"/email/confirm", a.EmailConfirm)
	r.Post(prefix+"/email/cancel", a.EmailCancel)
	r.Get(prefix+"/sessions", a.Sessions)
	r.Delete(prefix+"/sessions", a.EndOtherSessions)
	r.Delete(prefix+"/sessions/{sid}", a.EndSession)
	r.Get(prefix+"/blocked", a.Blocked)
	r.Post(prefix+"/export", a.ExportDownload)
	r.Get(prefix+"/record", a.Record)
	r.Get(prefix+"/passkeys", a.MyPasskeys)
	r.Post(prefix+"/passkeys/begin", a.PasskeyRegisterBegin)
	r.Post(prefix+"/passkeys/finish", a.PasskeyRegisterFinish)
	r.Delete(prefix+"/passkeys/{id}", a.PasskeyRemove)
	r.Get(prefix+"/two-factor", a.MyTwoFactor)
	r.Post(prefix+"/two-factor/enrol", a.TwoFactorEnrol)
	r.Post(prefix+"/two-factor/confirm", a.TwoFactorConfirm)
	r.Delete(prefix+"/two-factor", a.TwoFactorDisable)
	r.Post(prefix+"/push", a.PushSubscribe)
	r.Delete(prefix+"/push", a.PushUnsubscribe)
}
