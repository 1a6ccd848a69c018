package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/ratelimit"
)

// Limits are the abuse limits on the account actions (sign-up, login,
// verify, resend, password reset): one bucket per client IP and one per
// username, for each action; and the sender's budgets on sending.
type Limits struct {
	PerIP   ratelimit.Rule
	PerUser ratelimit.Rule

	// CodeMailsPerIP is each client address's budget of the mails that
	// carry a code (sign-up, a new confirmation code, a password reset, an
	// email change), and CodeMails everyone's together: the per-action
	// buckets refill for each action apart, and the per-address bucket of
	// the identity port counts one mailbox, so without these one client,
	// or many, could make the server mail strangers without end. Zero
	// means the default's.
	CodeMailsPerIP ratelimit.Rule
	CodeMails      ratelimit.Rule

	// Sends is each sender's budget of sends (one token a send), and
	// SendKiB their budget of upload bytes, in KiB (a send costs its
	// Content-Length, or the upload cap when it does not say). Build both
	// with SendLimits; zero means the default's.
	Sends   ratelimit.Rule
	SendKiB ratelimit.Rule
}

// Default sending budgets: more than a person sends by hand, far less than
// a script fills a disk with (IMAGEAPP_SEND_PER_MINUTE, IMAGEAPP_SEND_BYTES_PER_HOUR).
const (
	DefaultSendsPerMinute   = 30
	DefaultSendBytesPerHour = 500 << 20
)

// SendLimits are the rules of a budget of perMinute sends (all at once, at
// most, then one every 1/perMinute minute) and bytesPerHour upload bytes.
func SendLimits(perMinute int, bytesPerHour int64) (sends, kib ratelimit.Rule) {
	perMinute, k := max(perMinute, 1), max(bytesPerHour>>10, 1)
	return ratelimit.Rule{Burst: perMinute, Every: time.Minute / time.Duration(perMinute)},
		ratelimit.Rule{Burst: int(k), Every: time.Hour / time.Duration(k)}
}

// DefaultLimits let a person retry comfortably and stop a script cold.
func DefaultLimits() Limits {
	sends, kib := SendLimits(DefaultSendsPerMinute, DefaultSendBytesPerHour)
	return Limits{
		PerIP:   ratelimit.Rule{Burst: 20, Every: 30 * time.Second},
		PerUser: ratelimit.Rule{Burst: 6, Every: time.Minute},
		// Twenty code mails an hour from one address; a thousand an hour
		// from everyone, far above what people signing up ask for.
		CodeMailsPerIP: ratelimit.Rule{Burst: 20, Every: 3 * time.Minute},
		CodeMails:      ratelimit.Rule{Burst: 1000, Every: 3600 * time.Millisecond},
		Sends:          sends,
		SendKiB:        kib,
	}
}

// withDefaults fills in the zero rules from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.PerIP.Burst == 0 {
		l.PerIP, l.PerUser = d.PerIP, d.PerUser
	}
	if l.CodeMailsPerIP.Burst == 0 {
		l.CodeMailsPerIP = d.CodeMailsPerIP
	}
	if l.CodeMails.Burst == 0 {
		l.CodeMails = d.CodeMails
	}
	if l.Sends.Burst == 0 {
		l.Sends = d.Sends
	}
	if l.SendKiB.Burst == 0 {
		l.SendKiB = d.SendKiB
	}
	return l
}

// sharedLimitTimeout bounds a send's wait for the shared limit store: a
// healthy one answers in a millisecond or two.
const sharedLimitTimeout = 300 * time.Millisecond

// limitSend takes a send from the sender's budgets before a byte of the
// upload is read: one send, and the upload's bytes (its Content-Length, or
// the upload cap when it does not say; a chunked upload is cut at the cap).
// A refusal is a 429 that says how long to wait.
func (s *Server) limitSend(r *http.Request) error {
	size := s.maxUpload
	if r.ContentLength > 0 {
		size = min(r.ContentLength, s.maxUpload*messaging.MaxAlbumImages) // an album's images, each
	}
	return s.takeSend(r, 1, int((size+1023)>>10))
}

// limitMoreSends takes one more send from the sender's budget for each
// image of an album after its first: every image counts. (Its bytes were
// taken with the first, from the upload's length.)
func (s *Server) limitMoreSends(r *http.Request) error { return s.takeSend(r, 1, 0) }

// takeSend takes sends and KiB (either may be 0) from the sender's budgets.
func (s *Server) takeSend(r *http.Request, sends, kib int) error {
	from, _ := CurrentUser(r)
	shared := true // until the shared store fails this send once
	for _, b := range []struct {
		rule ratelimit.Rule
		key  string
		cost int
	}{
		{s.rules.Sends, "send:count:" + from.ID, sends},
		{s.rules.SendKiB, "send:kib:" + from.ID, kib},
	} {
		if b.cost == 0 {
			continue
		}
		var ok bool
		var wait time.Duration
		if shared {
			// A store that is down makes its client retry its dial for
			// most of a second: a send does not wait that long for it.
			ctx, cancel := context.WithTimeout(r.Context(), sharedLimitTimeout)
			var err error
			ok, wait, err = s.limits.TakeN(ctx, b.rule, b.key, b.cost)
			cancel()
			if err != nil {
				// Unlike a login, a send is by a known account, so an outage of
				// the shared store does not stop sending; nor does it lift the
				// budget: this instance keeps it alone meanwhile, so a sender
				// gets at most the budget once per instance, never unlimited.
				s.log.ErrorContext(r.Context(), "sending limits unavailable; this instance's own limits apply", "err", err)
				shared = false
			}
		}
		if !shared {
			ok, wait, _ = s.ownLimits.TakeN(r.Context(), b.rule, b.key, b.cost) // Memory never fails
		}
		if !ok {
			s.log.WarnContext(r.Context(), "sender over budget", "sender_id", from.ID, "budget", b.key[:strings.LastIndexByte(b.key, ':')])
			return imageapp.ErrSendingTooFast(wait)
		}
	}
	return nil
}

// Limit takes a token for the action from the client's IP bucket and, when
// a username is given, from that username's bucket; a request from a device
// the username has logged in from before (login, and the code actions: a
// stranger must not lock the owner out of a reset either) takes it from
// that device's bucket. When the store cannot answer, the action is refused
// (503), never let through.
func (s *Server) Limit(r *http.Request, action, username string) error {
	if err := s.take(r, s.rules.PerIP, "ip:"+action+":"+s.clientIP(r)); err != nil {
		return err
	}
	if username == "" {
		return nil
	}
	key := "user:" + action + ":" + strings.ToLower(username)
	if id := s.deviceID(r, username); id != "" {
		key = "device:" + action + ":" + id
	}
	return s.take(r, s.rules.PerUser, key)
}

// limitCodeMail takes one code mail from the client address's budget and
// from everyone's, before an action that may mail a code to an address
// the asker typed or named. A browser username has logged in from is not
// charged to everyone's budget: a stranger who spends it must not stop
// the owner's own reset. Like the other account limits it is refused
// (503) when the store cannot answer.
func (s *Server) limitCodeMail(r *http.Request, username string) error {
	if err := s.take(r, s.rules.CodeMailsPerIP, "codemail:ip:"+s.clientIP(r)); err != nil {
		return err
	}
	if username != "" && s.deviceID(r, username) != "" {
		return nil
	}
	return s.take(r, s.rules.CodeMails, "codemail:all")
}

// Asking is who asks for or tries username's codes, or signs in as it:
// the browser, when it has logged in as username before, else the
// client's address (and the address either way, for a provider that
// judges sign-ins by it). The identity port charges wrong codes to it.
func (s *Server) Asking(r *http.Request, username string) imageapp.Requester {
	if id := s.deviceID(r, username); id != "" {
		return imageapp.ByDevice(id, s.clientIP(r))
	}
	return imageapp.ByAddress(s.clientIP(r))
}

func (s *Server) take(r *http.Request, rule ratelimit.Rule, key string) error {
	ok, wait, err := s.limits.Take(r.Context(), rule, key)
	if err != nil {
		s.log.ErrorContext(r.Context(), "abuse limits unavailable; refusing", "err", err)
		return imageapp.Errorf(imageapp.EUNAVAILABLE, "We cannot check sign-in attempts right now, so we are not accepting any. Try again in a minute.")
	}
	if !ok {
		kind, _, _ := strings.Cut(key, ":")
		s.log.WarnContext(r.Context(), "rate limited", "key_kind", kind)
		return imageapp.RateLimited(wait)
	}
	return nil
}
