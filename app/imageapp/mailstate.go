package imageapp

// MailState is whether the mail that tells a user about new images reaches
// them: in AWS mode their email's subscription to their SNS topic, which
// the address must confirm (SNS mails a link) before anything arrives.
type MailState string

const (
	// MailConfirmed: the address confirmed; notifications arrive.
	MailConfirmed MailState = "confirmed"
	// MailPending: a confirmation mail went out; nothing arrives until its
	// link is followed (SNS drops unconfirmed subscriptions after 3 days).
	MailPending MailState = "pending"
	// MailGone: no subscription: never confirmed in time, or unsubscribed.
	MailGone MailState = "gone"
	// MailSuppressed: mail sent straight to the address (SES) bounced or
	// was marked as spam, so none is sent to it any more; a new address
	// helps, asking again does not.
	MailSuppressed MailState = "suppressed"
	// MailOutbox: local mode: notifications are written to the server's
	// outbox (<data>/outbox), nobody confirms anything.
	MailOutbox MailState = "outbox"
)

// CanResend reports whether asking for the confirmation mail again helps.
func (s MailState) CanResend() bool { return s == MailPending || s == MailGone }
