package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"imageapp/app/cookiekeys"
	"imageapp/app/server"
)

const cookieKeysUsage = `usage: imageapp cookie-keys show | rotate | retire -keep N

Manages the ring of keys that sign and encrypt session and device cookies in
AWS mode (one ring for every instance; the same IMAGEAPP_* and AWS settings
as the server). Key material is never printed.

  show            the ring: its version and each pair's age, and which signs
  rotate          add a fresh pair in front; it signs everywhere once it is
                  %v old (every instance re-reads the ring each %v, so by
                  then all of them verify it); older pairs keep verifying
  retire -keep N  drop all but the newest N pairs: cookies they signed stop
                  working (sessions last 12 hours, device cookies 30 days);
                  the pair that signs now is always kept
`

// cookieKeysMain runs the cookie-keys subcommand and returns the exit code.
func cookieKeysMain(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cfg, err := server.ConfigFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	err = runCookieKeys(ctx, args, os.Stdout, time.Now, func() (cookiekeys.Store, error) {
		return server.CookieKeyStore(ctx, cfg)
	})
	var usage usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, err)
		fmt.Fprintf(os.Stderr, cookieKeysUsage, cookiekeys.ActivateAfter, cookiekeys.RefreshEvery)
		return 2
	case err != nil:
		fmt.Fprintln(os.Stderr, "cookie-keys:", err)
		return 1
	}
	return 0
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// runCookieKeys parses args, opens the store only once they are right, and
// does what they say, reporting on out.
func runCookieKeys(ctx context.Context, args []string, out io.Writer, now func() time.Time, open func() (cookiekeys.Store, error)) error {
	if len(args) == 0 {
		return usageError{"cookie-keys: say show, rotate or retire"}
	}
	fs := flag.NewFlagSet("cookie-keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	keep := 0
	if args[0] == "retire" {
		fs.IntVar(&keep, "keep", 0, "how many of the newest pairs to keep")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{fmt.Sprintf("cookie-keys %s: %v", args[0], err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("cookie-keys %s: unexpected %q", args[0], fs.Arg(0))}
	}
	var do func(cookiekeys.Store) (cookiekeys.Ring, error)
	switch args[0] {
	case "show":
		do = func(s cookiekeys.Store) (cookiekeys.Ring, error) { return s.Load(ctx) }
	case "rotate":
		do = func(s cookiekeys.Store) (cookiekeys.Ring, error) { return s.Rotate(ctx) }
	case "retire":
		if keep < 1 {
			return usageError{"cookie-keys retire: -keep N is required, N at least 1"}
		}
		do = func(s cookiekeys.Store) (cookiekeys.Ring, error) { return s.Retire(ctx, keep) }
	default:
		return usageError{fmt.Sprintf("cookie-keys: unknown command %q", args[0])}
	}
	store, err := open()
	if err != nil {
		return err
	}
	ring, err := do(store)
	if err != nil {
		return err
	}
	describeRing(out, ring, now())
	if args[0] == "retire" && len(ring.Pairs) > keep {
		fmt.Fprintf(out, "kept %d pairs, not %d: a pair newer than the one that signs is not yet verified everywhere, "+
			"so the signing pair stays; retire again once the newest pair signs\n", len(ring.Pairs), keep)
	}
	return nil
}

// describeRing prints the ring without any key material.
func describeRing(out io.Writer, r cookiekeys.Ring, now time.Time) {
	signer := r.Signer(now)
	fmt.Fprintf(out, "cookie keys: version %d, %d pair(s), newest first\n", r.Version, len(r.Pairs))
	for i, p := range r.Pairs {
		created := "created before rotation existed"
		if !p.Created.IsZero() {
			created = "created " + p.Created.UTC().Format(time.RFC3339)
		}
		state := "verifies"
		switch {
		case i == signer:
			state = "signs and verifies"
		case i < signer: // newer than the signer: waiting for ActivateAfter
			state = "verifies; signs from " + p.Created.Add(cookiekeys.ActivateAfter).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(out, "  %d. %s: %s\n", i+1, created, state)
	}
}
